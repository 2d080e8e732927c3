"""Benchmark of a large organisation's publications at close, their utility, and the HR report pages.

    .venv/bin/python bench/reports.py [--people 50000] [--rounds 5] [--responses-per-round 25000]
        [--requests 200] [--without-audit] [--skip-pages]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--redis-url redis://127.0.0.1:6379/0] [--redis-cache-url redis://127.0.0.1:6379/3]
    .venv/bin/python bench/reports.py --demo

It builds a throwaway database holding a roster and monthly rounds of the default questions. Each round gets what
an open round has at its close: the invitations with the reporting attributes frozen at open, one participation row
per respondent, and the respondents' submissions sealed into the pool by ``feedback.pool.pool_add`` (encrypted to
the publishing worker's key, padded to the round's size), as ``surveys.submission.round_submit`` leaves them.
Each round is then closed and published by ``reports.pipeline.round_publish``, the step the worker runs at close,
and timed: open the pool, k-anonymize, write the responses, score the comments, build the themes, tabulate, audit,
store. The audit (the independent attacker the pipeline calls, ``reports.attacker``) is also timed on its own;
``--without-audit`` replaces it by a pass, to see the rest of the pipeline alone.

Then the utility the k-anonymization leaves: the share of respondents whose department, location, level band and
tenure band survive as their own value (not "other"), and the share of heatmap cells (a breakdown by one of those
attributes, every question) shown. "Before" is the respondents' raw attributes, read as the pipeline opens the
pool, with only the small-group rule (a value with at least k respondents); "after" is the publication.
``--demo`` measures the same on the demo organisation (``manage.py seed_demo``) instead of generated data.

Last it starts gunicorn and times, one request at a time and interleaved, a trivial logged-in page (the baseline),
the newest round's HR page, the same page with heatmaps by department, and the list of rounds. The machine is
shared and noisy, so the figures to compare between runs are the ratios, not the absolute numbers.

Targets (issue 12): every round published within 2 minutes of its close, p95 over the rounds, audit included; the
round page's and the heatmap's p95 under 300 ms and under 3 times the baseline's p95 (the rounds list is timed for
comparison only). The exit status is 1 when one is missed. A quick run for development:

    .venv/bin/python bench/reports.py --people 5000 --rounds 3 --responses-per-round 2000 --requests 50
"""

import argparse
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
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
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
PUBLICATION_LIMIT_SECONDS = 120.0
K = 5
COMMENT_THRESHOLD = 10
HEATMAP_ATTRIBUTES = ("department", "location", "level_band", "tenure_band")

# A long tail on purpose: a few departments, locations and levels are small enough that some of their groups,
# alone or crossed with another attribute, fall under k and must be generalized.
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
        return percentile(self.latencies, 0.95) * 1000


@dataclass
class RoundPlan:
    """One round and what generation needs of it."""

    round: object
    questions: list
    audience: list
    raw: list[dict]  # each audience member's attributes on the opening day


@dataclass
class Audit:
    """One call of the independent attacker: its seconds and what it said."""

    seconds: float
    passed: bool
    summary: str


@dataclass
class Publication:
    """One round's publication, timed."""

    round_id: uuid.UUID
    respondents: int
    seconds: float
    published: bool
    audits: list[Audit] = field(default_factory=list)
    refused: str = ""
    steps: Counter = field(default_factory=Counter)  # seconds per pipeline step

    @property
    def audit_seconds(self) -> float:
        return sum(audit.seconds for audit in self.audits)


@dataclass
class Utility:
    """What the k-anonymization left of the respondents' attributes and of the heatmaps, over some rounds."""

    respondents: int = 0
    survived: Counter = field(default_factory=Counter)  # attribute (or "all four") -> respondents keeping their value
    cells_before: Counter = field(default_factory=Counter)  # "shown" / "all" heatmap cells on raw attributes
    cells_after: Counter = field(default_factory=Counter)  # the same raw values' cells, shown in the publication
    cells_page: Counter = field(default_factory=Counter)  # the publication's own heatmap cells ("other" included)


class RequestFailed(Exception):
    pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


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


