"""Load: employees submitting while HR browses, through gunicorn, PostgreSQL, Redis and a real Celery worker.

    .venv/bin/python bench/load.py [--seconds 60] [--employees 32] [--hr 4] [--workers 4] [--threads 4]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--redis-url redis://127.0.0.1:6379/0]
        [--redis-cache-url redis://127.0.0.1:6379/3] [--database-name candor_bench_load]

It builds a throwaway database with a roster, a published round they answered last time and one open round of the
default questions, starts gunicorn and a Celery worker on it, and for the given time runs three kinds of simulated
browsers at once: employees, each answering the open round as a person does (GET the form, POST for the preview,
POST the preview's submit), one after another until the time is up; HR analysts cycling through the published
round's page, its heatmaps by department, its CSV export, the trends and the open round's page (its overall count);
and one probe requesting a trivial logged-in page every 0.1 s. The baseline is that trivial page timed alone, one
request at a time, just before the load (the probe under load mostly measures queueing behind the others).

Then it accounts for every receipt while the round is still open (one participation row, one sealed entry and one
receipt row each, nothing published), closes the round, and times the worker's one publication of it: one
published response per receipt, every receipt then "published".

The machine is shared and noisy, so the figures to compare between runs are the ratios to the baseline. The exit
status is 1 on any server error or failed submission, or when the accounting does not add up.
tests/test_load.py runs the same load with assertions.
"""

import argparse
import math
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from queue import Empty, SimpleQueue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submit import (  # noqa: E402
    answers_random,
    database_url_with_name,
    machine_describe,
    open_round_create,
    throwaway_database,
)
from tests.live import Browser, Page, form_fields, session_cookies, tasks_sent_to  # noqa: E402

BENCH_DATABASE = "candor_bench_load"
SETTINGS_MODULE = "bench.settings"
SEED = 20251127
PROBE_INTERVAL = 0.1
BASELINE_REQUESTS = 40
# How long a person looks at a "try again" page before doing anything else.
THINK_SECONDS = 1.0
# People on the roster per second of load: more than 32 browsers can submit, so nobody runs out of people.
PEOPLE_PER_SECOND = 40
# How many of them answered the round before, published before the load: what HR browses.
PREVIOUS_RESPONDENTS = 200
PREVIEW_MARKER = b"This is exactly what will be stored"
RECEIPT_CODE = re.compile(rb'class="receipt__code"><strong>([^<]+)</strong>')
NOT_STORED_MARKER = b'data-outcome="not-stored"'

RECEIPT, TRY_AGAIN, FAILED = "receipt", "try again", "failed"


@dataclass(frozen=True)
class Employee:
    cookies: dict[str, str]
    answers: dict[str, str]


@dataclass(frozen=True)
class Scenario:
    """What the browsers need: where to go and as whom. Plain data, so it can be built before the servers start."""

    round_id: str
    answer_path: str
    employees: list[Employee]
    hr_cookies: dict[str, str]
    hr_pages: dict[str, str]  # name -> path
    trivial_path: str


@dataclass(frozen=True)
class Request:
    kind: str  # quiet trivial (before the load), trivial, form, preview, submit, resend, hr <page>
    started: float  # seconds since the load began
    elapsed: float
    status: int  # 0: no HTTP answer (connection refused, reset, timeout)


@dataclass
class Attempt:
    """One employee's way through the form, the preview and the submit, and where it ended."""

    employee: Employee
    outcome: str = FAILED
    stage: str = ""
    status: int = 0
    code: str = ""  # the receipt code shown, if any
    answers_kept: bool = False  # a "try again" page carried the typed answers (or came before any were typed)
    page: bytes = b""
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    """What one browser thread saw. Each thread has its own, merged at the end."""

    requests: list[Request] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class Load:
    requests: list[Request]
    attempts: list[Attempt]
    began: float  # time.monotonic() when the load began
    seconds: float
    out_of_people: bool

    def of_kind(self, kind: str) -> list[Request]:
        return [request for request in self.requests if request.kind == kind]

    def server_errors(self) -> list[Request]:
        return [request for request in self.requests if request.status >= 500 or request.status == 0]

    def receipts(self) -> list[str]:
        return [attempt.code for attempt in self.attempts if attempt.outcome == RECEIPT]


