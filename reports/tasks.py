"""Celery tasks of the reports. Ids in, a service call, nothing else."""

from celery import shared_task

from config.tasks import PUBLISHING, RELIABLE
from reports import pipeline


@shared_task(**PUBLISHING)
def round_publish(round_id: str) -> None:
    pipeline.round_publish(round_id)


@shared_task(**PUBLISHING)
def open_feedback_publish(period: str) -> None:
    pipeline.open_feedback_publish(period)


@shared_task(**RELIABLE)
def publications_due() -> None:
    pipeline.publications_due()