def rounds_create(people: list, count: int, rng: random.Random, now: datetime) -> list[RoundPlan]:
    """Monthly rounds, the newest closed a week ago, each asking a copy of the default library, each with its
    invitations and their attributes frozen on the opening day. Left open: they are sealed into, then closed."""
    from django.utils import timezone

    from surveys import attributes
    from surveys.models import Invitation, Question, Round, RoundQuestion
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
            state=Round.State.OPEN,
            opens_at=opens_at,
            closes_at=opens_at + timedelta(days=14),
            k=K,
            comment_threshold=COMMENT_THRESHOLD,
            audience_groups=attributes.attribute_counts(raw),
            audience_size=len(audience),
        )
        questions = RoundQuestion.objects.bulk_create(
            [_question_copy(survey_round, question, position) for position, question in enumerate(library)]
        )
        rows_copy(
            Invitation,
            ["round", "person", "attributes"],
            ((survey_round.id, person.id, json.dumps(values)) for person, values in zip(audience, raw, strict=True)),
        )
        plans.append(RoundPlan(survey_round, questions, audience, raw))
    return plans


def round_size(questions: list) -> int:
    """The padded size of every sealed entry of a round asking these questions (surveys.submission's rule)."""
    from feedback.sealing import padded_size
    from surveys.models import Question
    from surveys.questions import TEXT_MAX_LENGTH

    comments = sum(question.kind == Question.Kind.TEXT for question in questions)
    return padded_size(answers=len(questions) - comments, comment_chars=comments * TEXT_MAX_LENGTH)


def payload_generate(plan: RoundPlan, raw: dict, mean, rng: random.Random) -> dict:
    """What surveys.submission seals: the answers, a comment from a fifth of respondents, the frozen attributes."""
    from surveys.models import Question

    asked = [question for question in plan.questions if question.kind != Question.Kind.TEXT]
    texts = [question for question in plan.questions if question.kind == Question.Kind.TEXT]
    answers = [
        {"question_id": str(question.id), "value": answer_value(question, mean(question, raw["department"]), rng)}
        for question in asked
        if rng.random() >= SKIPPED_ANSWER
    ]
    comments = []
    if texts and rng.random() < COMMENTED:
        comments.append({"question_id": str(rng.choice(texts).id), "text": comment_text(rng)})
    return {"answers": answers, "comments": comments, "attributes": dict(raw)}


def round_submissions_seal(plan: RoundPlan, number: int, per_round: int, mood: "Mood", rng: random.Random) -> int:
    """The respondents' participation rows and sealed submissions, in one transaction. Returns how many."""
    from django.db import transaction

    from feedback.models import Stream
    from feedback.pool import pool_add
    from surveys.models import Participation

    chosen = rng.sample(range(len(plan.audience)), min(per_round, len(plan.audience)))
    size = round_size(plan.questions)
    with transaction.atomic():
        Participation.objects.bulk_create(
            [Participation(round=plan.round, person=plan.audience[index]) for index in chosen], batch_size=5000
        )
        for index in chosen:
            payload = payload_generate(plan, plan.raw[index], lambda q, d: mood.mean(q, d, number), rng)
            pool_add(stream=Stream.ROUND, round_id=plan.round.id, period="", payload=payload, size=size)
    return len(chosen)


def database_seed(args, rng: random.Random) -> tuple[list[RoundPlan], object, float]:
    """The roster, the rounds and their sealed submissions. Returns the rounds, the HR user and the seconds taken."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    now = timezone.now()
    people = people_seed(args.people, rng, timezone.localdate(now))
    hr_user = hr_user_create()
    print(f"  {len(people):,} people in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # a throwaway database: durability buys nothing here
    plans = rounds_create(people, args.rounds, rng, now)
    mood = Mood(rng, args.rounds)
    for number, plan in enumerate(plans):
        sealed = round_submissions_seal(plan, number, args.responses_per_round, mood, rng)
        elapsed = time.perf_counter() - started
        print(f"  round {number + 1}/{len(plans)}: {sealed:,} submissions sealed after {elapsed:.0f} s", flush=True)
    with connection.cursor() as cursor:
        # As autovacuum would have done by the close: statistics and visibility maps are up to date.
        cursor.execute("VACUUM ANALYZE")
    return plans, hr_user, time.perf_counter() - started


# --- publication --------------------------------------------------------------------------


class _NotAudited:
    """Stands for the attacker's report under --without-audit: a pass."""

    passed = True

    def summary(self) -> str:
        return "not audited (--without-audit)"

    def __str__(self) -> str:
        return self.summary()


