from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """The identified side: roster, rounds, invitations and who has taken part."""

    name = "surveys"
    verbose_name = "Surveys"
