from django.db import models


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the heartbeat task; one row per worker host name."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M}"