@dataclass(frozen=True)
class Latency:
    count: int
    per_second: float
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, requests: list[Request], seconds: float) -> "Latency":
        ordered = sorted(request.elapsed for request in requests if 200 <= request.status < 400)
        if not ordered:
            return cls(0, 0.0, math.nan, math.nan)
        p99 = ordered[math.ceil(0.99 * len(ordered)) - 1]
        return cls(len(ordered), len(ordered) / seconds, statistics.median(ordered) * 1000, p99 * 1000)


@dataclass(frozen=True)
class Accounting:
    """An open round's rows, read from one snapshot."""

    participations: int
    sealed: int
    receipt_rows: int
    published: int
    receipts_missing: int  # receipt codes shown that no receipt row proves


# --- the scenario --------------------------------------------------------------------------------


def scenario_create(*, people: int, rng: random.Random) -> Scenario:
    """A roster of ``people`` employees, a round they answered last time (published), one open round they are invited
    to, their sessions and answers, and an HR analyst."""
    from django.urls import reverse
    from django.utils import timezone

    from bench.reports import hr_user_create, people_seed

    lexicon_ready()
    roster = people_seed(people, rng, timezone.localdate())
    previous = published_round_create(roster[:PREVIOUS_RESPONDENTS], rng)
    survey_round = open_round_create(roster)
    questions = list(survey_round.questions.all())
    employees = [Employee(session_cookies(person.user), answers_random(questions, rng)) for person in roster]
    previous_path = reverse("reports:round", args=[previous.id])
    hr_pages = {
        "round": previous_path,
        "heatmap": f"{previous_path}?by=department",
        "export": reverse("reports:round_export", args=[previous.id, "csv"]),
        "trends": reverse("reports:trends"),
        "open round": reverse("reports:round", args=[survey_round.id]),
    }
    return Scenario(
        round_id=str(survey_round.id),
        answer_path=reverse("surveys:round_answer", args=[survey_round.id]),
        employees=employees,
        hr_cookies=session_cookies(hr_user_create()),
        hr_pages=hr_pages,
        trivial_path=reverse("bench_trivial", urlconf="bench.urls"),  # bench.urls: the servers' URLconf
    )


def lexicon_ready() -> None:
    """The publication scores comments with VADER: its lexicon comes from the wheel, offline."""
    from django.conf import settings

    from sentiment.lexicon import lexicon_install, lexicon_installed

    if not lexicon_installed(settings.NLTK_DATA_DIR):
        lexicon_install(Path(settings.NLTK_DATA_DIR))


def published_round_create(respondents: list, rng: random.Random):
    """A round everyone in ``respondents`` answered through the submission service, closed and published.

    Published here, by the pipeline the worker runs, because the worker is not started yet.
    """
    from django.utils import timezone

    from reports.pipeline import round_publish
    from surveys.forms import RoundAnswerForm
    from surveys.models import Round
    from surveys.submission import round_submit

    survey_round = open_round_create(respondents, title="AI tools and targets: summer pulse")
    questions = list(survey_round.questions.all())
    for person in respondents:
        form = RoundAnswerForm(answers_random(questions, rng), questions=questions)
        if not form.is_valid():
            raise RuntimeError(f"generated answers refused: {form.errors}")
        round_submit(person=person, round=survey_round, answers=form.answers())
    # What surveys.rounds.round_close does, without queueing the publication for a worker that is not there.
    Round.objects.filter(id=survey_round.id).update(state=Round.State.CLOSED, closes_at=timezone.now())
    if round_publish(survey_round.id) is None:
        raise RuntimeError("the previous round was not published")
    return survey_round


