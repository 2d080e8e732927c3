"""A live Candor for tests and benchmarks: gunicorn and Celery workers as separate processes, and browsers that talk
HTTP to them.

    env = server_environment(database_url=..., queue="candor-live-1234")
    with worker_fresh_start(env, log_dir) as worker, gunicorn_start(env, log_dir) as web:
        browser = Browser(web.port, session_cookies(user))
        page = browser.get("/me/")
        worker.wait_until_idle()

The servers get their whole configuration from the environment they are given (DATABASE_URL, REDIS_URL,
REDIS_CACHE_URL, DJANGO_SETTINGS_MODULE, ...). With tests/live_settings.py (the default) they use a Celery queue
and cache key prefix of their own, so the suite's session worker never takes their tasks.

Every process runs in a session of its own, its output in a log file that a failure to start shows. This module
imports nothing from Django at load time: bench/load.py imports it before it configures Django. tests/faults.py
builds on it to break things (a Redis or PostgreSQL server of a test's own, a worker killed mid-task).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LIVE_SETTINGS = "tests.live_settings"
REQUEST_TIMEOUT = 60
# gunicorn closes an idle keep-alive connection after 2 s; reusing one that old risks a reset mid-request.
KEEP_ALIVE_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The URL of a Django database (e.g. ``connection.settings_dict`` of the test database), for a server."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    credentials = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def server_environment(*, database_url: str, queue: str, settings_module: str = LIVE_SETTINGS, **extra) -> dict:
    """This process's environment, pointed at a database, with a Celery queue and cache prefix named after ``queue``.

    ``queue`` only takes effect with settings that read CANDOR_LIVE_QUEUE (tests/live_settings.py does); give
    the queue the settings module uses otherwise. ``extra`` adds or overrides variables (e.g. DJANGO_CONN_MAX_AGE,
    REDIS_URL, or CANDOR_LIVE_BEAT_SECONDS for a beat on a fast clock).
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url,
        "CANDOR_LIVE_QUEUE": queue,
        "CANDOR_LIVE_CACHE_PREFIX": queue,
        **{name: str(value) for name, value in extra.items()},
    }


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Process:
    """A child process in a session of its own, its output appended to ``log_path``; ``with`` it to stop it after."""

    process: subprocess.Popen
    log_path: Path

    def __enter__(self):
        return self

    def __exit__(self, *exception) -> None:
        self.stop()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """A polite stop (a worker finishes its task first); SIGKILL for it and its children after 30 s."""
        if not self.running():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_group()

    def kill_group(self) -> None:
        """SIGKILL the process and every child it forked: no cleanup, no acknowledgement, no goodbye."""
        with suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class WebServer(Process):
    """gunicorn on a loopback port."""

    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@dataclass
class Worker(Process):
    """A Celery worker process, known to the broker by ``name``, taking tasks from ``queue``."""

    name: str = ""
    queue: str = ""

    def wait_until_idle(self, timeout: float = 180) -> bool:
        """True once the queue is empty and the worker runs, holds and schedules nothing, twice in a row.

        Asks through this process's own broker: only for a worker on the same broker.
        """
        return _worker_wait_until_idle(self.name, self.queue, timeout)


