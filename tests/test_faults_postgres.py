"""PostgreSQL stopped, and restarted under load, on a cluster of the test's own (the machine's server is never
touched): nobody gets a 500, everyone turned away gets a 503 "try again" page that keeps their answers, nothing is
half written, everyone turned away can submit afterwards, every receipt is counted while the round is open, and
the worker, its connections broken by the restart too, publishes the round at close with one response per receipt.

gunicorn keeps its database connections (DJANGO_CONN_MAX_AGE=60, as in production), so a restart breaks every kept
connection: the health check on reuse (CONN_HEALTH_CHECKS) must replace them rather than fail a request.

The first tests need neither: they point this process at a database that cannot be reached (a closed port, or a
SQLite file in a folder that does not exist) and run on SQLite as well.
"""

import random
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from bench.load import (
    FAILED,
    NOT_STORED_MARKER,
    PREVIEW_MARKER,
    RECEIPT,
    RECEIPT_CODE,
    TRY_AGAIN,
    Clock,
    Load,
    Scenario,
    Tally,
    accounting,
    accounting_problems,
    employee_resend,
    figures_print,
    load_kinds,
    load_run,
    publication_problems,
    publication_run,
    scenario_create,
)
from surveys.forms import field_name
from surveys.models import Participation
from tests import services
from tests.faults import PostgresCluster, cluster_running, default_database_at, postgres_bin_dir
from tests.live import (
    ROOT,
    Browser,
    WebServer,
    Worker,
    form_fields,
    free_port,
    gunicorn_start,
    server_environment,
    worker_fresh_start,
)
from tests.rounds import open_round_with, people

LOAD_SECONDS = 20
OUTAGE_AFTER_SECONDS = 6
OUTAGE_SECONDS = 3
# A request sent this long after the server accepts connections again must not be turned away.
RECOVERY_SECONDS = 1.0
PEOPLE = 700
# The worker opens, anonymizes, scores, themes, tabulates and audits a few hundred submissions.
PUBLICATION_TIMEOUT = 300
K = 5  # bench.submit.open_round_create's
SPARE_PEOPLE = 1  # kept out of the load for the stopped-database test
COMMENT = "The usage leaderboard makes people paste prompts just to move their number."


@contextmanager
def database_unreachable(tmp_path):
    """This process's database connection pointed where nothing answers, then back."""
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path}/no-such-folder/candor.sqlite3"
    else:
        url = f"postgres://postgres@127.0.0.1:{free_port()}/candor"
    with default_database_at(url):
        yield


def test_answers_posted_while_the_database_is_unreachable_come_back_on_a_503_page_to_send_again(
    transactional_db, client_as, tmp_path
):
    team = people(3)
    survey_round = open_round_with(team, k=3)
    likert, text = survey_round.questions.all()
    answers = {field_name(likert): "2", field_name(text): COMMENT}
    client = client_as(team[0].user)
    client.raise_request_exception = False
    path = reverse("surveys:round_answer", args=[survey_round.id])

    with database_unreachable(tmp_path):
        response = client.post(path, {**answers, "action": "submit"})

    assert response.status_code == 503
    assert response["Retry-After"]
    assert NOT_STORED_MARKER in response.content
    kept = form_fields(response.content)
    assert set(answers.items()) <= set(kept.hidden)
    assert kept.buttons[0] == ("action", "submit")
    assert not Participation.objects.exists()
    resent = client.post(path, {**dict(kept.hidden), kept.buttons[0][0]: kept.buttons[0][1]})
    assert RECEIPT_CODE.search(resent.content), resent.status_code
    assert Participation.objects.filter(person=team[0]).count() == 1


def test_a_report_page_while_the_database_is_unreachable_is_a_503_try_again_page_not_a_500(
    transactional_db, client_as, hr, tmp_path
):
    client = client_as(hr)
    client.raise_request_exception = False

    with database_unreachable(tmp_path):
        response = client.get(reverse("reports:home"))

    assert response.status_code == 503
    assert NOT_STORED_MARKER in response.content
    assert form_fields(response.content).hidden == []


@dataclass
class Stack:
    cluster: PostgresCluster
    database_url: str
    scenario: Scenario
    spare: list
    web: WebServer
    worker: Worker
    db_blocker: object
    # Every receipt code a test of the module handed out, for the accounting at close.
    receipts: list = field(default_factory=list)

    @contextmanager
    def database(self):
        """This process's ORM on the cluster (seeding, accounting), not on the test database."""
        with self.db_blocker.unblock(), default_database_at(self.database_url):
            yield


@pytest.fixture(scope="module")
def stack(django_db_blocker, tmp_path_factory):
    services.require("PostgreSQL", services.postgres_available())
    services.require("Redis", services.redis_available())
    bin_dir = postgres_bin_dir()
    services.require("PostgreSQL server programs (initdb, pg_ctl)", bin_dir is not None)
    log_dir = tmp_path_factory.mktemp("postgres-faults")
    with cluster_running(bin_dir) as cluster:
        url = database_create(cluster, "candor")
        env = server_environment(database_url=url, queue=f"live-{uuid.uuid4().hex[:8]}", DJANGO_CONN_MAX_AGE=60)
        migrate(env)
        stack = Stack(cluster, url, None, [], None, None, django_db_blocker)
        with stack.database():
            scenario = scenario_create(people=PEOPLE, rng=random.Random(11))
        stack.scenario = replace(scenario, employees=scenario.employees[SPARE_PEOPLE:])
        stack.spare = scenario.employees[:SPARE_PEOPLE]
        with worker_fresh_start(env, log_dir) as stack.worker, gunicorn_start(env, log_dir) as stack.web:
            yield stack


