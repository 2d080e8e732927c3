"""Attacks on anonymity from outside the engine (P1, P2, P3 in DESIGN.md): a database backup, and an HR analyst
watching every page and export while people submit one by one.
"""

import datetime
import os
import random
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from feedback.models import Answer, Comment, PoolEntry, Receipt, Response
from feedback.selectors import receipt_hash
from reports import pipeline
from surveys import rounds, submission
from tests import hr_views
from tests.rounds import open_round_with, people

DUMPED_TABLES = ("feedback_response", "feedback_answer", "feedback_comment")
MARKER = re.compile(r"Marker(\d{4})")
# Wider than any answer value (0–10), so a user id found in the dump cannot be an answer by chance.
SMALLEST_DISTINCT_ID = 11
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")
START = datetime.date(2021, 3, 1)
COMMENTS = [
    "The token leaderboard is toxic and makes people game their numbers.",
    "We are forced to hit weekly usage targets even when AI does not help.",
    "It feels like surveillance, my manager checks my AI usage dashboard.",
]


def _spearman(xs: list[int], ys: list[int]) -> float:
    """Rank correlation for two permutations (no ties)."""
    n = len(xs)
    squared = sum((x - y) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * squared / (n * (n * n - 1))


# --- P2 on a backup: pg_dump ---------------------------------------------------------------------------------------


def _pg_dump(tables) -> str:
    database = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "--dbname", database["NAME"]]
    command += ["--host", database["HOST"] or "127.0.0.1", "--port", str(database["PORT"] or 5432)]
    command += ["--username", database["USER"]] if database["USER"] else []
    for table in tables:
        command += ["--table", table]
    environment = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=True, timeout=60).stdout


def _copy_blocks(dump: str) -> dict[str, list[dict]]:
    """Each table's rows as the dump lists them: ``COPY public.table (columns) FROM stdin;`` up to ``\\.``."""
    blocks, columns, table = {}, None, None
    for line in dump.splitlines():
        header = re.match(r"COPY public\.(\w+) \((.*)\) FROM stdin;", line)
        if header:
            table, columns = header.group(1), header.group(2).split(", ")
            blocks[table] = []
        elif line == "\\.":
            table = None
        elif table:
            blocks[table].append(dict(zip(columns, line.split("\t"), strict=True)))
    return blocks


def _dump_positions(rows: list[dict], key: str, order_of: dict[str, int]) -> list[int]:
    """For each person in participation order, where the dump lists their row."""
    position_of = {order_of[row[key]]: position for position, row in enumerate(rows)}
    return [position_of[order] for order in range(len(order_of))]


def _numbered_comment(number: int) -> str:
    """A comment that says which participant wrote it, so the test (and only the test) can place each row."""
    return f"{COMMENTS[number % len(COMMENTS)]} Marker{number:04d}."


def _submit_numbered(round, team) -> list[str]:
    likert, text = round.questions.order_by("position")
    return [
        submission.round_submit(person=person, round=round, answers=[(likert, 1 + n % 5), (text, _numbered_comment(n))])
        for n, person in enumerate(team)
    ]


def _close_and_publish(round) -> None:
    with transaction.atomic():
        rounds.round_close(round)
    pipeline.round_publish(round.id)


@pytest.mark.usefixtures("postgres", "seeded_randomness")
def test_a_database_dump_after_close_lists_responses_in_an_order_unrelated_to_participation_and_names_nobody(
    transactional_db,
):
    team = people(200, start_date=START)
    round = open_round_with(team, k=5, questions=[{"kind": "likert"}, {"kind": "text"}])
    codes = _submit_numbered(round, team)
    _close_and_publish(round)

    blocks = _copy_blocks(_pg_dump((*DUMPED_TABLES, "feedback_receipt")))

    comments = blocks["feedback_comment"]
    order_of_response = {row["response_id"]: int(MARKER.search(row["text"]).group(1)) for row in comments}
    participation = list(range(200))
    for table, rows, key in (
        ("feedback_response", blocks["feedback_response"], "id"),
        ("feedback_answer", blocks["feedback_answer"], "response_id"),
        ("feedback_comment", comments, "response_id"),
    ):
        assert len(rows) == 200, table
        rho = _spearman(participation, _dump_positions(rows, key, order_of_response))
        assert abs(rho) < 0.2, (table, rho)
    order_of_receipt = {receipt_hash(code): order for order, code in enumerate(codes)}
    rho = _spearman(participation, _dump_positions(blocks["feedback_receipt"], "code_hash", order_of_receipt))
    assert abs(rho) < 0.2, ("feedback_receipt", rho)
    _assert_names_nobody(blocks, team)
    with connection.cursor() as cursor:
        for table in (*DUMPED_TABLES, "feedback_receipt"):
            cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {table}")  # noqa: S608 - a fixed table name
            assert cursor.fetchone() == (1,), table  # one transaction: no row version tells anyone apart


