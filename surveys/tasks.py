"""Celery tasks of the identified side. Ids in, a service call, nothing else."""

from celery import shared_task
from django.db import DatabaseError

from surveys import analysis, release, retention, rounds

# A database that is briefly away (restart, failover, lock timeout) is worth retrying; a bug is not.
RELIABLE = {"acks_late": True, "autoretry_for": (DatabaseError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RELIABLE)
def round_release(round_id: str) -> None:
    release.round_release(round_id)


@shared_task(**RELIABLE)
def open_feedback_release(period: str) -> None:
    release.open_feedback_release(period)


@shared_task(**RELIABLE)
def releases_due() -> None:
    release.releases_due()


@shared_task(**RELIABLE)
def round_invitations_send(round_id: str) -> None:
    rounds.round_invitations_send(round_id)


@shared_task(**RELIABLE)
def round_reminders_send(round_id: str) -> None:
    rounds.round_reminders_send(round_id)


@shared_task(**RELIABLE)
def rounds_advance() -> None:
    rounds.rounds_advance()


@shared_task(**RELIABLE)
def reminders_due() -> None:
    rounds.reminders_due()


@shared_task(**RELIABLE)
def round_themes_build(round_id: str) -> None:
    analysis.round_themes_build(round_id)


@shared_task(**RELIABLE)
def open_feedback_themes_build(period: str) -> None:
    analysis.open_feedback_themes_build(period)


@shared_task(**RELIABLE)
def analysis_sweep() -> None:
    analysis.analysis_sweep()


@shared_task(**RELIABLE)
def comment_text_retention_apply() -> None:
    retention.comment_text_retention_apply()
