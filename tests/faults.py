"""What a fault test breaks, on top of tests/live.py: a Redis server or a PostgreSQL cluster of the test's own (so
stopping one leaves the machine's shared servers alone), a worker SIGKILLed mid-task (inside its transaction), and
the Celery messages it left unacknowledged.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import environ
import redis as redis_client
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

from config.celery_app import app
from tests import live

# Every beat entry fires this often instead of every few minutes, so a test sees the sweepers at work.
FAST_BEAT_SECONDS = 2


# --- a Redis server of one's own ----------------------------------------------------------------


class RedisServer:
    """A throwaway redis-server without persistence: stopping it loses whatever it held, as a crash would."""

    def __init__(self, work_dir: Path):
        self.port = live.free_port()
        self.work_dir = work_dir
        self.server: live.Process | None = None

    def url(self, database: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.work_dir)]
        log_path = self.work_dir / "redis.log"
        server = live.Process(live.process_start(command, dict(os.environ), log_path), log_path)
        self.server = live.when_ready(server, self._answers, f"redis-server on port {self.port}")

    def stop(self) -> None:
        self.server.stop()

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing answers (a hung server, a black-holed network)."""
        os.kill(self.server.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.server.process.pid, signal.SIGCONT)

    def _answers(self) -> bool:
        try:
            return redis_client.Redis.from_url(self.url(0), socket_timeout=1).ping()
        except redis_client.RedisError:
            return False


def own_redis_environment(redis: RedisServer, **extra) -> dict:
    """Servers on the test database with their broker (db 0) and cache (db 1) on ``redis``.

    Their queue is this process's, so that what a test publishes here (``celery_publishing_to``) reaches them, and
    their beat, if any, runs on a fast clock.
    """
    return live.server_environment(
        database_url=live.database_url(connection.settings_dict),
        queue=app.conf.task_default_queue,
        REDIS_URL=redis.url(0),
        REDIS_CACHE_URL=redis.url(1),
        CANDOR_LIVE_BEAT_SECONDS=FAST_BEAT_SECONDS,
        **extra,
    )


@contextlib.contextmanager
def celery_publishing_to(broker_url: str):
    """Send this process's Celery messages (a service's on-commit dispatch) to another broker for a while."""
    saved = app.conf.broker_url
    app.conf.broker_url = broker_url
    _publishing_pools_reset()
    try:
        yield
    finally:
        app.conf.broker_url = saved
        _publishing_pools_reset()


def _publishing_pools_reset() -> None:
    # What Celery itself does after a fork: the next publish opens connections from the current broker_url.
    app._pool = None
    app.amqp._producer_pool = None


# --- workers killed mid-task --------------------------------------------------------------------


def wait_for_task_received(worker: live.Worker, task_name: str, *, timeout: float) -> None:
    """Poll the worker's log closely: the moment it takes a task is the moment to kill it."""
    live.wait_for(
        lambda: f"Task {task_name}[" in worker.log(),
        what=f"{task_name} received",
        timeout=timeout,
        interval=0.01,
        watching=worker,
    )


def wait_for_write_transaction(*, watching: live.Worker, timeout: float) -> None:
    """Poll closely until another connection to this database holds a transaction that has written or locked rows
    (it has a transaction id): a kill now lands inside it, before its commit."""
    live.wait_for(
        _write_transaction_open,
        what="a write transaction open on the database",
        timeout=timeout,
        interval=0.01,
        watching=watching,
    )


def _write_transaction_open() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_xid IS NOT NULL"
        )
        return cursor.fetchone()[0] > 0


def published_counts(worker: live.Worker) -> list[int]:
    """What each publication the worker committed said it published (reports.pipeline logs a count, never text).

    The line is written inside the publishing transaction: in the log of a worker killed mid-publication it may
    stand for a publication that was rolled back.
    """
    return [int(count) for count in re.findall(r"reports\.pipeline published: (\d+) respondents", worker.log())]


