from celery import shared_task
from django.db import DatabaseError

from sentiment import services


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def comments_score(comment_ids: list[str]) -> None:
    services.comments_score(comment_ids)