# --- the browsers --------------------------------------------------------------------------------


class Clock:
    """The load's time limit, shared by every browser, and when it began."""

    def __init__(self, seconds: float):
        self.began = time.monotonic()
        self.deadline = self.began + seconds

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def since_start(self, page: Page) -> float:
        return page.started - self.began


def step(browser: Browser, tally: Tally, clock: Clock, kind: str, path: str, fields=None) -> Page:
    page = browser.get(path) if fields is None else browser.post(path, fields)
    tally.requests.append(Request(kind, clock.since_start(page), page.elapsed, page.status))
    return page


def attempt_end(attempt: Attempt, stage: str, page: Page, browser: Browser) -> Attempt:
    """Where an attempt stopped: a receipt, a "try again" page (did it keep the answers?) or a failure."""
    attempt.stage, attempt.status, attempt.page, attempt.cookies = stage, page.status, page.body, browser.cookies
    code = RECEIPT_CODE.search(page.body)
    if page.status == 200 and code:
        attempt.outcome, attempt.code = RECEIPT, code.group(1).decode()
    elif page.status == 503 and NOT_STORED_MARKER in page.body:
        attempt.outcome = TRY_AGAIN
        typed = set(attempt.employee.answers.items())
        attempt.answers_kept = stage == "form" or typed <= set(form_fields(page.body).hidden)
    return attempt


def attempt_walk(browser: Browser, attempt: Attempt, walk: Callable[[], Attempt]) -> Attempt:
    """Where ``walk`` took the attempt, or the error that cut its connection; the browser is closed either way."""
    try:
        return walk()
    except (OSError, HTTPException) as error:
        attempt.stage = type(error).__name__
        return attempt
    finally:
        browser.close()


def employee_answer(port: int, path: str, employee: Employee, tally: Tally, clock: Clock) -> Attempt:
    """GET the form, POST the answers for the preview, POST the preview's fields to submit."""
    browser, attempt = Browser(port, employee.cookies), Attempt(employee)

    def walk() -> Attempt:
        page = step(browser, tally, clock, "form", path)
        if page.status != 200:
            return attempt_end(attempt, "form", page, browser)
        page = step(browser, tally, clock, "preview", path, [*employee.answers.items(), ("action", "preview")])
        if page.status != 200 or PREVIEW_MARKER not in page.body:
            return attempt_end(attempt, "preview", page, browser)
        fields = [*form_fields(page.body).hidden, ("action", "submit")]
        return attempt_end(attempt, "submit", step(browser, tally, clock, "submit", path, fields), browser)

    return attempt_walk(browser, attempt, walk)


def employee_resend(port: int, path: str, earlier: Attempt, tally: Tally, clock: Clock) -> Attempt:
    """After a "try again" page: press its "send my answers again" (or start over if it came before the form)."""
    if earlier.stage == "form":
        return employee_answer(port, path, earlier.employee, tally, clock)
    browser, attempt = Browser(port, earlier.cookies), Attempt(earlier.employee)
    fields = form_fields(earlier.page)

    def walk() -> Attempt:
        page = step(browser, tally, clock, "resend", path, [*fields.hidden, fields.buttons[0]])
        if page.status == 200 and PREVIEW_MARKER in page.body:
            submit = [*form_fields(page.body).hidden, ("action", "submit")]
            page = step(browser, tally, clock, "submit", path, submit)
        return attempt_end(attempt, "resend", page, browser)

    return attempt_walk(browser, attempt, walk)


def employee_loop(scenario: Scenario, port: int, pending: SimpleQueue, tally: Tally, clock: Clock) -> None:
    """One person after another at the same desk, until the time is up or nobody is left."""
    while clock.running():
        try:
            employee = pending.get_nowait()
        except Empty:
            return
        attempt = employee_answer(port, scenario.answer_path, employee, tally, clock)
        tally.attempts.append(attempt)
        if attempt.outcome == TRY_AGAIN:
            time.sleep(THINK_SECONDS)  # a person reads the page before anyone else sits down


