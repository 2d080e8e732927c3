from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """The identified side: roster, rounds, invitations and who has taken part."""

    name = "surveys"
    verbose_name = "Surveys"

    def ready(self):
        from surveys.changelog import changelog_models_register

        changelog_models_register()