# The pipeline's steps, timed where reports.pipeline calls them (module globals), so a round's time splits by step.
PIPELINE_STEPS = (
    "pool_take",
    "anonymize",
    "responses_publish",
    "themes_rebuild",
    "_participation",
    "_tabulate",
    "publication_attack",
    "_store",
    "_participation_forget",
)
# Called inside _tabulate: shown as its parts, not added to the total again.
TABULATE_PARTS = ("records_build", "engine_build", "finest_groups")


@dataclass
class PipelineProbe:
    """What the bench reads inside the pipeline: each round's raw respondent attributes as the pool is opened, each
    audit's time and verdict, and the seconds spent in each step."""

    audit: bool
    respondents: dict = field(default_factory=dict)  # round id -> raw attribute dicts
    audits: list[Audit] = field(default_factory=list)
    steps: Counter = field(default_factory=Counter)  # step -> seconds, over every round so far

    @property
    def audit_hooked(self) -> bool:
        from reports import pipeline

        return hasattr(pipeline, "publication_attack")


@contextmanager
def pipeline_probed(probe: PipelineProbe):
    """Wrap reports.pipeline's steps for the probe; put them back after."""
    from reports import pipeline

    saved = {name: getattr(pipeline, name) for name in PIPELINE_STEPS + TABULATE_PARTS if hasattr(pipeline, name)}

    def take(**group):
        payloads = saved["pool_take"](**group)
        probe.respondents[group["round_id"]] = [payload.get("attributes", {}) for payload in payloads]
        return payloads

    def attack(*args, **kwargs):
        started = time.perf_counter()
        report = saved["publication_attack"](*args, **kwargs) if probe.audit else _NotAudited()
        probe.audits.append(Audit(time.perf_counter() - started, report.passed, report.summary()))
        return report

    def timed(name, function):
        def step(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                probe.steps[name] += time.perf_counter() - started

        return step

    special = {"pool_take": take, "publication_attack": attack}
    for name, original in saved.items():
        setattr(pipeline, name, timed(name, special.get(name, original)))
    try:
        yield probe
    finally:
        for name, original in saved.items():
            setattr(pipeline, name, original)


def rounds_publish(plans: list[RoundPlan], probe: PipelineProbe) -> list[Publication]:
    """Close each round, oldest first, and time reports.pipeline.round_publish on it, as the worker runs it."""
    from reports.pipeline import PublicationRefused, round_publish
    from surveys.models import Round

    publications = []
    for number, plan in enumerate(plans, start=1):
        # What surveys.rounds.round_close does, without queueing the task: the bench runs the task's step itself.
        Round.objects.filter(id=plan.round.id).update(state=Round.State.CLOSED)
        audits_before, steps_before = len(probe.audits), Counter(probe.steps)
        started = time.perf_counter()
        refused = ""
        try:
            published = round_publish(plan.round.id) is not None
        except PublicationRefused as error:
            published, refused = False, str(error)
        seconds = time.perf_counter() - started
        publication = Publication(
            round_id=plan.round.id,
            respondents=len(probe.respondents.get(plan.round.id, [])),
            seconds=seconds,
            published=published,
            audits=probe.audits[audits_before:],
            refused=refused,
            steps=probe.steps - steps_before,
        )
        publications.append(publication)
        print(
            f"  round {number}/{len(plans)}: {publication.respondents:,} respondents "
            f"{'published' if published else 'NOT PUBLISHED'} in {seconds:.1f} s "
            f"(audit {publication.audit_seconds:.1f} s over {len(publication.audits)} levels)",
            flush=True,
        )
        print(f"    {steps_describe(publication)}", flush=True)
    return publications


def steps_describe(publication: Publication) -> str:
    """Seconds per pipeline step (summed over every level of anonymization tried), the rest unaccounted."""
    top = Counter({name: seconds for name, seconds in publication.steps.items() if name not in TABULATE_PARTS})
    parts = ", ".join(f"{name} {publication.steps[name]:.1f}" for name in TABULATE_PARTS if name in publication.steps)
    steps = ", ".join(
        f"{name.strip('_')} {seconds:.1f}" + (f" ({parts})" if name == "_tabulate" and parts else "")
        for name, seconds in top.most_common()
    )
    rest = publication.seconds - sum(top.values())
    return f"steps (s): {steps}, other {rest:.1f}"


# --- utility ------------------------------------------------------------------------------


def utility_measure(rounds: Iterable, probe: PipelineProbe) -> Utility:
    """Survival of each attribute, and heatmap cells shown before and after, over the published rounds."""
    from feedback.models import Response
    from reports.anonymize import OTHER
    from reports.models import ReportSnapshot
    from reports.snapshots import publication_load

    utility = Utility()
    for survey_round in rounds:
        snapshot = ReportSnapshot.objects.filter(round_id=survey_round.id).first()
        if snapshot is None:
            continue
        labels = list(Response.objects.filter(round_id=survey_round.id).values_list("attributes", flat=True))
        utility.respondents += len(labels)
        for values in labels:
            kept = [name for name in HEATMAP_ATTRIBUTES if values.get(name, OTHER) != OTHER]
            utility.survived.update(kept)
            utility.survived["all four"] += len(kept) == len(HEATMAP_ATTRIBUTES)
        engine = publication_load(bytes(snapshot.engine)).answers
        raw = probe.respondents.get(survey_round.id, [])
        heatmap_cells_count(engine, raw, survey_round.k, utility)
    return utility


def heatmap_cells_count(engine, raw: list[dict], k: int, utility: Utility) -> None:
    """Each breakdown by one attribute, every answer measure, counted per raw value of the attribute: shown before
    if the value has at least k respondents (the small-group rule alone), shown after if the publication has a column
    of its own for it that is not suppressed. Also the share of the publication's own cells ("other" included) shown.
    """
    from reports.disclosure import Query

    measures = [measure for measure in engine.measures if not measure.comment_derived]
    for name in HEATMAP_ATTRIBUTES:
        sizes = Counter(values.get(name) for values in raw)
        utility.cells_before["all"] += len(sizes) * len(measures)
        utility.cells_before["shown"] += sum(size >= k for size in sizes.values()) * len(measures)
        utility.cells_after["all"] += len(sizes) * len(measures)
        if name not in engine.space.attributes:
            continue
        for measure in measures:
            table = engine.table(Query(measure=measure, rows=name))
            shown = {cell.row for cell in table.cells if cell.row is not None and not cell.suppressed}
            utility.cells_after["shown"] += len(shown & set(sizes))
            utility.cells_page["all"] += len(table.row_values)
            utility.cells_page["shown"] += len(shown)


def utility_print(utility: Utility, where: str) -> None:
    total = utility.respondents
    if not total:
        print(f"utility ({where}): nothing published")
        return
    print(f"utility ({where}), {total:,} published respondents:")
    for name in (*HEATMAP_ATTRIBUTES, "all four"):
        print(f"  {name:<12} kept as its own value (not 'other'): {share(utility.survived[name], total)}")
    before, after = utility.cells_before, utility.cells_after
    page = utility.cells_page
    print("  heatmap cells (one per raw value of an attribute and question) shown:")
    print(f"    before (raw values, shown with >= k respondents):       {share(before['shown'], before['all'])}")
    print(f"    after (a column of its own in the publication, shown):  {share(after['shown'], after['all'])}")
    print(f"  the publication's own heatmap cells ('other' included) shown: {share(page['shown'], page['all'])}")


def share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part:,} of {whole:,})" if whole else "n/a"


