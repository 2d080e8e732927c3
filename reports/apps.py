from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """What HR sees: k-anonymous aggregates only."""

    name = "reports"
    verbose_name = "Reports"
