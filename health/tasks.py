import socket

from celery import shared_task

from health.services import heartbeat_record


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def record_heartbeat() -> None:
    heartbeat_record(worker=socket.gethostname())
