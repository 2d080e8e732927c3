"""Benchmark of employee submissions through gunicorn, PostgreSQL, Redis and a real Celery worker.

    .venv/bin/python bench/submit.py [--clients 1,8,32] [--submissions-per-level 150]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--redis-url redis://127.0.0.1:6379/0]

It builds a throwaway database with one open round, starts gunicorn and a Celery worker on it, and at
each concurrency level times answer submissions (each sealed to the publishing worker's key, with its receipt)
next to a trivial logged-in page. The machine is shared and noisy, so the figures to compare between runs are the
ratios, not the absolute numbers. Target: at 8 and 32 clients, receipts per second at least a quarter of the
trivial page's requests per second (exit status 1 otherwise). Last, it closes the round and times the worker's
publication of it.
"""

import argparse
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from queue import Empty, SimpleQueue
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "candor_bench"
SETTINGS_MODULE = "bench.settings"
BENCH_QUEUE = "candor-bench"
WARMUP_SUBMISSIONS = 32
WARMUP_CLIENTS = 8
# Invited but never answering: no real round is answered by everyone.
SPARE_PEOPLE = 40
REQUEST_TIMEOUT = 60
# The target: submission throughput at least a quarter of a trivial logged-in view's, at 8 and 32 clients.
TARGET_SHARE = 0.25
TARGET_LEVELS = (8, 32)
PUBLICATION_TIMEOUT = 600
RECEIPT_MARKER = b'class="receipt__code"'
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

FIRST_NAMES = """Amara Bogdan Chiara Dmitri Elif Fatima Gustavo Hannah Ines Jonas Kavya Lukas Mei Nadia Oskar Priya
Quentin Rosa Samir Tamsin Ugo Valentina Wiktor Ximena Yusuf Zofia Anders Beatriz Cormac Daniela Emeka Freya Goran
Hiroshi Ingrid Jamal Kerstin Leilani Mateus Nikolai""".split()
LAST_NAMES = """Okafor Novak Rossi Ivanova Yilmaz Haddad Pereira Schmidt Lindqvist Kowalski Sharma Brennan Tanaka
Moreau Andersen Costa Fischer Nakamura Delgado Petrov Mensah Horvath Jansen Quispe Rahman Varga Lopez Byrne Adeyemi
Bjornsson Castillo Dubois Eriksen Fonseca Grabowski Hoffmann Iwasaki Jovanovic Kaur Lindgren""".split()
DEPARTMENTS = {"Engineering": 10, "Sales": 5, "Support": 4, "Marketing": 3, "Finance": 2, "People": 1, "Legal": 0.2}
LOCATIONS = {"Berlin": 6, "Lisbon": 4, "London": 4, "Remote": 3, "Singapore": 1, "Montreal": 0.3}
LEVELS = {"1": 2, "2": 4, "3": 6, "4": 5, "5": 3, "6": 2, "7": 1, "Director": 0.3}

COMMENT_OPENINGS = [
    "Honestly,",
    "To be fair,",
    "Since the rollout,",
    "In my team,",
    "Most weeks,",
    "Speaking for myself,",
    "From what I see in support,",
    "After six months of this,",
]
COMMENT_SENTENCES = [
    "the coding assistant saves me time on boilerplate but I spend as long checking what it wrote",
    "the token dashboard became a leaderboard and people now paste prompts just to move their number",
    "a target of twenty prompts a day makes no sense for work that is mostly meetings and reviews",
    "the summarising tool for long threads is the one thing I would keep if everything else went",
    "nobody has said which client data we may paste into the chatbot, so I avoid it for anything real",
    "the weekly AI adoption chart is shown at the all-hands and it feels like being graded on keystrokes",
    "the assistant invented an API that does not exist and it got shipped before anyone noticed",
    "training was a one-hour video, when what we need is someone showing real examples from our work",
    "my manager asked why my AI usage dropped while I was on holiday, which says a lot about the dashboards",
    "the tools are fine for first drafts of e-mails and documentation, much less for anything with numbers",
    "I worry that the targets are a first step towards cutting headcount and nobody will say otherwise",
    "only half the team has licences, yet everyone is measured against the same usage target",
    "the approved model is two versions behind what I use at home, so the comparison is not flattering",
    "review time went up because generated code looks right at a glance and is wrong in the details",
]
COMMENT_ENDINGS = [
    "Please measure outcomes, not prompts.",
    "I would drop the leaderboard tomorrow.",
    "More guidance, fewer targets.",
    "Ask us what actually helps before setting the next goal.",
    "Happy to keep using it where it makes sense.",
    "The dashboards should go, or at least stop being public.",
]


