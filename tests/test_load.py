"""Under load: 32 employees answering a round while 4 HR analysts browse its reports, through gunicorn, PostgreSQL,
Redis and a real Celery worker releasing and scoring (bench/load.py's load, with assertions). 60 s in CI, 15 s
otherwise; the figures are printed either way.
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
    scenario_create,
)
from tests.live import database_url, gunicorn_start, server_environment, worker_fresh_start

LOAD_SECONDS = 60 if os.environ.get("CI") == "true" else 15


@pytest.fixture
def live_servers(postgres, redis, transactional_db, tmp_path):
    """gunicorn and a worker of their own on the test database; the test's rows are committed, so they see them."""
    env = server_environment(database_url=database_url(connection.settings_dict), queue=f"live-{uuid.uuid4().hex[:8]}")
    with worker_fresh_start(env, tmp_path) as worker, gunicorn_start(env, tmp_path) as web:
        yield web, worker


def test_employees_submitting_while_hr_browses_get_no_server_error_and_every_receipt_is_stored(live_servers, capsys):
    web, worker = live_servers
    scenario = scenario_create(people=int(LOAD_SECONDS * PEOPLE_PER_SECOND), rng=random.Random(7))

    load = load_run(scenario, web.port, seconds=LOAD_SECONDS, employees=32, hr=4)
    idle = worker.wait_until_idle(timeout=120)

    with capsys.disabled():
        print(f"\n{len(load.receipts())} receipts in {load.seconds:.1f} s")
        figures_print(load, load_kinds(load))
    assert idle, worker.log_tail()
    assert [(request.kind, request.status) for request in load.server_errors()] == []
    assert [(attempt.stage, attempt.status) for attempt in load.attempts if attempt.outcome != RECEIPT] == []
    hr_statuses = {request.status for request in load.requests if request.kind.startswith("hr ")}
    assert hr_statuses == {200}
    assert {kind for kind in load_kinds(load) if kind.startswith("hr ")} == {f"hr {name}" for name in scenario.hr_pages}
    receipts = load.receipts()
    account = accounting(scenario.round_id, receipts)
    assert accounting_problems(account, len(receipts)) == []
    assert account.released >= 10, "the worker released no batch while and after the load ran"
