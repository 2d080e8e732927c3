"""A real worker process, on Redis in CI and on the local filesystem queue in a plain run."""

import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from config.celery_app import app
from health.models import WorkerHeartbeat
from health.tasks import record_heartbeat


def _wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_runs_a_task_that_writes_to_the_database(celery_worker):
    record_heartbeat.delay()

    assert _wait_for(WorkerHeartbeat.objects.exists), celery_worker.log()
    assert "health.tasks.record_heartbeat" in celery_worker.log()


def test_a_task_sent_inside_a_transaction_waits_for_the_commit(celery_worker):
    with transaction.atomic():
        record_heartbeat.delay_on_commit()
        time.sleep(2)
        assert not WorkerHeartbeat.objects.exists()

    assert _wait_for(WorkerHeartbeat.objects.exists), celery_worker.log()


def test_the_reliability_settings_are_in_force_on_the_running_worker(celery_worker):
    replies = app.control.inspect(destination=[celery_worker.name], timeout=5).conf(with_defaults=True)
    conf = replies[celery_worker.name]

    assert conf["task_acks_late"] is True
    assert conf["task_reject_on_worker_lost"] is True
    assert conf["task_serializer"] == "json"
    assert conf["accept_content"] == ["json"]
    assert conf["worker_prefetch_multiplier"] == 1
    assert conf["task_time_limit"] == settings.CELERY_TASK_TIME_LIMIT
    assert 0 < conf["task_soft_time_limit"] < conf["task_time_limit"]
    assert conf["broker_url"].split(":", 1)[0] == settings.CELERY_BROKER_URL.split(":", 1)[0]


def test_every_task_in_the_beat_schedule_is_registered_on_the_worker(celery_worker):
    registered = app.control.inspect(destination=[celery_worker.name], timeout=5).registered()[celery_worker.name]

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled
    assert scheduled <= set(registered)


def test_the_worker_refuses_pickled_messages(celery_worker):
    record_heartbeat.apply_async(serializer="pickle")

    assert _wait_for(lambda: "untrusted content of type pickle" in celery_worker.log()), celery_worker.log()
    time.sleep(1)
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.usefixtures("redis")
def test_with_redis_configured_the_worker_takes_its_tasks_from_redis(celery_worker):
    conf = app.control.inspect(destination=[celery_worker.name], timeout=5).conf(with_defaults=True)

    assert conf[celery_worker.name]["broker_url"].startswith("redis://")


@pytest.mark.usefixtures("postgres")
def test_with_postgresql_configured_the_worker_writes_to_the_same_postgresql_database(celery_worker):
    record_heartbeat.delay()

    assert _wait_for(WorkerHeartbeat.objects.exists), celery_worker.log()
    assert connection.vendor == "postgresql"
