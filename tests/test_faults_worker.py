"""Broker and worker faults: Redis stopped or hung while employees submit and a round closes, a worker SIGKILLed
while it publishes a round.

Everything here is a real process: a redis-server of the test's own (so stopping it leaves the shared one alone),
the web app under gunicorn, Celery workers with beat on a fast clock, all on the PostgreSQL test database.
While a round is open nothing of it is published; at close it is published once, whatever broke: every receipt an
employee got is one published response, every comment scored, themes built, and the pool empty.
"""

import random
import re
import time

import pytest
from django.conf import settings
from django.core.cache import caches

from config.cache import OutageTolerantRedisCache
from feedback.models import Comment, PoolEntry, Response
from feedback.selectors import receipt_status
from reports import pipeline
from reports.models import ReportSnapshot
from sentiment import lexicon
from sentiment.models import Theme
from surveys import rounds, submission
from surveys.forms import field_name
from surveys.models import Participation, Round
from tests import faults, live
from tests.rounds import open_round_with, people

# Real processes on PostgreSQL and Redis; without them (the SQLite run) these skip, under REQUIRE_SERVICES=1 they fail.
needs_services = pytest.mark.usefixtures("postgres", "redis", "transactional_db")

K = 3
# Enough for a publication that takes the worker a noticeable while (a second or more): the kill lands inside it.
SUBMISSIONS = 200
ROUND_PUBLISH = "reports.tasks.round_publish"
SWEEPER = "reports.tasks.publications_due"
OPINIONS = [
    "The usage targets make me open the assistant just to be counted.",
    "The code assistant saves me time on tests, but the dashboard feels like surveillance.",
    "I worry the leaderboard of tokens is used in reviews.",
    "Training on when to use the tools would help more than targets.",
    "The chat tool is great for drafts. The pressure to use it everywhere is not.",
    "Nobody explained who sees the usage dashboard, and that worries me.",
]


def _comment(rng: random.Random) -> str:
    return " ".join(rng.sample(OPINIONS, 3))


def _receipt_code(page: live.Page) -> str | None:
    found = re.search(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}\b", page.body.decode())
    return found.group(0) if found else None


def _browsers(web: live.WebServer, employees) -> list[live.Browser]:
    return [live.Browser(web.port, live.session_cookies(person.user)) for person in employees]


@pytest.fixture(autouse=True)
def _vader_lexicon():
    """The workers score comments as they publish: the lexicon comes from the wheel, offline."""
    if not lexicon.lexicon_installed(settings.NLTK_DATA_DIR):
        lexicon.lexicon_install(settings.NLTK_DATA_DIR)


@pytest.fixture
def own_redis(tmp_path):
    server = faults.RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def processes():
    """Every web server and worker a test starts, stopped at its end whatever happened."""
    started = []
    yield started
    for process in reversed(started):
        process.stop()


def _web_start(env: dict, log_dir) -> live.WebServer:
    """Two single-threaded gunicorn workers, their access log kept for the failure messages."""
    return live.gunicorn_start(env, log_dir, workers=2, threads=1, access_log=True)


def _answer_fields(round: Round, comment: str) -> list[tuple[str, str]]:
    likert, text = round.questions.order_by("position")
    return [(field_name(likert), "4"), (field_name(text), comment), ("action", "submit")]


def _submit_through_the_web(browsers, round: Round, rng: random.Random) -> list[str]:
    receipts = []
    for browser in browsers:
        browser.get(f"/rounds/{round.id}/")
        page = browser.post(f"/rounds/{round.id}/", _answer_fields(round, _comment(rng)))
        assert page.status == 200, page.body[-2000:]
        receipts.append(_receipt_code(page))
    assert all(receipts)
    return receipts


def _published(round: Round) -> bool:
    return ReportSnapshot.objects.filter(round_id=round.id).exists()


def _unpublished_state(round: Round) -> dict:
    """What an open round, or a closed one whose publication has not committed, looks like from the database."""
    round.refresh_from_db()
    return {
        "responses": Response.objects.filter(round_id=round.id).count(),
        "snapshots": ReportSnapshot.objects.filter(round_id=round.id).count(),
        "submitted_count": round.submitted_count,
    }


NOTHING_PUBLISHED = {"responses": 0, "snapshots": 0, "submitted_count": None}