def task_succeeded(worker: live.Worker, task_id: str) -> bool:
    return re.search(rf"\[{re.escape(task_id)}\] succeeded", worker.log()) is not None


def task_succeeded_count(worker: live.Worker, task_name: str) -> int:
    return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", worker.log()))


def unacked_tasks(broker_url: str) -> dict[str, dict]:
    """Messages a worker took but never acknowledged (kombu's Redis ``unacked`` hash): tag -> task headers."""
    client = redis_client.Redis.from_url(broker_url)
    unacked = {}
    for tag, stored in client.hgetall("unacked").items():
        message, _exchange, _routing_key = json.loads(stored)
        unacked[tag.decode()] = message["headers"]
    return unacked


def redeliver(broker_url: str, tags) -> None:
    """Put unacknowledged messages back on their queue: what kombu does once the visibility timeout has passed."""
    with app.connection_for_write(broker_url) as broker:
        for tag in tags:
            broker.default_channel.qos.restore_by_tag(tag)


# --- a PostgreSQL cluster of one's own ----------------------------------------------------------


def postgres_bin_dir() -> Path | None:
    """The newest installed server's programs (initdb, pg_ctl), or None when no server is installed."""
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return installed[-1].parent if installed else None


@dataclass
class PostgresCluster:
    """A throwaway cluster run by the ``postgres`` OS user, on a loopback port, trusting local connections.

    Stopping and restarting it leaves the machine's shared server alone.
    """

    bin_dir: Path
    directory: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Returns once the server accepts connections."""
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.directory / "server.log"))

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-t", "60", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("restart", "-w", "-t", "60", "-m", mode, "-l", str(self.directory / "server.log"))

    def log_tail(self, lines: int = 40) -> str:
        log = self.directory / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def _pg_ctl(self, *arguments: str) -> None:
        _as_postgres(self.bin_dir / "pg_ctl", "-D", str(self.data_dir), *arguments)


def _as_postgres(program: Path, *arguments: str) -> None:
    command = [str(program), *arguments]
    if os.geteuid() == 0:  # the server refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def cluster_create(bin_dir: Path) -> PostgresCluster:
    """initdb a new cluster in a temporary folder and start it. Durability settings are relaxed (fsync off): a
    restart still keeps every committed transaction, only a machine crash could lose one."""
    directory = Path(tempfile.mkdtemp(prefix="candor-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, user="postgres", group="postgres")
    cluster = PostgresCluster(bin_dir, directory, live.free_port())
    _as_postgres(bin_dir / "initdb", "-D", str(cluster.data_dir), "-U", "postgres", "-A", "trust", "--no-sync")
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": cluster.port,
        "unix_socket_directories": f"'{directory}'",
        "fsync": "off",
        "full_page_writes": "off",
        "max_connections": 100,
    }
    with (cluster.data_dir / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
    cluster.start()
    return cluster


def cluster_remove(cluster: PostgresCluster) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        cluster.stop(mode="immediate")
    shutil.rmtree(cluster.directory, ignore_errors=True)


@contextlib.contextmanager
def cluster_running(bin_dir: Path) -> Iterator[PostgresCluster]:
    cluster = cluster_create(bin_dir)
    try:
        yield cluster
    finally:
        cluster_remove(cluster)


@contextlib.contextmanager
def default_database_at(url: str) -> Iterator[None]:
    """Point this process's ``default`` database connection at ``url`` (same engine), then back.

    For seeding and checking a database the servers use that is not the test database, e.g. a cluster of
    one's own. In a pytest test, call it inside ``django_db_blocker.unblock()``.
    """
    default = connections["default"]
    saved = dict(default.settings_dict)
    target = environ.Env.db_url_config(url)
    default.close()
    default.settings_dict.update({key: target[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
    # Content types have other ids there; the change log writes them, so neither database may use the other's.
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        default.close()
        default.settings_dict.clear()
        default.settings_dict.update(saved)
        ContentType.objects.clear_cache()
