"""Celery tasks of the identified side. Ids in, a service call, nothing else."""

from celery import shared_task

from surveys import release

RELIABLE = {"acks_late": True, "autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RELIABLE)
def round_release(round_id: str) -> None:
    release.round_release(round_id)


@shared_task(**RELIABLE)
def open_feedback_release(period: str) -> None:
    release.open_feedback_release(period)


@shared_task(**RELIABLE)
def releases_due() -> None:
    release.releases_due()