def hr_loop(scenario: Scenario, port: int, first: int, tally: Tally, clock: Clock) -> None:
    """An HR analyst going round the report pages, each browser starting at a different one."""
    browser = Browser(port, scenario.hr_cookies)
    names = list(scenario.hr_pages)
    turn = first
    while clock.running():
        name = names[turn % len(names)]
        try:
            page = step(browser, tally, clock, f"hr {name}", scenario.hr_pages[name])
        except (OSError, HTTPException):
            tally.requests.append(Request(f"hr {name}", time.monotonic() - clock.began, 0.0, 0))
            page = None
        if page is None or page.status != 200:
            time.sleep(THINK_SECONDS)  # nobody reloads an error page twenty times a second
        turn += 1
    browser.close()


def probe_loop(scenario: Scenario, port: int, tally: Tally, clock: Clock) -> None:
    browser = Browser(port, scenario.hr_cookies)
    while clock.running():
        try:
            step(browser, tally, clock, "trivial", scenario.trivial_path)
        except (OSError, HTTPException):
            tally.requests.append(Request("trivial", time.monotonic() - clock.began, 0.0, 0))
        time.sleep(PROBE_INTERVAL)
    browser.close()


def baseline_measure(scenario: Scenario, port: int, tally: Tally) -> None:
    """The trivial page, one request at a time on a quiet server: what the load's figures are compared with."""
    browser, clock = Browser(port, scenario.hr_cookies), Clock(0)
    for _ in range(BASELINE_REQUESTS):
        step(browser, tally, clock, "quiet trivial", scenario.trivial_path)
    browser.close()


def load_run(scenario: Scenario, port: int, *, seconds: float, employees: int = 32, hr: int = 4) -> Load:
    """Time the baseline, then run every browser for ``seconds`` (attempts under way at the end are finished)."""
    baseline = Tally()
    baseline_measure(scenario, port, baseline)
    pending = SimpleQueue()
    for employee in scenario.employees:
        pending.put(employee)
    clock = Clock(seconds)
    tallies = [Tally() for _ in range(employees + hr + 1)]
    targets = [(employee_loop, (scenario, port, pending, tally, clock)) for tally in tallies[:employees]]
    targets += [(hr_loop, (scenario, port, index, tally, clock)) for index, tally in enumerate(tallies[employees:-1])]
    targets.append((probe_loop, (scenario, port, tallies[-1], clock)))
    threads = [threading.Thread(target=target, args=args, daemon=True) for target, args in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(
        requests=baseline.requests
        + sorted((request for tally in tallies for request in tally.requests), key=lambda r: r.started),
        attempts=[attempt for tally in tallies for attempt in tally.attempts],
        began=clock.began,
        seconds=time.monotonic() - clock.began,
        out_of_people=pending.empty() and clock.running(),
    )


# --- accounting ----------------------------------------------------------------------------------


def accounting(round_id: str, receipt_codes: list[str]) -> Accounting:
    """An open round's participation rows, sealed entries, receipt rows and published responses, from one snapshot,
    and the receipt codes shown that no receipt row proves."""
    from django.db import connection, transaction

    from feedback.models import PoolEntry, Receipt, Response, Stream
    from feedback.selectors import receipt_hash
    from surveys.models import Participation

    group = {"stream": Stream.ROUND, "round_id": round_id}
    with transaction.atomic():
        # Submissions may be under way: one snapshot, or a submission could be counted in one table and not another.
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        receipts = Receipt.objects.filter(**group)
        proven = set(receipts.values_list("code_hash", flat=True))
        return Accounting(
            participations=Participation.objects.filter(round_id=round_id).count(),
            sealed=PoolEntry.objects.filter(**group).count(),
            receipt_rows=len(proven),
            published=Response.objects.filter(**group).count(),
            receipts_missing=sum(receipt_hash(code) not in proven for code in receipt_codes),
        )


def accounting_problems(account: Accounting, receipts: int) -> list[str]:
    """Empty when every receipt shown is stored, sealed, once, and nothing of the open round is published."""
    problems = []
    if account.participations != receipts:
        problems.append(f"{account.participations} participation rows for {receipts} receipts")
    if not account.sealed == account.receipt_rows == account.participations:
        problems.append(
            f"{account.sealed} sealed, {account.receipt_rows} receipt rows, {account.participations} took part"
        )
    if account.published:
        problems.append(f"{account.published} responses published while the round is open")
    if account.receipts_missing:
        problems.append(f"{account.receipts_missing} receipt codes shown but stored nowhere")
    return problems


def publication_run(round_id: str, queue: str, *, timeout: float = 600) -> float:
    """Close the round as an admin would, its publication queued for the worker on ``queue``; the seconds until the
    worker has published it."""
    from reports.models import ReportSnapshot
    from surveys.models import Round
    from surveys.rounds import round_close

    started = time.monotonic()
    with tasks_sent_to(queue):
        round_close(Round.objects.get(id=round_id))
    while not ReportSnapshot.objects.filter(round_id=round_id).exists():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"the round was not published within {timeout:.0f} s of its close")
        time.sleep(0.2)
    return time.monotonic() - started