@dataclass(frozen=True)
class Submission:
    """One employee's answers, sent with that employee's session."""

    cookie: str
    answers: dict[str, str]


@dataclass
class Tally:
    """What one client thread saw: request latencies in seconds, and failures by reason."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)


@dataclass
class Phase:
    """All requests of one kind at one concurrency level."""

    latencies: list[float]
    errors: Counter
    elapsed: float

    @classmethod
    def merged(cls, tallies: list[Tally], elapsed: float) -> "Phase":
        latencies = sorted(latency for tally in tallies for latency in tally.latencies)
        return cls(latencies, sum((tally.errors for tally in tallies), Counter()), elapsed)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else math.nan

    @property
    def p99_ms(self) -> float:
        if not self.latencies:
            return math.nan
        return self.latencies[math.ceil(0.99 * len(self.latencies)) - 1] * 1000


@dataclass
class Level:
    clients: int
    submit: Phase
    trivial: Phase
    form: Phase  # the answer page alone (GET), which every submission starts with


class RequestFailed(Exception):
    pass


# --- the throwaway database ---------------------------------------------------------------


def database_url_with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def database_recreate(admin_url: str, name: str) -> None:
    database_drop(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def throwaway_database(admin_url: str, name: str) -> Iterator[None]:
    from django.db import connections

    database_recreate(admin_url, name)
    try:
        yield
    finally:
        connections.close_all()
        database_drop(admin_url, name)


# --- seeding ------------------------------------------------------------------------------


def people_seed(count: int, rng: random.Random) -> list:
    from accounts import roles
    from accounts.services import account_create
    from surveys.models import Person
    from surveys.selectors import roster_caches_invalidate

    today = date.today()
    people = []
    for index, name in enumerate(names_distinct(count, rng)):
        user = account_create(email=f"bench-{index:04d}@candor.test", name=name, roles=(roles.EMPLOYEE,))
        people.append(
            Person(
                user=user,
                department=weighted_choice(DEPARTMENTS, rng),
                location=weighted_choice(LOCATIONS, rng),
                level=weighted_choice(LEVELS, rng),
                start_date=today - timedelta(days=rng.randint(30, 10 * 365)),
            )
        )
    Person.objects.bulk_create(people)
    # The cache outlives the database: names cached by an earlier run must not be used for redaction.
    roster_caches_invalidate()
    return people


def names_distinct(count: int, rng: random.Random) -> list[str]:
    """A different full name for each person, as on a real roster: redaction work grows with distinct names."""
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    return [names[index % len(names)] for index in range(count)]


def weighted_choice(weights: dict[str, float], rng: random.Random) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def open_round_create(people: list, *, title: str = "AI tools and targets: autumn pulse"):
    """An open round asking the default library, built directly as tests/rounds.py does: each invitation holds the
    person's reporting attributes frozen at open, as surveys.rounds.round_open leaves them."""
    from django.utils import timezone

    from surveys import attributes
    from surveys.models import Invitation, Question, Round, RoundQuestion
    from surveys.questions import question_library_seed

    question_library_seed()
    now = timezone.now()
    survey_round = Round.objects.create(
        title=title,
        intro="Tell us honestly how AI tools, usage targets and dashboards work for you.",
        state=Round.State.OPEN,
        opens_at=now,
        closes_at=now + timedelta(days=14),
        k=5,
        comment_threshold=10,
    )
    RoundQuestion.objects.bulk_create(
        RoundQuestion(
            round=survey_round,
            source=question,
            text=question.text,
            kind=question.kind,
            choices=question.choices,
            required=question.required,
            indicator=question.indicator,
            position=question.position,
        )
        for question in Question.objects.filter(archived=False)
    )
    today = timezone.localdate(now)
    frozen = [attributes.raw_attributes(person, today, extra_keys=[]) for person in people]
    Invitation.objects.bulk_create(
        (
            Invitation(round=survey_round, person=person, attributes=values)
            for person, values in zip(people, frozen, strict=True)
        ),
        batch_size=2000,
    )
    survey_round.audience_groups = attributes.attribute_counts(frozen)
    survey_round.audience_size = len(people)
    survey_round.save()
    return survey_round


