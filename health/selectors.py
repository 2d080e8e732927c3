"""Reachability checks. Each returns True or False and never raises."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from kombu import Connection

from health.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.warning("health: database unreachable")
        return False


def broker_reachable() -> bool:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:  # kombu raises transport-specific errors (socket, redis, OS)
        logger.warning("health: broker unreachable")
        return False
    finally:
        broker.release()


def last_worker_heartbeat():
    try:
        return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except DatabaseError:
        return None
