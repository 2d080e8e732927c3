"""Benchmark of the HR report pages and the disclosure audit on a large organisation.

    .venv/bin/python bench/reports.py [--people 50000] [--rounds 20] [--responses-per-round 25000]
        [--requests 200] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--redis-url redis://127.0.0.1:6379/0] [--redis-cache-url redis://127.0.0.1:6379/3]

It builds a throwaway database holding a roster, closed rounds of the default questions, and their released
responses, answers, comments and themes, written straight into the tables (COPY) rather than through the
services, which would take hours at this size. It then builds every round's report snapshot as a worker does
at release, starts gunicorn on the database, and times, one request at a time and interleaved, a trivial
logged-in page (the baseline), the HR page of the newest round, the same page with heatmaps by department,
and the list of rounds. Last, it audits the newest round's publication. The machine is shared and noisy, so
the figures to compare between runs are the ratios, not the absolute numbers.

Targets: the round page's and the heatmap's p95 under 300 ms and under 3 times the baseline's p95 (the rounds
list is timed for comparison only); the audit under a minute. The exit status is 1 when one is missed. A quick
run for development:

    .venv/bin/python bench/reports.py --people 5000 --rounds 3 --responses-per-round 2000 --requests 50
"""

import argparse
import io
import json
import math
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submit import (  # noqa: E402
    COMMENT_ENDINGS,
    COMMENT_OPENINGS,
    COMMENT_SENTENCES,
    FIRST_NAMES,
    LAST_NAMES,
    database_url_with_name,
    free_port,
    gunicorn_answers,
    gunicorn_command,
    machine_describe,
    process_running,
    session_cookie,
    throwaway_database,
    wait_for,
)

BENCH_DATABASE = "candor_bench_reports"
SETTINGS_MODULE = "bench.settings"
SEED = 20251126
WARMUP_REQUESTS = 10
REQUEST_TIMEOUT = 120
P95_LIMIT_MS = 300.0
BASELINE_RATIO_LIMIT = 3.0
AUDIT_LIMIT_SECONDS = 60.0

# A long tail on purpose: a few departments, locations and levels are small enough that some of their groups,
# alone or crossed with another attribute, fall under k and must be hidden.
DEPARTMENTS = {
    "Engineering": 30,
    "Sales": 14,
    "Customer Support": 12,
    "Operations": 8,
    "Marketing": 6,
    "Product": 6,
    "Finance": 4,
    "People": 3,
    "Data": 3,
    "IT": 3,
    "Design": 2,
    "Legal": 1,
    "Procurement": 0.6,
    "Security": 0.3,
    "Internal Audit": 0.05,
    "Office of the CEO": 0.008,
}
LOCATIONS = {
    "Berlin": 9,
    "London": 7,
    "Remote": 6,
    "Lisbon": 5,
    "New York": 4,
    "Singapore": 2,
    "Montreal": 1,
    "Nairobi": 0.3,
    "": 0.1,  # not on the roster: reported as "unknown"
}
LEVELS = {"1": 2, "2": 4, "3": 6, "4": 5, "5": 3, "6": 2, "7": 1, "Director": 0.4, "VP": 0.005}
# A growing company: most people joined in the last few years, a few over a decade ago.
MEAN_TENURE_DAYS = 900
LONGEST_TENURE_DAYS = 12 * 365

