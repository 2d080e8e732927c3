import socket

from celery import shared_task
from django.db import DatabaseError

from health.services import heartbeat_record


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def record_heartbeat() -> None:
    heartbeat_record(worker=socket.gethostname())
