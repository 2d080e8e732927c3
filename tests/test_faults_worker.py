"""Broker and worker faults: Redis stopped while employees submit, a worker SIGKILLed mid-batch, beat away at close.

Everything here is a real process: a redis-server of the test's own (so stopping it leaves the shared one alone),
the web app under gunicorn, Celery workers with beat on a fast clock, all on the PostgreSQL test database.
Nothing may be lost, nothing done twice: every receipt an employee got is a pool entry or a released response,
and every released comment is scored exactly once (each scoring run logs how many comments it scored).
"""

import random
import re
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from config.cache import OutageTolerantRedisCache
from feedback.models import Comment, PoolEntry, Response
from feedback.selectors import receipt_hash, receipt_status
from sentiment.selectors import unthemed_groups
from surveys import submission
from surveys.forms import field_name
from surveys.models import Participation, ParticipationCount, Round
from tests import faults, live
from tests.rounds import open_round_with, people

# Real processes on PostgreSQL and Redis; without them (the SQLite run) these skip, under REQUIRE_SERVICES=1 they fail.
needs_services = pytest.mark.usefixtures("postgres", "redis", "transactional_db")

K = 3
# Enough for a release and a scoring run that take the worker a noticeable while (about a second each).
SUBMISSIONS = 160
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


def _comments_of(round: Round):
    return Comment.objects.filter(response__round_id=round.id)


def _receipt_hashes(rows) -> set[str]:
    return set(rows.values_list("receipt_hash", flat=True))


def _caught_up(round: Round) -> bool:
    released = _comments_of(round)
    pooled = PoolEntry.objects.filter(round_id=round.id).count()
    return (
        pooled < 2 * K
        and released.exists()
        and not released.filter(compound__isnull=True).exists()
        and not unthemed_groups()
    )


@pytest.mark.services
@needs_services
def test_submissions_succeed_while_redis_is_down_and_the_sweepers_catch_up_once_it_is_back(
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
    own_redis.stop()
    receipts += _submit_through_the_web(browsers[6:], round, rng)
    time.sleep(2 * faults.FAST_BEAT_SECONDS)  # beat, too, finds the broker gone
    assert Response.objects.filter(round_id=round.id).count() <= 6
    own_redis.start()

    live.wait_for(lambda: _caught_up(round), what="the sweepers caught up", timeout=90, watching=worker)
    released = Response.objects.filter(round_id=round.id)
    pooled = PoolEntry.objects.filter(round_id=round.id)
    assert Participation.objects.filter(round=round).count() == len(employees)
    assert released.count() + pooled.count() == len(employees)
    assert _receipt_hashes(released) | _receipt_hashes(pooled) == {receipt_hash(code) for code in receipts}
    assert sum(faults.scored_counts(worker)) == _comments_of(round).count()


@pytest.mark.services
@needs_services
def test_submissions_succeed_quickly_while_redis_hangs_without_answering(own_redis, processes, tmp_path):
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

    assert {receipt_status(code) for code in receipts} == {"waiting"}
    # Seconds (a cache read and a publish timing out), not gunicorn's 30-second kill.
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


def _kill_while_running(worker, task_name: str, broker_url: str) -> dict[str, dict]:
    """SIGKILL the worker's process group as soon as it takes ``task_name``; returns what it left unacknowledged."""
    faults.wait_for_task_received(worker, task_name, timeout=60)
    worker.kill_group()
    in_flight = faults.unacked_tasks(broker_url)
    assert task_name in {headers["task"] for headers in in_flight.values()}, worker.log_tail()
    return in_flight


def _closed_and_caught_up(round: Round) -> bool:
    round.refresh_from_db()
    comments = _comments_of(round)
    return (
        round.state == Round.State.CLOSED
        and not PoolEntry.objects.filter(round_id=round.id).exists()
        and not comments.filter(compound__isnull=True).exists()
        and not unthemed_groups()
    )


def _released_and_pooled(round: Round) -> tuple[int, int]:
    return Response.objects.filter(round_id=round.id).count(), PoolEntry.objects.filter(round_id=round.id).count()


def _comments_to_score(round: Round) -> int:
    """Released comments not scored yet, and those still sealed in the pool (released, then scored, at close)."""
    unscored = _comments_of(round).filter(compound__isnull=True).count()
    pooled = PoolEntry.objects.filter(round_id=round.id).values_list("payload", flat=True)
    return unscored + sum(len(payload["comments"]) for payload in pooled)


@pytest.mark.services
@needs_services
def test_a_worker_killed_mid_batch_and_no_beat_at_close_time_lose_nothing_and_do_nothing_twice(
    own_redis, processes, tmp_path
):
    rng = random.Random(13)
    broker_url = own_redis.url(0)
    env = faults.own_redis_environment(own_redis, CELERY_VISIBILITY_TIMEOUT=60)
    employees = people(SUBMISSIONS)
    round = open_round_with(employees, k=K, closes_at=timezone.now() + timedelta(hours=1))
    with faults.celery_publishing_to(broker_url):
        receipts = _submit_in_process(employees, round, rng)

    # Each submission queued a release; the first to run moves all but k into responses in one batch.
    processes.append(first := live.worker_start(env, tmp_path, name="first"))
    in_flight = _kill_while_running(first, "surveys.tasks.round_release", broker_url)
    assert _released_and_pooled(round) in {(0, SUBMISSIONS), (SUBMISSIONS - K, K)}  # all or nothing
    processes.append(second := live.worker_start(env, tmp_path, name="second"))
    in_flight |= _kill_while_running(second, "sentiment.tasks.comments_score", broker_url)
    assert _released_and_pooled(round) == (SUBMISSIONS - K, K)

    # The round's close time passes while no beat runs.
    Round.objects.filter(id=round.id).update(closes_at=timezone.now() - timedelta(seconds=1))
    comments_to_score = _comments_to_score(round)
    processes.append(recovery := live.worker_start(env, tmp_path, name="recovery", concurrency=2, beat=True))
    live.wait_for(lambda: _closed_and_caught_up(round), what="the round closed", timeout=90, watching=recovery)
    # The killed workers' messages come back once their visibility timeout passes; here, without the wait.
    faults.redeliver(broker_url, in_flight)
    live.wait_for(
        lambda: all(faults.task_succeeded(recovery, headers["id"]) for headers in in_flight.values()),
        what="the redelivered tasks succeeded",
        timeout=30,
        watching=recovery,
    )

    released = Response.objects.filter(round_id=round.id)
    assert _receipt_hashes(released) == {receipt_hash(code) for code in receipts}
    assert released.count() == SUBMISSIONS
    assert ParticipationCount.objects.get(round=round, attribute="").submitted == SUBMISSIONS
    assert not _comments_of(round).filter(compound__isnull=True).exists()
    assert sum(faults.scored_counts(recovery)) == comments_to_score


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