def _publication_problems(round: Round, receipts: list[str]) -> list[str]:
    """Empty when the round was published once and whole: one response per receipt, all scored, themed."""
    round.refresh_from_db()
    responses = Response.objects.filter(round_id=round.id).count()
    comments = Comment.objects.filter(response__round_id=round.id)
    problems = []
    if not responses == len(receipts) == round.submitted_count:
        problems.append(f"{responses} responses, {len(receipts)} receipts, submitted_count {round.submitted_count}")
    if ReportSnapshot.objects.filter(round_id=round.id).count() != 1:
        problems.append("not exactly one report snapshot")
    if comments.count() != len(receipts) or comments.filter(compound__isnull=True).exists():
        problems.append(f"{comments.filter(compound__isnull=True).count()} of {comments.count()} comments unscored")
    if not Theme.objects.filter(round_id=round.id, is_other=False).exists():
        problems.append("no themes built")
    if PoolEntry.objects.filter(round_id=round.id).exists() or Participation.objects.filter(round=round).exists():
        problems.append("sealed entries or participation rows left behind")
    if {receipt_status(code) for code in receipts} != {"published"}:
        problems.append("receipts not all 'published'")
    return problems


def _sweeper_runs(worker: live.Worker) -> int:
    return faults.task_succeeded_count(worker, SWEEPER)


@pytest.mark.services
@needs_services
def test_while_redis_is_down_round_submissions_get_receipts_and_the_round_is_published_once_it_is_back(
    own_redis, processes, tmp_path
):
    rng = random.Random(7)
    env = faults.own_redis_environment(own_redis)
    processes.append(web := _web_start(env, tmp_path))
    processes.append(worker := live.worker_start(env, tmp_path, beat=True))
    employees = people(18)
    round = open_round_with(employees, k=K)
    browsers = _browsers(web, employees)

    receipts = _submit_through_the_web(browsers[:6], round, rng)
    swept = _sweeper_runs(worker)
    live.wait_for(lambda: _sweeper_runs(worker) > swept, what="the sweeper ran on the open round", watching=worker)
    own_redis.stop()
    receipts += _submit_through_the_web(browsers[6:], round, rng)
    open_feedback = browsers[0].post("/feedback/", [("topic", ""), ("text", _comment(rng)), ("action", "submit")])
    open_state = _unpublished_state(round)
    counted = {receipt_status(code) for code in receipts}
    with faults.celery_publishing_to(own_redis.url(0)):
        rounds.round_close(round)  # the publishing task cannot be queued: the sweeper must find the round
    own_redis.start()

    live.wait_for(lambda: _published(round), what="the round published", timeout=120, watching=worker)
    assert open_state == NOTHING_PUBLISHED
    assert counted == {"counted"}
    # Without the cache no monthly limit can be proven: the always-open box refuses rather than let anyone flood it.
    assert open_feedback.status == 403
    assert b"cannot be checked right now" in open_feedback.body
    assert _publication_problems(round, receipts) == []
    assert faults.published_counts(worker) == [len(employees)]


@pytest.mark.services
@needs_services
def test_round_submissions_succeed_quickly_while_redis_hangs_without_answering(own_redis, processes, tmp_path):
    rng = random.Random(11)
    processes.append(web := _web_start(faults.own_redis_environment(own_redis), tmp_path))
    employees = people(2)
    round = open_round_with(employees, k=K)
    browsers = _browsers(web, employees)

    own_redis.freeze()
    try:
        durations, receipts = [], []
        for browser in browsers:
            started = time.monotonic()
            receipts += _submit_through_the_web([browser], round, rng)
            durations.append(time.monotonic() - started)
    finally:
        own_redis.thaw()

    assert {receipt_status(code) for code in receipts} == {"counted"}
    # Seconds (cache reads timing out), not gunicorn's 30-second kill.
    assert max(durations) < 10, web.log_tail()


def _employee_with_password(password: str):
    user = people(1)[0].user
    user.set_password(password)
    user.save()
    return user


def _log_in(web, user, password: str) -> tuple[int, bool]:
    """The login's answer, and whether the browser ends up logged in."""
    browser = live.Browser(web.port)
    browser.get("/accounts/login/")
    answer = browser.post("/accounts/login/", [("login", user.email), ("password", password)])
    return answer.status, browser.get("/me/").status == 200