def session_cookie(user) -> str:
    """A logged-in session written server-side, as django.contrib.auth.login would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def answers_random(questions: list, rng: random.Random) -> dict[str, str]:
    from surveys.forms import field_name
    from surveys.models import Question
    from surveys.questions import answer_range

    answers = {}
    for question in questions:
        allowed = answer_range(question.kind, question.choices)
        if question.kind == Question.Kind.TEXT:
            answers[field_name(question)] = comment_random(rng)
        elif allowed is not None:
            answers[field_name(question)] = str(rng.choice(allowed))
    return answers


def comment_random(rng: random.Random) -> str:
    """A workplace comment of roughly 100 to 400 characters."""
    target = rng.randint(100, 400)
    sentences = [f"{rng.choice(COMMENT_OPENINGS)} {rng.choice(COMMENT_SENTENCES)}."]
    while len(" ".join(sentences)) < target:
        if rng.random() < 0.3:
            sentences.append(rng.choice(COMMENT_ENDINGS))
        else:
            sentence = rng.choice(COMMENT_SENTENCES)
            sentences.append(f"{sentence[0].upper()}{sentence[1:]}.")
    while len(" ".join(sentences)) > 400:
        sentences.pop()
    return " ".join(sentences)


def submissions_prepare(people: list, survey_round, rng: random.Random) -> list[Submission]:
    questions = list(survey_round.questions.all())
    return [Submission(session_cookie(person.user), answers_random(questions, rng)) for person in people]


# --- gunicorn and the Celery worker -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def process_running(command: list[str], log_path: Path) -> Iterator[subprocess.Popen]:
    # A session of its own: Ctrl-C reaches only this script, which then stops the process in order.
    with log_path.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603 (our own command lines, no outside input)
            command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        process_stop(process)


def process_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    options = f"--config config/gunicorn.py --bind 127.0.0.1:{port} --workers {workers} --threads {threads}"
    return [sys.executable, "-m", "gunicorn", *options.split(), "--access-logfile", "/dev/null", "config.wsgi"]


def worker_command(name: str) -> list[str]:
    options = "--concurrency 1 --loglevel INFO --without-heartbeat --without-mingle --without-gossip"
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "--hostname", name, *options.split()]


def wait_for(check: Callable[[], bool], process: subprocess.Popen, log_path: Path, what: str, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log_tail(log_path)}")
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer within {timeout}s:\n{log_tail(log_path)}")


def gunicorn_answers(port: int) -> bool:
    connection = HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def worker_answers(name: str) -> bool:
    from config.celery_app import app

    return bool(app.control.ping(destination=[name], timeout=1))


def worker_wait_until_idle(name: str, timeout: float = 120) -> bool:
    """True once the queue is empty and the worker has nothing running, twice in a row."""
    from config.celery_app import app

    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        inspector = app.control.inspect(destination=[name], timeout=1)
        busy = (inspector.active() or {}).get(name) or (inspector.reserved() or {}).get(name)
        quiet = 0 if busy or queue_length() else quiet + 1
        time.sleep(0.5)
    return quiet >= 2


def queue_length() -> int:
    from config.celery_app import app

    with app.connection_for_read() as connection, connection.channel() as channel:
        return channel.queue_declare(queue=BENCH_QUEUE).message_count


def log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- the load -----------------------------------------------------------------------------


def http(connection: HTTPConnection, method: str, path: str, cookie: str, body: str | None = None):
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read(), response.headers.get_all("Set-Cookie") or []


def csrf_cookie(set_cookie_headers: list[str]) -> str:
    jar = SimpleCookie()
    for header in set_cookie_headers:
        jar.load(header)
    if "csrftoken" not in jar:
        raise RequestFailed("GET form without a csrftoken cookie")
    return jar["csrftoken"].value


def submit_timed(connection: HTTPConnection, submission: Submission, path: str) -> float:
    """GET the answer page for its CSRF token, then POST the answers; only the POST is timed."""
    status, page, set_cookies = http(connection, "GET", path, submission.cookie)
    if status != 200:
        raise RequestFailed(f"GET form {status}")
    token = CSRF_FIELD.search(page)
    if token is None:
        raise RequestFailed("GET form without a CSRF field")
    cookie = f"{submission.cookie}; csrftoken={csrf_cookie(set_cookies)}"
    body = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "action": "submit", **submission.answers})
    started = time.perf_counter()
    status, page, _ = http(connection, "POST", path, cookie, body)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RequestFailed(f"POST {status}")
    # The form comes back with 200 too when it is invalid: only the receipt page counts.
    if RECEIPT_MARKER not in page:
        raise RequestFailed("POST 200 without a receipt")
    return elapsed


def trivial_timed(connection: HTTPConnection, cookie: str, path: str) -> float:
    return get_timed(connection, cookie, path, "trivial")


def get_timed(connection: HTTPConnection, cookie: str, path: str, what: str) -> float:
    started = time.perf_counter()
    status, _, _ = http(connection, "GET", path, cookie)
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RequestFailed(f"GET {what} {status}")
    return elapsed


def client_loop(port: int, pending: SimpleQueue, timed: Callable, tally: Tally) -> None:
    """One simulated browser: a single keep-alive connection, taking work until none is left."""
    connection = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        while True:
            try:
                item = pending.get_nowait()
            except Empty:
                return
            try:
                tally.latencies.append(timed(connection, item))
            except RequestFailed as failure:
                tally.errors[str(failure)] += 1
            except (OSError, HTTPException) as failure:
                tally.errors[type(failure).__name__] += 1
                connection.close()
    finally:
        connection.close()


def phase_run(port: int, clients: int, items: list, timed: Callable) -> Phase:
    pending = SimpleQueue()
    for item in items:
        pending.put(item)
    tallies = [Tally() for _ in range(clients)]
    threads = [
        threading.Thread(target=client_loop, args=(port, pending, timed, tally), daemon=True) for tally in tallies
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Phase.merged(tallies, time.perf_counter() - started)


def level_run(port: int, clients: int, submissions: list[Submission], answer_path: str, trivial_path: str) -> Level:
    cookies = [submission.cookie for submission in submissions]
    trivial = phase_run(port, clients, cookies, partial(trivial_timed, path=trivial_path))
    form = phase_run(port, clients, cookies, partial(get_timed, path=answer_path, what="form"))
    submit = phase_run(port, clients, submissions, partial(submit_timed, path=answer_path))
    return Level(clients, submit, trivial, form)


# --- checks and output --------------------------------------------------------------------


def consistency_counts(survey_round) -> tuple[int, int, int, int]:
    """Participation rows, sealed pool entries, receipts and published responses of the round, from one snapshot.

    While the round is open nothing is published: every receipt handed out is one sealed entry and one receipt row.
    """
    from django.db import connection, transaction

    from feedback.models import PoolEntry, Receipt, Response, Stream
    from surveys.models import Participation

    group = {"stream": Stream.ROUND, "round_id": survey_round.id}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return (
            Participation.objects.filter(round=survey_round).count(),
            PoolEntry.objects.filter(**group).count(),
            Receipt.objects.filter(**group).count(),
            Response.objects.filter(**group).count(),
        )


def worker_task_counts(log_path: Path) -> tuple[int, int]:
    log = log_path.read_text(errors="replace")
    return log.count("] succeeded in "), log.count("] raised ") + log.count("] retry: ")


def table_print(levels: list[Level]) -> None:
    header = (
        f"{'clients':>7} {'submit/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'trivial/s':>10} {'triv p50':>9} "
        f"{'triv p99':>9} {'form/s':>7} {'form p50':>9} {'p50 ratio':>10} {'tput share':>11} {'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    for level in levels:
        submit, trivial = level.submit, level.trivial
        errors = sum(submit.errors.values()) + sum(trivial.errors.values()) + sum(level.form.errors.values())
        print(
            f"{level.clients:>7} {submit.per_second:>9.1f} {submit.p50_ms:>8.1f} {submit.p99_ms:>8.1f} "
            f"{trivial.per_second:>10.1f} {trivial.p50_ms:>9.1f} {trivial.p99_ms:>9.1f} "
            f"{level.form.per_second:>7.1f} {level.form.p50_ms:>9.1f} "
            f"{ratio(submit.p50_ms, trivial.p50_ms):>10.1f} {throughput_share(level):>11.2f} {errors:>7}"
        )


def throughput_share(level: Level) -> float:
    """Receipts per second as a share of the trivial page's requests per second, at the same level."""
    return ratio(level.submit.per_second, level.trivial.per_second)