def publication_problems(round_id: str, receipt_codes: list[str]) -> list[str]:
    """Empty when the closed round was published once and whole: one response per receipt, each receipt
    "published", nothing left sealed and nobody's participation kept."""
    from feedback.models import PoolEntry, Response, Stream
    from feedback.selectors import receipt_status
    from surveys.models import Participation, Round

    group = {"stream": Stream.ROUND, "round_id": round_id}
    responses = Response.objects.filter(**group).count()
    submitted = Round.objects.get(id=round_id).submitted_count
    problems = []
    if not responses == len(receipt_codes) == submitted:
        problems.append(f"{responses} responses published, {len(receipt_codes)} receipts, submitted_count {submitted}")
    if PoolEntry.objects.filter(**group).exists() or Participation.objects.filter(round_id=round_id).exists():
        problems.append("sealed entries or participation rows left after the publication")
    statuses = Counter(receipt_status(code) for code in receipt_codes)
    if set(statuses) - {"published"}:
        problems.append(f"receipt statuses after publication: {dict(statuses)}")
    return problems


# --- output --------------------------------------------------------------------------------------


def figures_print(load: Load, kinds: list[str]) -> None:
    baseline = Latency.of(load.of_kind("quiet trivial"), load.seconds)
    header = (
        f"{'requests':<14} {'count':>6} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'p50 ratio':>10} {'p99 ratio':>10}"
    )
    print(header)
    print("-" * len(header))
    for kind in kinds:
        requests = load.of_kind(kind)
        # The quiet requests ran one after another before the load: their rate is over their own time.
        seconds = sum(request.elapsed for request in requests) if kind == "quiet trivial" else load.seconds
        latency = Latency.of(requests, seconds)
        print(
            f"{kind:<14} {latency.count:>6} {latency.per_second:>7.1f} {latency.p50_ms:>8.1f} {latency.p99_ms:>8.1f} "
            f"{latency.p50_ms / baseline.p50_ms:>10.1f} {latency.p99_ms / baseline.p99_ms:>10.1f}"
        )
    statuses = Counter((request.kind, request.status) for request in load.requests if request.status != 200)
    for (kind, status), count in sorted(statuses.items()):
        print(f"  {kind}: {count} x HTTP {status or 'no answer'}")


def load_kinds(load: Load) -> list[str]:
    order = ["quiet trivial", "trivial", "form", "preview", "submit", "resend"]
    return [kind for kind in order if load.of_kind(kind)] + sorted({r.kind for r in load.requests} - set(order))


# --- main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--employees", type=int, default=32, help="employee browsers at once")
    parser.add_argument("--hr", type=int, default=4, help="HR browsers at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-name", default=BENCH_DATABASE, help="the throwaway database, dropped at the end")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--redis-cache-url", default="redis://127.0.0.1:6379/3", help="a Redis database of its own")
    return parser.parse_args()


