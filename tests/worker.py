"""Start a real Celery worker process against the test database and the configured broker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery_app import app
from tests.live import database_url

ROOT = Path(settings.BASE_DIR)


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, name: str, log_path: Path):
        self.process = process
        self.name = name
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited early:\n{self.log()}")
            if app.control.ping(destination=[self.name], timeout=1):
                return
        raise RuntimeError(f"the worker did not answer within {timeout}s:\n{self.log()}")

    def wait_until_idle(self, timeout: float = 180) -> None:
        """Let queued tasks finish before a test's tables are flushed under them."""
        deadline = time.monotonic() + timeout
        quiet_checks = 0
        while time.monotonic() < deadline and quiet_checks < 2:
            inspector = app.control.inspect(destination=[self.name], timeout=1)
            busy = any(
                (getattr(inspector, state)() or {}).get(self.name, []) for state in ("active", "reserved", "scheduled")
            )
            quiet_checks = 0 if busy or _queue_length() else quiet_checks + 1
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _queue_length() -> int:
    with app.connection_for_read() as connection_, connection_.channel() as channel:
        return channel.queue_declare(queue=app.conf.task_default_queue).message_count


def worker_start(log_dir: Path, *, extra_env: dict[str, str] | None = None) -> WorkerProcess:
    name = f"candor-test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--hostname", name]
    command += ["--concurrency", "1", "--loglevel", "INFO", "--without-heartbeat", "--without-mingle"]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    worker = WorkerProcess(process, name, log_path)
    try:
        worker.wait_until_ready()
    except Exception:
        worker.stop()
        raise
    return worker