SKIPPED_ANSWER = 0.10
COMMENTED = 0.20
# The seeded themes' keys and their share of the comments; "other" holds what no theme took.
THEMES = {
    "pressure": 20,
    "targets": 18,
    "productivity": 15,
    "monitoring": 12,
    "quality": 10,
    "job_security": 8,
    "training": 7,
    "other": 10,
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    marker: bytes  # in every good response: a 200 with the login form or an error page would not count
    target: bool = True  # held to the p95 limits; the others are measured for comparison only


@dataclass
class Timings:
    """A page's latencies in seconds, and its first (cold) request."""

    page: Page
    cold: float = math.nan
    latencies: list[float] | None = None

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000


@dataclass(frozen=True)
class AuditResult:
    how: str
    seconds: float
    passed: bool
    detail: str


class RequestFailed(Exception):
    pass


# --- generated data -----------------------------------------------------------------------


def rng_uuid(rng: random.Random) -> uuid.UUID:
    """A random-looking key drawn from the seeded generator, so a second run writes the same rows."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def weighted_picker(weights: dict[str, float], rng: random.Random):
    names, cumulative = list(weights), []
    total = 0.0
    for weight in weights.values():
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(names, cum_weights=cumulative)[0]


def rows_copy(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Stream rows into a model's table with COPY: ten times faster than bulk_create at millions of rows."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def people_seed(count: int, rng: random.Random, today: date) -> list:
    """The roster: users that are employees, each with a Person row, bulk-written without the services' checks."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts import roles
    from accounts.models import User
    from surveys.models import Person
    from surveys.selectors import roster_caches_invalidate

    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    users = User.objects.bulk_create(
        [
            User(email=f"bench-{index:06d}@candor.test", name=rng.choice(names), password=make_password(None))
            for index in range(count)
        ],
        batch_size=5000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=5000
    )
    employee = Group.objects.get(name=roles.EMPLOYEE.group)
    memberships = User.groups.through
    memberships.objects.bulk_create([memberships(user=user, group=employee) for user in users], batch_size=5000)
    department, location, level = (weighted_picker(weights, rng) for weights in (DEPARTMENTS, LOCATIONS, LEVELS))
    people = [
        Person(
            id=rng_uuid(rng),
            user=user,
            department=department(),
            location=location(),
            level=level(),
            start_date=today
            - timedelta(days=min(LONGEST_TENURE_DAYS, 20 + int(rng.expovariate(1 / MEAN_TENURE_DAYS)))),
        )
        for user in users
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    # The cache outlives the database: a roster cached by an earlier run must not be used.
    roster_caches_invalidate()
    return people


def hr_user_create():
    """An HR analyst with an authenticator, as accounts.demo makes one: HR pages need both."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts import roles
    from accounts.services import account_create

    user = account_create(email="hr-bench@candor.test", name="Harper Bench", roles=(roles.HR_ANALYST, roles.EMPLOYEE))
    TOTP.activate(user, generate_totp_secret())
    return user


@dataclass
class RoundPlan:
    """One closed round and what generation needs of it."""

    round: object
    questions: list
    audience: list
    raw: list[dict]  # each audience member's attributes on the opening day


def rounds_create(people: list, count: int, rng: random.Random, now: datetime) -> list[RoundPlan]:
    """Closed monthly rounds, newest closed a week ago, each asking a copy of the default library."""
    from django.utils import timezone

    from surveys import attributes
    from surveys.models import Question, Round, RoundQuestion
    from surveys.questions import question_library_seed
    from surveys.rounds import _question_copy

    question_library_seed()
    library = list(Question.objects.filter(archived=False).order_by("position", "text"))
    plans = []
    for number in range(count):
        opens_at = now - timedelta(days=30 * (count - 1 - number) + 21)
        opened_on = timezone.localdate(opens_at)
        audience = [person for person in people if person.start_date <= opened_on]
        raw = [attributes.raw_attributes(person, opened_on, extra_keys=[]) for person in audience]
        survey_round = Round.objects.create(
            id=rng_uuid(rng),
            title=f"AI tools pulse, {opened_on:%B %Y}",
            intro="How AI tools, usage targets and dashboards work for you this month.",
            state=Round.State.CLOSED,
            opens_at=opens_at,
            closes_at=opens_at + timedelta(days=14),
            k=5,
            comment_threshold=10,
            audience_groups=groups_count(raw),
            audience_size=len(audience),
        )
        questions = RoundQuestion.objects.bulk_create(
            [_question_copy(survey_round, question, position) for position, question in enumerate(library)]
        )
        plans.append(RoundPlan(survey_round, questions, audience, raw))
    return plans


def groups_count(raw: list[dict]) -> dict[str, dict[str, int]]:
    """What surveys.attributes.audience_groups stores, from attributes already read."""
    groups: dict[str, Counter] = defaultdict(Counter)
    for values in raw:
        for key, value in values.items():
            groups[key][value] += 1
    return {key: dict(counter) for key, counter in groups.items()}


def generalized(raw: dict, groups: dict, k: int) -> dict:
    """surveys.attributes.generalized_attributes, on attributes already read."""
    from surveys.attributes import OTHER

    return {key: value if groups[key].get(value, 0) >= k else OTHER for key, value in raw.items()}


def participation_counts_store(plan: RoundPlan, submitted: set[int]) -> None:
    """The counts a closed round keeps (surveys.rounds._participation_counts_store), from the generated turnout."""
    from surveys.models import ParticipationCount

    tally: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for index, values in enumerate(plan.raw):
        for group in [("", ""), *values.items()]:
            tally[group]["invited"] += 1
            tally[group]["submitted"] += index in submitted
    groups = [("", ""), *((key, value) for key, values in plan.round.audience_groups.items() for value in values)]
    ParticipationCount.objects.bulk_create(
        ParticipationCount(
            round=plan.round,
            attribute=key,
            value=value,
            invited=tally[key, value]["invited"],
            submitted=tally[key, value]["submitted"],
        )
        for key, value in groups
    )


class Mood:
    """Answers that differ by department and drift over the rounds, so heatmaps and trends have something to show."""

    def __init__(self, rng: random.Random, rounds: int) -> None:
        self.offsets = {department: rng.gauss(0, 0.35) for department in DEPARTMENTS}
        self.offsets["other"] = 0.0
        self.rounds = rounds

    def mean(self, question, department: str, number: int) -> float:
        from surveys.models import Question

        drift = 0.6 * (number / max(1, self.rounds - 1) - 0.5)
        if question.kind == Question.Kind.RECOMMEND:
            return 6.5 + 2 * self.offsets.get(department, 0.0) + drift
        # Pressure, usage theatre, monitoring and job worries grow over the year; the rest improve a little.
        rising = question.indicator in ("pressure", "usage_theatre", "monitoring", "job_security")
        return 3.0 + self.offsets.get(department, 0.0) + (drift if rising else -drift / 2)


def answer_value(question, mean: float, rng: random.Random) -> int:
    from surveys.models import Question

    if question.kind == Question.Kind.RECOMMEND:
        return min(10, max(0, round(rng.gauss(mean, 2.2))))
    return min(5, max(1, round(rng.gauss(mean, 1.1))))


def comment_text(rng: random.Random) -> str:
    """A workplace comment of one to three sentences (bench.submit's phrases)."""
    sentences = [f"{rng.choice(COMMENT_OPENINGS)} {rng.choice(COMMENT_SENTENCES)}."]
    for _ in range(rng.randint(0, 2)):
        sentence = rng.choice(COMMENT_SENTENCES)
        sentences.append(f"{sentence[0].upper()}{sentence[1:]}.")
    if rng.random() < 0.3:
        sentences.append(rng.choice(COMMENT_ENDINGS))
    return " ".join(sentences)


def sentiment_label(compound: float) -> str:
    from sentiment.scoring import NEGATIVE_BELOW, POSITIVE_ABOVE

    return "negative" if compound <= NEGATIVE_BELOW else "positive" if compound >= POSITIVE_ABOVE else "neutral"


def round_responses_write(plan: RoundPlan, number: int, per_round: int, mood: Mood, rng: random.Random) -> Counter:
    """A closed round's released rows: responses, answers, comments and themes. Returns the rows written."""
    survey_round = plan.round
    chosen = rng.sample(range(len(plan.audience)), min(per_round, len(plan.audience)))
    participation_counts_store(plan, set(chosen))
    groups = survey_round.audience_groups
    responses = [(rng_uuid(rng), generalized(plan.raw[index], groups, survey_round.k)) for index in chosen]
    written = Counter()
    written["responses"] = responses_copy(survey_round, responses, rng)
    written["answers"] = answers_copy(
        plan, responses, lambda question, department: mood.mean(question, department, number), rng
    )
    themes, comments = comments_generate(plan, responses, rng)
    written["comments"] = comments_copy(comments, themes)
    written["themes"] = themes_write(survey_round, themes, comments, survey_round.closes_at.date())
    return written


def responses_copy(survey_round, responses: list[tuple], rng: random.Random) -> int:
    from feedback.models import Response, Stream

    released_on = survey_round.closes_at.date()
    return rows_copy(
        Response,
        ["id", "stream", "round_id", "period", "released_on", "attributes", "receipt_hash"],
        (
            (
                response_id,
                Stream.ROUND,
                survey_round.id,
                "",
                released_on,
                json.dumps(values),
                f"{rng.getrandbits(256):064x}",
            )
            for response_id, values in responses
        ),
    )


def answers_copy(plan: RoundPlan, responses: list[tuple], mean, rng: random.Random) -> int:
    """An answer to every question but the free-text ones, except the few each respondent skipped."""
    from feedback.models import Answer
    from surveys.models import Question

    asked = [question for question in plan.questions if question.kind != Question.Kind.TEXT]
    return rows_copy(
        Answer,
        ["id", "response", "question_id", "value"],
        (
            (rng_uuid(rng), response_id, question.id, answer_value(question, mean(question, values["department"]), rng))
            for response_id, values in responses
            for question in asked
            if rng.random() >= SKIPPED_ANSWER
        ),
    )


def comments_generate(plan: RoundPlan, responses: list[tuple], rng: random.Random) -> tuple[dict, list[tuple]]:
    """Theme ids by key, and a comment (id, response, question, text, compound, theme key) in a fifth of responses."""
    from surveys.models import Question

    texts = [question for question in plan.questions if question.kind == Question.Kind.TEXT]
    commenters = [response_id for response_id, _ in responses if rng.random() < COMMENTED]
    themes = {key: rng_uuid(rng) for key in THEMES}
    # Each round weighs the themes a little differently, so that trends move.
    pick_theme = weighted_picker({key: weight * rng.uniform(0.7, 1.3) for key, weight in THEMES.items()}, rng)
    comments = [
        (
            rng_uuid(rng),
            response_id,
            rng.choice(texts).id,
            comment_text(rng),
            round(max(-1.0, min(1.0, rng.gauss(-0.1, 0.45))), 4),
            pick_theme(),
        )
        for response_id in commenters
    ]
    return themes, comments


def comments_copy(comments: list[tuple], themes: dict) -> int:
    from feedback.models import Comment

    return rows_copy(
        Comment,
        ["id", "response", "question_id", "topic", "text", "compound", "sentiment", "theme_id"],
        (
            (comment_id, response_id, question_id, "", text, compound, sentiment_label(compound), themes[key])
            for comment_id, response_id, question_id, text, compound, key in comments
        ),
    )


def themes_write(survey_round, ids: dict, comments: list, built_on: date) -> int:
    """Theme rows as sentiment.theming stores them: seeded keys stable across rounds, "other" last."""
    from feedback.models import Stream
    from sentiment.models import Theme
    from sentiment.themes_seeds import SEEDS

    seeds = {seed.key: seed for seed in SEEDS}
    members: dict[str, list[float]] = defaultdict(list)
    for *_, compound, key in comments:
        members[key].append(compound)
    named = sorted((key for key in ids if key != "other"), key=lambda key: -len(members[key]))
    rows = []
    for position, key in enumerate([*named, "other"]):
        compounds = members[key]
        labels = Counter(sentiment_label(compound) for compound in compounds)
        seed = seeds.get(key)
        rows.append(
            Theme(
                id=ids[key],
                stream=Stream.ROUND,
                round_id=survey_round.id,
                key=key,
                name=seed.name if seed else "other",
                terms=[stem.rstrip("_") for stem in seed.stems[:5]] if seed else [],
                seeded=seed is not None,
                is_other=seed is None,
                position=position,
                comments=len(compounds),
                respondents=len(compounds),  # one comment per commenting response
                compound=round(statistics.fmean(compounds), 4) if compounds else None,
                negative=labels["negative"],
                neutral=labels["neutral"],
                positive=labels["positive"],
                built_on=built_on,
            )
        )
    Theme.objects.bulk_create(rows)
    return len(rows)


def database_seed(args, rng: random.Random) -> tuple[list[RoundPlan], object, float]:
    """Everything the pages read. Returns the rounds, the HR user and the seconds it took."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    now = timezone.now()
    people = people_seed(args.people, rng, timezone.localdate(now))
    hr_user = hr_user_create()
    print(f"  {len(people):,} people in {time.perf_counter() - started:.1f} s", flush=True)
    plans = rounds_create(people, args.rounds, rng, now)
    mood = Mood(rng, args.rounds)
    written = Counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # a throwaway database: durability buys nothing here
    for number, plan in enumerate(plans):
        written += round_responses_write(plan, number, args.responses_per_round, mood, rng)
        elapsed = time.perf_counter() - started
        print(f"  round {number + 1}/{len(plans)}: {dict(written)} after {elapsed:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # Closed rounds' rows have settled: autovacuum would have set statistics and visibility maps by now.
        cursor.execute("VACUUM ANALYZE")
    return plans, hr_user, time.perf_counter() - started


# --- snapshots, pages, audit --------------------------------------------------------------


def snapshots_build(plans: list[RoundPlan]) -> list[float]:
    """Each round's snapshot, built as the worker does after a release; seconds per round."""
    from reports.services import round_report_refresh

    seconds = []
    for number, plan in enumerate(plans, start=1):
        started = time.perf_counter()
        if round_report_refresh(plan.round.id) is None:
            raise RuntimeError(f"round {plan.round.id} got no snapshot")
        seconds.append(time.perf_counter() - started)
        print(f"  snapshot {number}/{len(plans)}: {seconds[-1]:.1f} s", flush=True)
    return seconds


def bench_cache_keys(redis_cache_url: str, prefix: str) -> list[bytes]:
    """This bench's cache entries (participation suppression, roster caches), by their key prefix."""
    import redis

    return list(redis.Redis.from_url(redis_cache_url).scan_iter(match=f"{prefix}:*", count=1000))


def bench_cache_clear(redis_cache_url: str, prefix: str) -> None:
    """Drop the entries an earlier run left, so that the first requests are really cold."""
    import redis

    keys = bench_cache_keys(redis_cache_url, prefix)
    if keys:
        redis.Redis.from_url(redis_cache_url).delete(*keys)


def pages_of(plans: list[RoundPlan]) -> list[Page]:
    from django.urls import reverse

    newest = max(plans, key=lambda plan: plan.round.opens_at).round
    round_path = reverse("reports:round", args=[newest.id])
    return [
        Page("trivial (baseline)", reverse("bench_trivial"), b"ok"),
        Page("round page", round_path, b'id="indicators"'),
        Page("round, by department", f"{round_path}?by=department", b'id="heatmap-questions"'),
        Page("rounds list", reverse("reports:home"), str(round_path).encode(), target=False),
    ]


def page_timed(connection: HTTPConnection, page: Page, cookie: str) -> float:
    started = time.perf_counter()
    connection.request("GET", page.path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200 or page.marker not in body:
        raise RequestFailed(
            f"GET {page.path}: {response.status}, marker {'found' if page.marker in body else 'missing'}"
        )
    return elapsed


def pages_measure(port: int, pages: list[Page], cookie: str, requests: int, cache_entries) -> tuple[list[Timings], str]:
    """One browser, one request at a time, the pages interleaved so that noise falls on all of them alike.

    Also says whether the cache kept what the warm-up put in it: a flushed cache means recomputed participation.
    """
    connection = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    timings = [Timings(page, latencies=[]) for page in pages]
    try:
        for timing in timings:
            timing.cold = page_timed(connection, timing.page, cookie)
        for _ in range(WARMUP_REQUESTS - 1):
            for timing in timings:
                page_timed(connection, timing.page, cookie)
        warm = cache_entries()
        for _ in range(requests):
            for timing in timings:
                timing.latencies.append(page_timed(connection, timing.page, cookie))
    finally:
        connection.close()
    after = cache_entries()
    kept = "" if after >= warm else f"the cache lost entries during the run ({warm} after warm-up, {after} at the end)"
    return timings, kept


def audit_run(plan: RoundPlan) -> AuditResult:
    """The newest round's disclosure audit: the management command (on the snapshot), or the same steps by hand."""
    from django.core.management import call_command

    command = ROOT / "reports" / "management" / "commands" / "audit_disclosure.py"
    if not command.exists():
        return audit_by_hand(plan)
    output = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("audit_disclosure", str(plan.round.id), stdout=output)
    except Exception as error:  # CommandError when something is recovered: reported, and the bench fails on it
        passed, detail = False, f"{output.getvalue().strip()} {error}"
    else:
        passed, detail = True, output.getvalue().strip()
    return AuditResult("manage.py audit_disclosure", time.perf_counter() - started, passed, detail)


def audit_by_hand(plan: RoundPlan) -> AuditResult:
    """records_build, engine_build over the query space the snapshot uses, every table, then the LP attack.

    reports.audit.audit_records has no max_breakdown, so it would audit pairs the round never publishes.
    """
    from reports import services
    from reports.audit import audit_tables, engine_tables
    from reports.disclosure import QuerySpace, engine_build
    from reports.measures import question_measures, theme_measures
    from reports.records import records_build
    from sentiment.models import Theme

    survey_round = plan.round
    steps = {}
    started = time.perf_counter()
    themes = list(Theme.objects.filter(round_id=survey_round.id))
    records, attributes = records_build(round_id=survey_round.id, themes=themes)
    measures = [measure for question in survey_round.questions.all() for measure in question_measures(question)]
    measures += [measure for theme in themes if not theme.is_other for measure in theme_measures(theme.key)]
    steps["records"] = time.perf_counter() - started
    space = QuerySpace(
        attributes=attributes,
        filterable=attributes,
        max_filters=services.MAX_FILTERS,
        max_breakdown=services.MAX_BREAKDOWN,
    )
    engine = engine_build(
        records=records,
        space=space,
        k=survey_round.k,
        measures=measures,
        comment_threshold=survey_round.comment_threshold,
    )
    steps["engine"] = time.perf_counter() - started - sum(steps.values())
    tables, refused = engine_tables(engine=engine)
    steps["tables"] = time.perf_counter() - started - sum(steps.values())
    report = audit_tables(tables=tables, queries_refused=refused)
    steps["attack"] = time.perf_counter() - started - sum(steps.values())
    seconds = time.perf_counter() - started
    split = ", ".join(f"{name} {value:.1f} s" for name, value in steps.items())
    return AuditResult("reports.audit (engine_tables + audit_tables)", seconds, report.passed, f"{report} ({split})")


# --- output -------------------------------------------------------------------------------


def table_print(timings: list[Timings]) -> None:
    baseline = timings[0]
    header = f"{'page':<22} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95 ratio':>10}"
    print(header)
    print("-" * len(header))
    for timing in timings:
        note = "" if timing.page.target or timing is baseline else "  (no target)"
        print(
            f"{timing.page.name:<22} {timing.cold * 1000:>8.1f} {timing.p50_ms:>8.1f} {timing.p95_ms:>8.1f} "
            f"{timing.p95_ms / baseline.p95_ms:>10.2f}{note}"
        )


def failures(timings: list[Timings], audit: AuditResult) -> list[str]:
    baseline = timings[0].p95_ms
    missed = []
    for timing in (timing for timing in timings[1:] if timing.page.target):
        if timing.p95_ms >= P95_LIMIT_MS:
            missed.append(f"{timing.page.name}: p95 {timing.p95_ms:.0f} ms, limit {P95_LIMIT_MS:.0f} ms")
        if timing.p95_ms >= BASELINE_RATIO_LIMIT * baseline:
            ratio = timing.p95_ms / baseline
            missed.append(f"{timing.page.name}: p95 {ratio:.1f} x the baseline's, limit {BASELINE_RATIO_LIMIT:.0f} x")
    if not audit.passed:
        missed.append(f"audit did not pass: {audit.detail}")
    if audit.seconds >= AUDIT_LIMIT_SECONDS:
        missed.append(f"audit took {audit.seconds:.0f} s, limit {AUDIT_LIMIT_SECONDS:.0f} s")
    return missed


def summary_print(args, counts: dict, seed_seconds: float, snapshot_seconds: list[float], timings, audit) -> list[str]:
    from django.conf import settings

    print()
    print(machine_describe())
    print(
        f"{args.people:,} people, {args.rounds} closed rounds, {counts['responses']:,} responses, "
        f"{counts['answers']:,} answers, {counts['comments']:,} comments; k=5, comment threshold 10"
    )
    print(f"generation: {seed_seconds:.0f} s")
    print(
        f"snapshots (round_report_refresh): median {statistics.median(snapshot_seconds):.1f} s, "
        f"max {max(snapshot_seconds):.1f} s, total {sum(snapshot_seconds):.0f} s"
    )
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, one client, {args.requests} requests per page "
        f"after {WARMUP_REQUESTS} warm-up; CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}; "
        f"cache {settings.REDIS_CACHE_URL}"
    )
    print()
    table_print(timings)
    print("cold = the first request of each page (engine not yet decoded, participation not yet cached).")
    print(f"p95 ratio = the page's p95 / the trivial page's p95 (same run); targets < {P95_LIMIT_MS:.0f} ms and < 3.")
    print()
    print(f"audit of the newest round via {audit.how}: {audit.seconds:.1f} s, {'passed' if audit.passed else 'FAILED'}")
    if audit.detail:
        print(f"  {audit.detail}")
    missed = failures(timings, audit)
    print()
    print("targets: met" if not missed else "targets MISSED:\n  " + "\n  ".join(missed))
    return missed


# --- main ---------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--responses-per-round", type=int, default=25_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    # Other engineers' test runs flush the shared cache database (/1) all the time; a flush in the middle of the
    # measurement would put the participation pattern's recomputation (seconds) back on the request path.
    parser.add_argument("--redis-cache-url", default="redis://127.0.0.1:6379/3", help="a Redis database of its own")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    return parser.parse_args()


def django_configure(database_url: str, redis_url: str, redis_cache_url: str) -> None:
    """Point this process, and gunicorn (it inherits the environment), at the bench database."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_CACHE_URL=redis_cache_url,
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
    )
    import django

    django.setup()


def servers_start(stack: ExitStack, log_dir: Path, workers: int, threads: int) -> int:
    port = free_port()
    log = log_dir / "gunicorn.log"
    web = stack.enter_context(process_running(gunicorn_command(port, workers, threads), log))
    wait_for(lambda: gunicorn_answers(port), web, log, "gunicorn")
    return port


def main() -> int:
    args = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind the cleanup on kill, as on Ctrl-C
    rng = random.Random(SEED)
    with ExitStack() as stack:
        work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="candor-bench-reports-")))
        django_configure(
            database_url_with_name(args.database_url, BENCH_DATABASE), args.redis_url, args.redis_cache_url
        )
        from django.conf import settings
        from django.core.management import call_command
        from django.urls import reverse

        reverse("bench_trivial")  # imports every view now, not after twenty minutes of generation
        stack.enter_context(throwaway_database(args.database_url, BENCH_DATABASE))
        call_command("migrate", interactive=False, verbosity=0)
        cache_location, cache_prefix = settings.REDIS_CACHE_URL, settings.CACHES["default"]["KEY_PREFIX"]
        bench_cache_clear(cache_location, cache_prefix)
        stack.callback(bench_cache_clear, cache_location, cache_prefix)
        print(f"generating {args.people:,} people and {args.rounds} rounds in {BENCH_DATABASE} ...", flush=True)
        plans, hr_user, seed_seconds = database_seed(args, rng)
        print(f"generated in {seed_seconds:.0f} s; building the report snapshots ...", flush=True)
        snapshot_seconds = snapshots_build(plans)
        counts = rows_counted()
        port = servers_start(stack, work_dir, args.workers, args.threads)
        print(f"gunicorn on 127.0.0.1:{port}: timing the pages ...", flush=True)
        timings, cache_note = pages_measure(
            port,
            pages_of(plans),
            session_cookie(hr_user),
            args.requests,
            cache_entries=lambda: len(bench_cache_keys(cache_location, cache_prefix)),
        )
        print("auditing the newest round ...", flush=True)
        audit = audit_run(max(plans, key=lambda plan: plan.round.opens_at))
        missed = summary_print(args, counts, seed_seconds, snapshot_seconds, timings, audit)
        if cache_note:
            print(f"WARNING: {cache_note}; the page figures include recomputations.")
    return 1 if missed else 0


def rows_counted() -> dict[str, int]:
    from feedback.models import Answer, Comment, Response

    return {
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "comments": Comment.objects.count(),
    }


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(f"interrupted: gunicorn stopped, {BENCH_DATABASE} dropped")
