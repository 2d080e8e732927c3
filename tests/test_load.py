"""Under load: 32 employees answering a round while 4 HR analysts browse the reports, through gunicorn, PostgreSQL,
Redis and a real Celery worker (bench/load.py's load, with assertions). 60 s in CI, 15 s otherwise; the figures are
printed either way. While the round is open every receipt is sealed and counted and nothing is published; at close
the worker publishes it once, one response per receipt.
"""

import os
import random
import uuid

import pytest
from django.db import connection

from bench.load import (
    PEOPLE_PER_SECOND,
    RECEIPT,
    accounting,
    accounting_problems,
    figures_print,
    load_kinds,
    load_run,
    publication_problems,
    publication_run,
    scenario_create,
)
from tests.live import database_url, gunicorn_start, server_environment, worker_fresh_start

LOAD_SECONDS = 60 if os.environ.get("CI") == "true" else 15
# The worker opens, anonymizes, scores, themes, tabulates and audits the round's submissions.
PUBLICATION_TIMEOUT = 300


@pytest.fixture
def live_servers(postgres, redis, transactional_db, tmp_path):
    """gunicorn and a worker of their own on the test database; the test's rows are committed, so they see them."""
    env = server_environment(database_url=database_url(connection.settings_dict), queue=f"live-{uuid.uuid4().hex[:8]}")
    with worker_fresh_start(env, tmp_path) as worker, gunicorn_start(env, tmp_path) as web:
        yield web, worker


@pytest.mark.timeout(LOAD_SECONDS + PUBLICATION_TIMEOUT + 120)
def test_employees_submitting_while_hr_browses_get_no_server_error_and_every_receipt_is_published_once(
    live_servers, capsys
):
    web, worker = live_servers
    scenario = scenario_create(people=int(LOAD_SECONDS * PEOPLE_PER_SECOND), rng=random.Random(7))

    load = load_run(scenario, web.port, seconds=LOAD_SECONDS, employees=32, hr=4)
    receipts = load.receipts()
    while_open = accounting(scenario.round_id, receipts)

    with capsys.disabled():
        print(f"\n{len(receipts)} receipts in {load.seconds:.1f} s")
        figures_print(load, load_kinds(load))
    assert [(request.kind, request.status) for request in load.server_errors()] == []
    assert [(attempt.stage, attempt.status) for attempt in load.attempts if attempt.outcome != RECEIPT] == []
    hr_statuses = {request.status for request in load.requests if request.kind.startswith("hr ")}
    assert hr_statuses == {200}
    assert {kind for kind in load_kinds(load) if kind.startswith("hr ")} == {f"hr {name}" for name in scenario.hr_pages}
    assert len(receipts) >= 10, "the load stored almost nothing: it did not really run"
    assert accounting_problems(while_open, len(receipts)) == []

    seconds = publication_run(scenario.round_id, worker.queue, timeout=PUBLICATION_TIMEOUT)
    with capsys.disabled():
        print(f"published by the worker {seconds:.1f} s after the close")
    assert publication_problems(scenario.round_id, receipts) == []