# --- pages --------------------------------------------------------------------------------


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


def pages_of(newest) -> list[Page]:
    from django.urls import reverse

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


def publications_print(publications: list[Publication], probe: PipelineProbe) -> None:
    seconds = [publication.seconds for publication in publications]
    respondents = [publication.respondents for publication in publications]
    audit = "audit included" if probe.audit else "audit replaced by a pass (--without-audit)"
    print(
        f"publication (reports.pipeline.round_publish, {audit}), {len(publications)} rounds of "
        f"{min(respondents):,}-{max(respondents):,} respondents: p95 {percentile(seconds, 0.95):.1f} s, "
        f"median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s"
    )
    print(f"  newest round's {steps_describe(publications[-1])}")
    if not probe.audit_hooked:
        print("  audit: not measured (reports.pipeline calls no independent attacker yet)")
    elif probe.audit:
        audits = [publication.audit_seconds for publication in publications]
        levels = [len(publication.audits) for publication in publications]
        print(
            f"  of which the audit (reports.attacker): p95 {percentile(audits, 0.95):.1f} s, "
            f"median {statistics.median(audits):.1f} s; levels of anonymization tried per round: {levels}"
        )
        for audit in publications[-1].audits:
            print(
                f"    newest round, audit {'passed' if audit.passed else 'refused'} in {audit.seconds:.1f} s: "
                f"{audit.summary}"
            )
    for publication in publications:
        if not publication.published:
            print(f"  round {publication.round_id}: nothing published {publication.refused}")


