from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """The anonymous side: responses and comments, with no link to any person."""

    name = "feedback"
    verbose_name = "Feedback"
