"""Celery tasks of the reports. Ids in, a service call, nothing else."""

from celery import shared_task
from django.db import DatabaseError

from reports import services

RELIABLE = {"acks_late": True, "autoretry_for": (DatabaseError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RELIABLE)
def round_report_refresh(round_id: str) -> None:
    services.round_report_refresh(round_id)


@shared_task(**RELIABLE)
def open_feedback_report_refresh(period: str) -> None:
    services.open_feedback_report_refresh(period)
