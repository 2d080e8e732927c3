from django.apps import AppConfig


class HealthConfig(AppConfig):
    """Reachability of the database, the broker and the workers."""

    name = "health"
    verbose_name = "Health"