def process_start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    # A session of its own: Ctrl-C in a terminal reaches only the caller, which then stops it in order, and
    # kill_group reaches the process's children too.
    with log_path.open("a") as log_file:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for(
    condition: Callable[[], bool],
    *,
    what: str,
    timeout: float = 60,
    interval: float = 0.2,
    watching: Process | None = None,
) -> None:
    """Poll ``condition`` until it holds; fail at once if the ``watching`` process exits, else after ``timeout``.

    The failure names ``what`` and shows the end of the watched process's log.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if watching is not None and not watching.running():
            raise AssertionError(f"exited while waiting for {what}:\n{watching.log_tail()}")
        if condition():
            return
        time.sleep(interval)
    log = f":\n{watching.log_tail()}" if watching is not None else ""
    raise AssertionError(f"not reached within {timeout}s: {what}{log}")


ProcessT = TypeVar("ProcessT", bound=Process)


def when_ready(process: ProcessT, ready: Callable[[], bool], what: str) -> ProcessT:
    """``process`` once ``ready()`` holds; stopped if it exits first or takes over a minute."""
    try:
        wait_for(ready, what=what, watching=process)
    except BaseException:
        process.stop()
        raise
    return process


def gunicorn_start(
    env: dict, log_dir: Path, *, workers: int = 4, threads: int = 4, access_log: bool = False
) -> WebServer:
    """gunicorn serving config.wsgi on a free loopback port, returned once /healthz answers (with any status).

    Without a control socket: gunicorn 27's default one is a single path per user, shared by every gunicorn the
    user runs. The access log (off by default: it would weigh on a load's figures) goes to gunicorn.log.
    """
    port = free_port()
    options = f"--config config/gunicorn.py --bind 127.0.0.1:{port} --workers {workers} --threads {threads}"
    command = [sys.executable, "-m", "gunicorn", *options.split(), "--no-control-socket"]
    command += [] if access_log else ["--access-logfile", "/dev/null"]
    log_path = log_dir / "gunicorn.log"
    server = WebServer(process_start([*command, "config.wsgi"], env, log_path), log_path, port=port)
    return when_ready(server, lambda: healthz_answers(port), f"gunicorn on port {port}")


def healthz_answers(port: int) -> bool:
    connection = HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        return True
    except (OSError, HTTPException):
        return False
    finally:
        connection.close()


def worker_start(env: dict, log_dir: Path, *, name: str = "worker", concurrency: int = 1, beat: bool = False) -> Worker:
    """A Celery worker on the queue the environment names, logging to ``<name>.log``, returned once it is ready.

    With ``beat``, beat runs inside it (``-B``): on the product's schedule, or every CANDOR_LIVE_BEAT_SECONDS.
    Ready means its log says so, which works whichever broker it was given.
    """
    hostname = f"candor-live-{name}-{uuid.uuid4().hex[:8]}@localhost"
    options = f"--concurrency {concurrency} --loglevel INFO --without-heartbeat --without-mingle --without-gossip"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--hostname", hostname, *options.split()]
    command += ["--queues", env["CANDOR_LIVE_QUEUE"]]
    command += ["--beat", "--schedule", str(log_dir / f"{name}-beat-schedule")] if beat else []
    log_path = log_dir / f"{name}.log"
    worker = Worker(process_start(command, env, log_path), log_path, name=hostname, queue=env["CANDOR_LIVE_QUEUE"])
    return when_ready(worker, lambda: f"{hostname} ready." in worker.log(), f"the Celery worker {hostname}")


def _worker_wait_until_idle(name: str, queue: str, timeout: float) -> bool:
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        inspector = app.control.inspect(destination=[name], timeout=1)
        busy = any((getattr(inspector, state)() or {}).get(name) for state in ("active", "reserved", "scheduled"))
        quiet = 0 if busy or _queue_length(queue) else quiet + 1
        time.sleep(0.2)
    return quiet >= 2


def _queue_length(queue: str) -> int:
    from config.celery_app import app

    with app.connection_for_read() as connection, connection.channel() as channel:
        return channel.queue_declare(queue=queue).message_count


def queue_purge(queue: str) -> None:
    """Drop what an interrupted earlier run left in the queue: it names rows of a database that is gone."""
    from config.celery_app import app

    with app.connection_for_write() as connection, connection.channel() as channel:
        channel.queue_declare(queue=queue)
        channel.queue_purge(queue)


@contextmanager
def tasks_sent_to(queue: str):
    """Send this process's Celery messages (a service's on-commit dispatch, e.g. a round's publication at close) to
    a live worker's queue for a while; Celery reads the default queue each time it routes a message."""
    from config.celery_app import app

    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_default_queue = saved


def worker_fresh_start(env: dict, log_dir: Path) -> Worker:
    """A worker on this process's broker, its queue emptied first."""
    queue_purge(env["CANDOR_LIVE_QUEUE"])
    return worker_start(env, log_dir)


# --- browsers -----------------------------------------------------------------------------------


def session_cookies(user) -> dict[str, str]:
    """A logged-in session for ``user``, stored as django.contrib.auth.login (and so ``client_as``) leaves it.

    Written straight to the session store: four times faster than ``Client.force_login``, which also sends the
    login signals, and it matters when a load test logs in a thousand people.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


@dataclass(frozen=True)
class Page:
    status: int
    body: bytes
    started: float  # time.monotonic() when the request was sent
    elapsed: float  # seconds until the whole body was read


class Browser:
    """One person's browser: a keep-alive connection, its cookies, and the CSRF token Django gave it.

    ``post`` adds the CSRF token from the ``csrftoken`` cookie (Django accepts the unmasked secret), so GET a page
    with a form first, as a browser would. Redirects are answers, not followed (a redirect is how a login answers).
    """

    def __init__(self, port: int, cookies: dict[str, str] | None = None, timeout: float = REQUEST_TIMEOUT):
        self.port, self.timeout = port, timeout
        self.cookies = dict(cookies or {})
        self._connection: HTTPConnection | None = None
        self._last_used = 0.0

    def get(self, path: str) -> Page:
        return self._request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]] | dict) -> Page:
        if "csrftoken" not in self.cookies:
            raise RuntimeError("no CSRF cookie yet: GET a page with a form first")
        items = list(fields.items() if isinstance(fields, dict) else fields)
        return self._request("POST", path, urlencode([("csrfmiddlewaretoken", self.cookies["csrftoken"]), *items]))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _request(self, method: str, path: str, body: str | None = None) -> Page:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self._fresh_connection()
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, HTTPException):
            self.close()
            raise
        self._last_used = time.monotonic()
        self._cookies_keep(response.headers.get_all("Set-Cookie") or [])
        return Page(response.status, content, started, self._last_used - started)

    def _fresh_connection(self) -> HTTPConnection:
        if self._connection is not None and time.monotonic() - self._last_used > KEEP_ALIVE_SECONDS:
            self.close()
        if self._connection is None:
            self._connection = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self._connection

    def _cookies_keep(self, set_cookie_headers: list[str]) -> None:
        jar = SimpleCookie()
        for header in set_cookie_headers:
            jar.load(header)
        self.cookies.update({name: morsel.value for name, morsel in jar.items()})


@dataclass
class FormFields:
    """The hidden inputs (CSRF token left out) and the named buttons of a page's POST forms."""

    hidden: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = FormFields()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name, value = attributes.get("name"), attributes.get("value") or ""
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input" and attributes.get("type") == "hidden":
            self.fields.hidden.append((name, value))
        elif tag == "button":
            self.fields.buttons.append((name, value))


def form_fields(body: bytes) -> FormFields:
    parser = _FormParser()
    parser.feed(body.decode(errors="replace"))
    return parser.fields