def database_create(cluster: PostgresCluster, name: str) -> str:
    with psycopg.connect(cluster.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return cluster.url(name)


def migrate(env: dict) -> None:
    """As a deploy does it: manage.py migrate, pointed at the cluster by DATABASE_URL."""
    command = [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)


def test_a_submission_while_the_database_is_stopped_gets_a_try_again_page_that_keeps_the_answers(stack):
    employee, path = stack.spare[0], stack.scenario.answer_path
    browser = Browser(stack.web.port, employee.cookies)
    assert browser.get(path).status == 200
    preview = browser.post(path, [*employee.answers.items(), ("action", "preview")])
    assert PREVIEW_MARKER in preview.body

    stack.cluster.stop()
    try:
        turned_away = browser.post(path, [*form_fields(preview.body).hidden, ("action", "submit")])
        hr_page = Browser(stack.web.port, stack.scenario.hr_cookies).get(stack.scenario.hr_pages["round"])
    finally:
        stack.cluster.start()

    assert turned_away.status == 503
    assert NOT_STORED_MARKER in turned_away.body
    kept = form_fields(turned_away.body)
    assert set(employee.answers.items()) <= set(kept.hidden)
    assert kept.buttons[0] == ("action", "submit")
    assert (hr_page.status, NOT_STORED_MARKER in hr_page.body) == (503, True)
    resent = browser.post(path, [*kept.hidden, kept.buttons[0]])
    code = RECEIPT_CODE.search(resent.body)
    assert code, resent.status
    stack.receipts.append(code.group(1).decode())


@dataclass
class Outage:
    stopped_at: float = 0.0
    back_at: float = 0.0  # the server accepts connections again


def outage_after(cluster: PostgresCluster, outage: Outage) -> None:
    """A fast shutdown in the middle of the load (open connections are cut), a few seconds down, then a start."""
    time.sleep(OUTAGE_AFTER_SECONDS)
    outage.stopped_at = time.monotonic()
    cluster.stop(mode="fast")
    time.sleep(OUTAGE_SECONDS)
    cluster.start()
    outage.back_at = time.monotonic()


def load_with_outage(stack: Stack) -> tuple[Load, Outage]:
    outage = Outage()
    restart = threading.Thread(target=outage_after, args=(stack.cluster, outage))
    restart.start()
    try:
        load = load_run(stack.scenario, stack.web.port, seconds=LOAD_SECONDS, employees=32, hr=4)
    finally:
        restart.join()
    return load, outage


def resend_all(stack: Stack, turned_away: list) -> list:
    """Everyone turned away presses "send my answers again" (or reloads the form) once the database is back."""
    port, path, clock = stack.web.port, stack.scenario.answer_path, Clock(0)
    with ThreadPoolExecutor(max_workers=8) as people:
        return list(people.map(lambda attempt: employee_resend(port, path, attempt, Tally(), clock), turned_away))


def test_a_database_restart_under_load_turns_nobody_away_for_good_and_counts_every_receipt(stack, capsys):
    load, outage = load_with_outage(stack)
    turned_away = [attempt for attempt in load.attempts if attempt.outcome == TRY_AGAIN]
    resent = resend_all(stack, turned_away)
    stack.receipts += load.receipts() + [attempt.code for attempt in resent if attempt.outcome == RECEIPT]
    with stack.database():
        while_open = accounting(stack.scenario.round_id, stack.receipts)

    with capsys.disabled():
        print(f"\n{len(load.receipts())} receipts, {len(turned_away)} turned away, in {load.seconds:.1f} s")
        figures_print(load, load_kinds(load))
    assert {request.status for request in load.requests} <= {200, 503}
    assert [(attempt.stage, attempt.status) for attempt in load.attempts if attempt.outcome == FAILED] == []
    assert turned_away, "the restart turned nobody away: it did not happen under load"
    assert all(attempt.answers_kept for attempt in turned_away)
    late = outage.back_at - load.began + RECOVERY_SECONDS
    assert [(r.kind, round(r.started, 1)) for r in load.requests if r.status == 503 and r.started > late] == []
    assert [(attempt.stage, attempt.status) for attempt in resent if attempt.outcome != RECEIPT] == []
    assert accounting_problems(while_open, len(stack.receipts)) == []


@pytest.mark.timeout(PUBLICATION_TIMEOUT + 60)
def test_after_the_restart_the_worker_publishes_the_round_at_close_once_with_a_response_per_receipt(stack):
    assert len(stack.receipts) >= K, "nothing to publish: run it after the restart under load"

    with stack.database():
        publication_run(stack.scenario.round_id, stack.worker.queue, timeout=PUBLICATION_TIMEOUT)
        problems = publication_problems(stack.scenario.round_id, stack.receipts)

    assert problems == []


def pages_at_once(stack: Stack, path: str, count: int) -> list[int]:
    """``count`` GETs of a page from 16 browsers at once (as many as gunicorn has threads): their statuses."""

    def fetch(_):
        browser = Browser(stack.web.port, stack.scenario.hr_cookies)
        try:
            return browser.get(path).status
        finally:
            browser.close()

    with ThreadPoolExecutor(max_workers=16) as browsers:
        return list(browsers.map(fetch, range(count)))


def test_after_a_restart_nobody_used_the_server_through_its_kept_connections_are_replaced_not_failed(stack):
    assert set(pages_at_once(stack, stack.scenario.trivial_path, 64)) == {200}  # every thread holds a connection

    stack.cluster.restart()

    assert set(pages_at_once(stack, stack.scenario.trivial_path, 64)) == {200}