def failures(publications: list[Publication], timings: list[Timings] | None, probe: PipelineProbe) -> list[str]:
    missed = []
    p95 = percentile([publication.seconds for publication in publications], 0.95)
    if p95 >= PUBLICATION_LIMIT_SECONDS:
        missed.append(f"publication p95 {p95:.0f} s, limit {PUBLICATION_LIMIT_SECONDS:.0f} s")
    if not probe.audit:
        missed.append("the audit was left out (--without-audit): the publication target is not tested")
    missed += [f"round {p.round_id} not published" for p in publications if not p.published]
    if timings:
        baseline = timings[0].p95_ms
        for timing in (timing for timing in timings[1:] if timing.page.target):
            if timing.p95_ms >= P95_LIMIT_MS:
                missed.append(f"{timing.page.name}: p95 {timing.p95_ms:.0f} ms, limit {P95_LIMIT_MS:.0f} ms")
            if timing.p95_ms >= BASELINE_RATIO_LIMIT * baseline:
                ratio = timing.p95_ms / baseline
                missed.append(
                    f"{timing.page.name}: p95 {ratio:.1f} x the baseline's, limit {BASELINE_RATIO_LIMIT:.0f} x"
                )
    return missed


def rows_counted() -> dict[str, int]:
    from feedback.models import Answer, Comment, Response
    from sentiment.models import Theme

    return {
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
        "comments": Comment.objects.count(),
        "themes": Theme.objects.count(),
    }


def summary_print(args, seed_seconds: float, publications, probe, utility, timings) -> list[str]:
    from django.conf import settings

    counts = rows_counted()
    print()
    print(machine_describe())
    print(
        f"{args.people:,} people, {args.rounds} rounds; published {counts['responses']:,} responses, "
        f"{counts['answers']:,} answers, {counts['comments']:,} comments, {counts['themes']} themes; "
        f"k={K}, comment threshold {COMMENT_THRESHOLD}"
    )
    print(f"generation (roster, invitations, sealed submissions): {seed_seconds:.0f} s")
    publications_print(publications, probe)
    print()
    utility_print(utility, "generated organisation")
    if timings:
        print()
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, one client, {args.requests} requests per page "
            f"after {WARMUP_REQUESTS} warm-up; CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}; "
            f"cache {settings.REDIS_CACHE_URL}"
        )
        table_print(timings)
        print("cold = the first request of each page (publication not yet decoded, page not yet cached).")
        print(
            f"p95 ratio = the page's p95 / the trivial page's p95 (same run); targets < {P95_LIMIT_MS:.0f} ms and < 3."
        )
    missed = failures(publications, timings, probe)
    print()
    print("targets: met" if not missed else "targets MISSED:\n  " + "\n  ".join(missed))
    return missed


# --- main ---------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--responses-per-round", type=int, default=25_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--without-audit", action="store_true", help="replace the attacker by a pass")
    parser.add_argument("--skip-pages", action="store_true", help="time the publications only")
    parser.add_argument("--demo", action="store_true", help="utility on the demo organisation, nothing else")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    # Other engineers' test runs flush the shared cache database (/1) all the time.
    parser.add_argument("--redis-cache-url", default="redis://127.0.0.1:6379/3", help="a Redis database of its own")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    return parser.parse_args()


