import socket

from celery import shared_task

from config.tasks import RELIABLE
from health.services import heartbeat_record


@shared_task(**RELIABLE)
def record_heartbeat() -> None:
    heartbeat_record(worker=socket.gethostname())
