"""Sending Celery tasks from services.

Tasks are sent once the transaction has committed, so the worker never looks for rows that do not
exist yet. If the broker is down the caller still succeeds: the commit already stored everything, and
the beat sweepers find the work that was never queued.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)
# Fail fast: a person waiting for a page should not wait for a broker that is away.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def send_after_commit(task, *args, countdown: float | None = None) -> None:
    """Queue ``task(*args)`` after the current transaction commits; ``args`` are ids, never text."""
    transaction.on_commit(lambda: send_now(task, *args, countdown=countdown))


def send_now(task, *args, countdown: float | None = None) -> bool:
    try:
        task.apply_async(args=args, countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except (OperationalError, OSError) as error:
        logger.warning("%s was not queued (%s); a sweeper will pick the work up", task.name, type(error).__name__)
        return False
    return True


def send_named_after_commit(name: str, *args) -> None:
    """Queue the task called ``name`` after commit, for a caller that must not import the module defining it."""
    from celery import current_app

    transaction.on_commit(lambda: send_now(current_app.signature(name), *args))