@pytest.mark.usefixtures("postgres")
def test_a_database_dump_mid_round_holds_sealed_entries_of_one_length_and_no_answer(transactional_db):
    team = people(12, start_date=START)
    round = open_round_with(team, k=3, questions=[{"kind": "likert"}, {"kind": "text"}])
    _submit_numbered(round, team)

    dump = _pg_dump((*DUMPED_TABLES, "feedback_poolentry", "feedback_receipt"))
    blocks = _copy_blocks(dump)

    assert [len(blocks[table]) for table in DUMPED_TABLES] == [0, 0, 0]
    sealed = [row["sealed"] for row in blocks["feedback_poolentry"]]
    assert len(sealed) == 12
    assert len({len(value) for value in sealed}) == 1
    assert MARKER.search(dump) is None and "leaderboard" not in dump
    assert {"id", "code_hash", "stream", "round_id", "period"} == set(blocks["feedback_receipt"][0])


def test_the_sqlite_file_holds_no_comment_before_close_and_no_sealed_entry_after(transactional_db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite database file; PostgreSQL is read through pg_dump above")
    team = people(6, start_date=START)
    round = open_round_with(team, k=3, questions=[{"kind": "likert"}, {"kind": "text"}])
    _submit_numbered(round, team)
    sealed = [bytes(value) for value in PoolEntry.objects.values_list("sealed", flat=True)]
    database_file = Path(connection.settings_dict["NAME"])

    mid_round = database_file.read_bytes()
    _close_and_publish(round)
    after_close = database_file.read_bytes()

    assert b"Marker0003" not in mid_round and b"leaderboard" not in mid_round
    assert all(value[:64] in mid_round for value in sealed)
    assert not any(value[:64] in after_close for value in sealed)  # secure_delete zeroed the opened pool


def test_published_responses_carry_ids_no_sealed_entry_or_receipt_had(db):
    team = people(6, start_date=START)
    round = open_round_with(team, k=3, questions=[{"kind": "likert"}, {"kind": "text"}])
    _submit_numbered(round, team)
    before = {str(pk) for model in (PoolEntry, Receipt) for pk in model.objects.values_list("id", flat=True)}

    _close_and_publish(round)

    published = {str(pk) for model in (Response, Answer, Comment) for pk in model.objects.values_list("id", flat=True)}
    after = {str(pk) for pk in Receipt.objects.values_list("id", flat=True)}
    assert len(published) == 6 * 3
    assert before.isdisjoint(published | after)
    assert not PoolEntry.objects.exists()


def _assert_names_nobody(blocks: dict[str, list[dict]], team) -> None:
    """No e-mail, name, person or user id, identifying column or time of day in the dumped rows."""
    fields = [value for rows in blocks.values() for row in rows for value in row.values()]
    text = "\n".join(fields)
    users = [person.user for person in team]
    identifying = [user.email for user in users] + [user.name for user in users]
    identifying += [str(person.id) for person in team] + [person.id.hex for person in team]
    assert [trace for trace in identifying if trace in text] == []
    user_ids = {str(user.id) for user in users if user.id >= SMALLEST_DISTINCT_ID}
    assert len(user_ids) >= len(users) - SMALLEST_DISTINCT_ID
    assert user_ids.isdisjoint(fields)
    assert TIME_OF_DAY.findall(text) == []
    identifying_columns = {"user", "person", "email", "name", "created", "ip", "session"}
    columns = {column for rows in blocks.values() for column in rows[0]}
    assert identifying_columns.isdisjoint(part for column in columns for part in column.split("_"))


# --- P2 and P3 through pages and exports: an analyst refreshing everything after every submission -----------------

K = 3
TEAM = {"Engineering": 8, "Sales": 7}
QUESTIONS = [
    {"kind": "likert", "indicator": "pressure", "text": "I feel pressure to use AI tools even when they don't help."},
    {"kind": "recommend", "indicator": "nps", "text": "How likely are you to recommend our AI tools?"},
    {"kind": "text", "text": "What would you change about AI tools here?"},
]
ROUND_OPTIONS = [
    "",
    "by=department",
    "by=location",
    "group=department:Engineering",
    "group=department:Sales&by=level_band",
]
EXPORTS = ("csv", "pdf")
ROUND_OPTIONS_UNFILTERED = [query for query in ROUND_OPTIONS if "group=" not in query]


def _hr_views(round) -> list[str]:
    """Every HR page and export; the round's with and without a heatmap and a filter."""
    views = [reverse("reports:home")]
    for query in ROUND_OPTIONS:
        views.append(f"{reverse('reports:round', args=[round.id])}?{query}")
        views += [f"{reverse('reports:round_export', args=[round.id, export])}?{query}" for export in EXPORTS]
    for name in ("trends", "open_feedback"):
        views += [reverse(f"reports:{name}"), *(reverse(f"reports:{name}_export", args=[e]) for e in EXPORTS)]
    return views


def _reading(client, round) -> dict[str, str]:
    """What the analyst sees in every view right now, participation counts left out."""
    reading = {}
    for url in _hr_views(round):
        response = client.get(url)
        assert response.status_code == 200, url
        reading[url] = hr_views.analysed_text(response)
    return reading


def _respondents_seen(reading: dict[str, str]) -> set[int]:
    """The respondent counts the unfiltered views state (a filtered view counts its group only)."""
    return {count for url, text in reading.items() if "group=" not in url for count in hr_views.respondent_counts(text)}


def _round_views_stating_respondents(reading: dict[str, str], count: int) -> int:
    """How many of the round's unfiltered pages and exports state ``count`` respondents (each should)."""
    return len([url for url, text in reading.items() if "/rounds/" in url and count in _respondents_seen({url: text})])


def _answers(round, number: int) -> list:
    likert, recommend, text = round.questions.order_by("position")
    return [(likert, 1 + number % 5), (recommend, number % 11), (text, COMMENTS[number % len(COMMENTS)])]


def _team() -> list:
    team = [person for name, size in TEAM.items() for person in people(size, department=name, start_date=START)]
    random.Random(7).shuffle(team)
    return team


def _changed(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple]:
    """For each view that changed, the numbers it showed before and after (the text, if only words changed)."""
    changed = {}
    for url, text in after.items():
        if text != before[url]:
            old, new = hr_views.numbers(before[url]), hr_views.numbers(text)
            changed[url] = (old, new) if old != new else (before[url], text)
    return changed


def test_an_analyst_refreshing_every_view_after_each_submission_sees_nothing_change_until_the_close(
    celery_worker, hr, client_as
):
    team = _team()
    round = open_round_with(team, k=K, questions=QUESTIONS, opens_at=timezone.now() - datetime.timedelta(days=1))
    client = client_as(hr)
    readings = [_reading(client, round)]
    for number, person in enumerate(team):
        submission.round_submit(person=person, round=round, answers=_answers(round, number))
        celery_worker.wait_until_idle()
        readings.append(_reading(client, round))
    with transaction.atomic():
        rounds.round_close(round)
    celery_worker.wait_until_idle()
    published = _reading(client, round)

    changes_while_open = {
        step: _changed(readings[0], reading) for step, reading in enumerate(readings) if reading != readings[0]
    }
    assert changes_while_open == {}
    assert _respondents_seen(readings[-1]) == set()
    assert _respondents_seen(published) == {len(team)}
    assert _round_views_stating_respondents(published, len(team)) == len(ROUND_OPTIONS_UNFILTERED) * 3
    assert Response.objects.count() == len(team)