def django_configure(database_url: str, redis_url: str, redis_cache_url: str, nltk_dir: Path) -> None:
    """Point this process, and gunicorn (it inherits the environment), at the bench database."""
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_CACHE_URL=redis_cache_url,
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        NLTK_DATA=str(nltk_dir),
        CANDOR_DEMO_DATA_ALLOWED="1",  # a throwaway database: only --demo seeds it
    )
    import django

    django.setup()


def database_ready() -> None:
    from django.conf import settings
    from django.core.management import call_command

    from sentiment.lexicon import lexicon_install

    call_command("migrate", interactive=False, verbosity=0)
    # The publication scores comments, as the worker does: the lexicon comes from the wheel, offline.
    lexicon_install(Path(settings.NLTK_DATA_DIR))


def servers_start(stack: ExitStack, log_dir: Path, workers: int, threads: int) -> int:
    port = free_port()
    log = log_dir / "gunicorn.log"
    web = stack.enter_context(process_running(gunicorn_command(port, workers, threads), log))
    wait_for(lambda: gunicorn_answers(port), web, log, "gunicorn")
    return port


def demo_run(probe: PipelineProbe) -> int:
    """The demo organisation, seeded and published as `manage.py seed_demo` does; its utility."""
    from django.core.management import call_command

    from surveys.models import Round

    started = time.perf_counter()
    with pipeline_probed(probe):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (closed with the process)
    print(f"seed_demo, publication included: {time.perf_counter() - started:.1f} s")
    for audit in probe.audits:
        print(f"  audit {'passed' if audit.passed else 'refused'} in {audit.seconds:.1f} s: {audit.summary}")
    utility_print(utility_measure(Round.objects.filter(state=Round.State.CLOSED), probe), "demo organisation")
    return 0


def main() -> int:
    args = arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind the cleanup on kill, as on Ctrl-C
    rng = random.Random(SEED)
    with ExitStack() as stack:
        work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="candor-bench-reports-")))
        django_configure(
            database_url_with_name(args.database_url, BENCH_DATABASE),
            args.redis_url,
            args.redis_cache_url,
            work_dir / "nltk_data",
        )
        from django.conf import settings
        from django.urls import reverse

        reverse("bench_trivial")  # imports every view now, not after minutes of generation
        stack.enter_context(throwaway_database(args.database_url, BENCH_DATABASE))
        database_ready()
        cache_location, cache_prefix = settings.REDIS_CACHE_URL, settings.CACHES["default"]["KEY_PREFIX"]
        bench_cache_clear(cache_location, cache_prefix)
        stack.callback(bench_cache_clear, cache_location, cache_prefix)
        probe = PipelineProbe(audit=not args.without_audit)
        if args.demo:
            return demo_run(probe)
        print(f"generating {args.people:,} people and {args.rounds} rounds in {BENCH_DATABASE} ...", flush=True)
        plans, hr_user, seed_seconds = database_seed(args, rng)
        print(f"generated in {seed_seconds:.0f} s; closing and publishing each round ...", flush=True)
        with pipeline_probed(probe):
            publications = rounds_publish(plans, probe)
        utility = utility_measure((plan.round for plan in plans), probe)
        timings = None
        newest = plans[-1].round
        if not args.skip_pages and publications[-1].published:
            port = servers_start(stack, work_dir, args.workers, args.threads)
            print(f"gunicorn on 127.0.0.1:{port}: timing the pages ...", flush=True)
            timings, cache_note = pages_measure(
                port,
                pages_of(newest),
                session_cookie(hr_user),
                args.requests,
                cache_entries=lambda: len(bench_cache_keys(cache_location, cache_prefix)),
            )
            if cache_note:
                print(f"WARNING: {cache_note}; the page figures include recomputations.")
        missed = summary_print(args, seed_seconds, publications, probe, utility, timings)
    return 1 if missed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(f"interrupted: gunicorn stopped, {BENCH_DATABASE} dropped")