def targets_missed(levels: list[Level]) -> list[str]:
    """The issue's target: at 8 and 32 clients, submissions at least a quarter of the trivial page's throughput."""
    return [
        f"{level.clients} clients: submissions {throughput_share(level):.2f} of the trivial page's throughput, "
        f"target {TARGET_SHARE}"
        for level in levels
        if level.clients in TARGET_LEVELS and not throughput_share(level) >= TARGET_SHARE
    ]


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def errors_print(levels: list[Level], label: str = "") -> None:
    for level in levels:
        for kind, phase in (("submit", level.submit), ("trivial", level.trivial), ("form", level.form)):
            for reason, count in phase.errors.items():
                print(f"  {label or f'{level.clients} clients'}, {kind}: {count} x {reason}")


def machine_describe() -> str:
    cores = len(os.sched_getaffinity(0))
    return f"machine: nproc={cores}, date: {datetime.now().astimezone().isoformat(timespec='seconds')}"


# --- main ---------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,8,32", help="concurrency levels, comma-separated")
    parser.add_argument("--submissions-per-level", type=int, default=150)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    args = parser.parse_args()
    args.levels = [int(level) for level in args.clients.split(",") if level.strip()]
    return args


def django_configure(database_url: str, redis_url: str, nltk_dir: str) -> None:
    """Point this process, and the servers it starts (they inherit the environment), at the bench."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        NLTK_DATA=nltk_dir,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from config.celery_app import app

    # A misspelled setting is silently ignored, and this one keeps us off other people's queue.
    if app.conf.task_default_queue != BENCH_QUEUE:
        raise RuntimeError(f"Celery would use the queue {app.conf.task_default_queue!r}, not {BENCH_QUEUE!r}")


def database_prepare(people_count: int, rng: random.Random):
    from django.conf import settings
    from django.core.management import call_command

    from sentiment.lexicon import lexicon_install

    call_command("migrate", interactive=False, verbosity=0)
    # The worker scores released comments, as in production: the lexicon comes from the wheel, offline.
    lexicon_install(Path(settings.NLTK_DATA_DIR))
    people = people_seed(people_count, rng)
    return people, open_round_create(people)


def servers_start(stack: ExitStack, log_dir: Path, workers: int, threads: int) -> tuple[int, str, Path]:
    from config.celery_app import app

    app.control.purge()  # leftovers of an interrupted run would be released into the wrong database
    worker_name = f"candor-bench-{uuid.uuid4().hex[:8]}@localhost"
    worker_log, web_log = log_dir / "worker.log", log_dir / "gunicorn.log"
    worker = stack.enter_context(process_running(worker_command(worker_name), worker_log))
    port = free_port()
    web = stack.enter_context(process_running(gunicorn_command(port, workers, threads), web_log))
    wait_for(lambda: worker_answers(worker_name), worker, worker_log, "the Celery worker")
    wait_for(lambda: gunicorn_answers(port), web, web_log, "gunicorn")
    return port, worker_name, worker_log


def main() -> int:
    args = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind the cleanup on kill, as on Ctrl-C
    rng = random.Random(20251125)
    bench_url = database_url_with_name(args.database_url, BENCH_DATABASE)
    total = args.submissions_per_level * len(args.levels) + WARMUP_SUBMISSIONS
    with ExitStack() as stack:
        work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="candor-bench-")))
        django_configure(bench_url, args.redis_url, str(work_dir / "nltk_data"))
        stack.enter_context(throwaway_database(args.database_url, BENCH_DATABASE))
        print(f"seeding {total + SPARE_PEOPLE} people and an open round in {BENCH_DATABASE} ...", flush=True)
        people, survey_round = database_prepare(total + SPARE_PEOPLE, rng)
        submissions = submissions_prepare(people[:total], survey_round, rng)
        port, worker_name, worker_log = servers_start(stack, work_dir, args.workers, args.threads)
        levels, submitted = load_run(port, survey_round, submissions, args)
        idle = worker_wait_until_idle(worker_name)
        missed = report_print(levels, survey_round, submitted, worker_log, idle, args)
        print("closing the round: the worker publishes it ...", flush=True)
        publication_print(survey_round, submitted)
    phases = [phase for level in levels for phase in (level.submit, level.trivial, level.form)]
    failed_requests = sum(sum(phase.errors.values()) for phase in phases)
    return 1 if failed_requests or missed else 0


def publication_print(survey_round, submitted: int) -> None:
    """Close the round as an admin would and time the worker's one publication (reports.pipeline)."""
    from reports.models import ReportSnapshot
    from surveys.models import Round
    from surveys.rounds import round_close

    started = time.perf_counter()
    round_close(survey_round)
    deadline = started + PUBLICATION_TIMEOUT
    while not ReportSnapshot.objects.filter(round_id=survey_round.id).exists():
        if time.perf_counter() > deadline:
            raise SystemExit(f"publication: not done {PUBLICATION_TIMEOUT} s after the close")
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    published = Round.objects.get(id=survey_round.id).submitted_count
    participations, pooled, receipts, responses = consistency_counts(survey_round)
    print(f"publication by the worker: {seconds:.1f} s after the close; {responses} responses, submitted {published}")
    if not responses == published == submitted == receipts or pooled or participations:
        raise SystemExit("publication: FAILED, the published responses do not match the receipts handed out")