def django_configure(args, nltk_dir: Path) -> dict:
    """Point this process at the bench database; returns the environment the servers are started with."""
    os.environ.update(
        DATABASE_URL=database_url_with_name(args.database_url, args.database_name),
        REDIS_URL=args.redis_url,
        REDIS_CACHE_URL=args.redis_cache_url,
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        NLTK_DATA=str(nltk_dir),
    )
    import django

    django.setup()
    from django.conf import settings

    # bench.settings names the queue and cache prefix itself; CANDOR_LIVE_QUEUE tells tests.live which it is.
    os.environ["CANDOR_LIVE_QUEUE"] = settings.CELERY_TASK_DEFAULT_QUEUE
    return dict(os.environ)


def database_prepare(people: int) -> Scenario:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return scenario_create(people=people, rng=random.Random(SEED))


def main() -> int:
    from tests.live import gunicorn_start, worker_fresh_start

    args = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind the cleanup on kill, as on Ctrl-C
    with ExitStack() as stack:
        work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="candor-bench-load-")))
        env = django_configure(args, work_dir / "nltk_data")
        stack.enter_context(throwaway_database(args.database_url, args.database_name))
        people = max(300, int(args.seconds * PEOPLE_PER_SECOND))
        print(f"seeding {people} people, a published round, an open round and sessions ...", flush=True)
        scenario = database_prepare(people)
        worker = stack.enter_context(worker_fresh_start(env, work_dir))
        web = stack.enter_context(gunicorn_start(env, work_dir, workers=args.workers, threads=args.threads))
        print(f"gunicorn on 127.0.0.1:{web.port}: {args.employees} employees and {args.hr} HR for {args.seconds:.0f} s")
        load = load_run(scenario, web.port, seconds=args.seconds, employees=args.employees, hr=args.hr)
        account = accounting(scenario.round_id, load.receipts())
        print("closing the round: the worker publishes it ...", flush=True)
        publication_seconds = publication_run(scenario.round_id, worker.queue)
        published = publication_problems(scenario.round_id, load.receipts())
        return report_print(args, scenario, load, account, publication_seconds, published)


def report_print(args, scenario: Scenario, load: Load, account: Accounting, publication_seconds, published) -> int:
    from django.conf import settings

    receipts = load.receipts()
    print()
    print(machine_describe())
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, Celery worker concurrency 1, "
        f"CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}; {len(scenario.employees)} people invited; "
        f"{args.employees} employee and {args.hr} HR browsers, {load.seconds:.1f} s"
    )
    print()
    figures_print(load, load_kinds(load))
    print()
    print("per s: successful requests per second of load (quiet trivial: one at a time, before the load).")
    print("trivial: the same page from a probe every 0.1 s under the load, which mostly measures queueing.")
    print("p50/p99 ratio: against the quiet trivial page's, timed alone just before the load on the same servers.")
    print("hr round, heatmap, export: the round published before the load; hr open round: the open round's count.")
    print(f"receipts: {len(receipts)} ({len(receipts) / load.seconds:.1f}/s) of {len(load.attempts)} attempts")
    if load.out_of_people:
        print("WARNING: every person had answered before the time was up")
    print(
        f"while open: participation rows {account.participations}; sealed {account.sealed}; "
        f"receipt rows {account.receipt_rows}; published {account.published}"
    )
    problems = accounting_problems(account, len(receipts)) + published
    failed = len(load.attempts) - len(receipts)
    errors = len(load.server_errors())
    print(f"publication by the worker: {publication_seconds:.1f} s after the close")
    print(f"server errors: {errors}; attempts without a receipt: {failed}")
    print("accounting: ok" if not problems else "accounting FAILED: " + "; ".join(problems))
    return 1 if problems or errors or failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped, the throwaway database dropped")
