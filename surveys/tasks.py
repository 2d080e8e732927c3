"""Celery tasks of the identified side. Ids in, a service call, nothing else."""

from celery import shared_task

from config.tasks import RELIABLE
from surveys import retention, rounds


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
def comment_text_retention_apply() -> None:
    retention.comment_text_retention_apply()