def load_run(port: int, survey_round, submissions: list[Submission], args) -> tuple[list[Level], int]:
    from django.urls import reverse

    answer_path = reverse("surveys:round_answer", args=[survey_round.id])
    trivial_path = reverse("bench_trivial")
    print(f"gunicorn on 127.0.0.1:{port}: warming up ...", flush=True)
    warmup = level_run(port, WARMUP_CLIENTS, submissions[:WARMUP_SUBMISSIONS], answer_path, trivial_path)
    submitted = len(warmup.submit.latencies)
    errors_print([warmup], label="warm-up")
    rest = submissions[WARMUP_SUBMISSIONS:]
    levels = []
    for index, clients in enumerate(args.levels):
        batch = rest[index * args.submissions_per_level : (index + 1) * args.submissions_per_level]
        print(f"  {clients} clients ...", flush=True)
        levels.append(level_run(port, clients, batch, answer_path, trivial_path))
        submitted += len(levels[-1].submit.latencies)
    return levels, submitted


def report_print(levels: list[Level], survey_round, submitted: int, worker_log: Path, idle: bool, args) -> list[str]:
    from django.conf import settings

    print()
    print(machine_describe())
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, Celery worker concurrency 1, "
        f"{survey_round.audience_size} people invited, {survey_round.questions.count()} questions, k={survey_round.k}; "
        "every submission sealed (HPKE X25519 + ChaCha20-Poly1305, padded to the round's size)"
    )
    # The baseline is dominated by opening a database connection when connections are not reused.
    print(f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']} (DJANGO_CONN_MAX_AGE)")
    print()
    table_print(levels)
    errors_print(levels)
    print()
    print("submit/s: receipts per wall-clock second, each after a GET of the form; p50/p99 time the POST only.")
    print("form/s, form p50: the answer page alone (GET), as many requests as submissions, before them.")
    print("p50 ratio = submit p50 / trivial p50; tput share = submit/s / trivial req/s (same level, same run).")
    participations, pooled, receipts, published = consistency_counts(survey_round)
    succeeded, failed = worker_task_counts(worker_log)
    print(f"submissions with a receipt (incl. {WARMUP_SUBMISSIONS} warm-up): {submitted}")
    print(f"participation rows: {participations}; sealed: {pooled}; receipts: {receipts}; published: {published}")
    busy = "" if idle else " (still busy at the end)"
    print(f"worker: {succeeded} tasks succeeded, {failed} failed or retried{busy}")
    if not participations == pooled == receipts == submitted or published:
        raise SystemExit("consistency: FAILED, the database does not match the receipts handed out")
    print("consistency: ok (nothing published while the round is open)")
    missed = targets_missed(levels)
    print(f"target (tput share >= {TARGET_SHARE} at {' and '.join(map(str, TARGET_LEVELS))} clients): ", end="")
    print("met" if not missed else "MISSED:\n  " + "\n  ".join(missed))
    return missed


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(f"interrupted: servers stopped, {BENCH_DATABASE} dropped")
