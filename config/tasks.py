"""The one retry policy of every Celery task.

A database that is briefly away (restart, failover, lock timeout) is worth retrying; a bug is not. Tasks are
acknowledged late, so a worker that dies mid-task leaves the message to another, and every task is idempotent.
"""

from django.db import DatabaseError

RELIABLE = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "max_retries": 5,
    "soft_time_limit": 300,
    "time_limit": 360,
}
# A publication of tens of thousands of responses takes a minute or two on a busy machine.
PUBLISHING = {**RELIABLE, "soft_time_limit": 1200, "time_limit": 1500}