@pytest.mark.services
@needs_services
def test_while_redis_is_down_logins_are_refused_not_let_through_without_their_rate_limit(
    own_redis, processes, tmp_path
):
    processes.append(web := _web_start(faults.own_redis_environment(own_redis), tmp_path))
    user = _employee_with_password("correct horse battery")

    own_redis.stop()
    refused = _log_in(web, user, "correct horse battery")
    own_redis.start()
    accepted = _log_in(web, user, "correct horse battery")

    assert refused == (429, False), web.log_tail()
    assert accepted == (302, True), web.log_tail()
    assert "Internal Server Error" not in web.log()


def _submit_in_process(employees, round: Round, rng: random.Random) -> list[str]:
    likert, text = round.questions.order_by("position")
    return [
        submission.round_submit(person=person, round=round, answers=[(likert, 4), (text, _comment(rng) * 2)])
        for person in employees
    ]


def _kill_while_publishing(worker: live.Worker, broker_url: str) -> dict[str, dict]:
    """SIGKILL the worker's process group while its publication's transaction is open; returns what it left
    unacknowledged."""
    faults.wait_for_task_received(worker, ROUND_PUBLISH, timeout=60)
    faults.wait_for_write_transaction(watching=worker, timeout=60)
    worker.kill_group()
    in_flight = faults.unacked_tasks(broker_url)
    assert ROUND_PUBLISH in {headers["task"] for headers in in_flight.values()}, worker.log_tail()
    return in_flight


@pytest.mark.services
@needs_services
def test_a_worker_killed_while_publishing_leaves_the_pool_sealed_and_the_redelivered_task_publishes_once(
    own_redis, processes, tmp_path
):
    rng = random.Random(13)
    broker_url = own_redis.url(0)
    env = faults.own_redis_environment(own_redis, CELERY_VISIBILITY_TIMEOUT=60)
    employees = people(SUBMISSIONS)
    round = open_round_with(employees, k=K)
    receipts = _submit_in_process(employees, round, rng)
    with faults.celery_publishing_to(broker_url):
        rounds.round_close(round)

    processes.append(first := live.worker_start(env, tmp_path, name="first"))
    in_flight = _kill_while_publishing(first, broker_url)
    after_kill = _unpublished_state(round)
    sealed_after_kill = PoolEntry.objects.filter(round_id=round.id).count()
    counted_after_kill = {receipt_status(code) for code in receipts}
    # The killed worker's message comes back once its visibility timeout passes; here, without the wait.
    processes.append(recovery := live.worker_start(env, tmp_path, name="recovery"))
    faults.redeliver(broker_url, in_flight)
    live.wait_for(
        lambda: all(faults.task_succeeded(recovery, headers["id"]) for headers in in_flight.values()),
        what="the redelivered task succeeded",
        timeout=120,
        watching=recovery,
    )
    swept_afterwards = pipeline.publications_due()

    assert after_kill == NOTHING_PUBLISHED
    assert sealed_after_kill == SUBMISSIONS
    assert counted_after_kill == {"counted"}
    assert _publication_problems(round, receipts) == []
    assert faults.published_counts(recovery) == [SUBMISSIONS]
    assert swept_afterwards == {"rounds": 0, "months": 0}


def test_without_redis_the_cache_misses_drops_writes_and_refuses_claims():
    nothing_listens = f"redis://127.0.0.1:{live.free_port()}/0"
    cache = OutageTolerantRedisCache(nothing_listens, {"OPTIONS": {"socket_connect_timeout": 0.5}})

    assert cache.get("surveys:roster-names", "read it from the database") == "read it from the database"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("a", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.add("allauth:rl:lock", True) is False
    assert cache.delete("a") is False


@pytest.mark.services
@pytest.mark.usefixtures("redis")
def test_with_redis_configured_the_cache_in_force_tolerates_outages_and_gives_up_within_a_second():
    pool = caches["default"]._cache._get_connection_pool(write=True)

    assert isinstance(caches["default"], OutageTolerantRedisCache)
    assert 0 < pool.connection_kwargs["socket_timeout"] <= 1
    assert 0 < pool.connection_kwargs["socket_connect_timeout"] <= 1
