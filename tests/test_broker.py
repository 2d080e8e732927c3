"""The filesystem queue of a run without Redis: a worker never reads a message that is still being written."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from kombu import Connection

from config import broker


@pytest.fixture
def channel(tmp_path):
    folders = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "control_folder": str(tmp_path)}
    with Connection("filesystem://localhost/", transport=broker.FilesystemTransport, transport_options=folders) as conn:
        yield conn.default_channel


def test_a_message_reaches_the_queue_only_once_it_is_written_whole(channel, monkeypatch):
    queued_while_writing = []
    replace = os.replace

    def replace_after_looking(source, destination):
        queued_while_writing.append(channel._size("tasks"))
        replace(source, destination)

    monkeypatch.setattr(broker.os, "replace", replace_after_looking)

    channel._put("tasks", {"body": "ids only"})

    assert queued_while_writing == [0]
    assert channel._size("tasks") == 1
    assert channel._get("tasks") == {"body": "ids only"}


def _transport_in_a_fresh_process(**env_overrides: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CANDOR_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": "", **env_overrides}
    program = "from config.celery_app import app; print(app.connection_for_write().get_transport_cls())"
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip() or result.stderr


def test_celery_uses_this_transport_without_redis_and_redis_with_it():
    assert "config.broker.FilesystemTransport" in _transport_in_a_fresh_process(REDIS_URL="")
    assert "kombu.transport.redis.Transport" in _transport_in_a_fresh_process(REDIS_URL="redis://127.0.0.1:6379/0")
