from django.apps import AppConfig


class SentimentConfig(AppConfig):
    """Sentiment scores and themes computed from anonymous comments."""

    name = "sentiment"
    verbose_name = "Sentiment"
