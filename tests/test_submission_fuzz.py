"""Random form payloads against the two employee submission endpoints, as an eligible employee.

Whatever is posted, the answer is never a 500 and never a partial write: either the submission is accepted
whole (a participation for a round, one sealed pool entry, a receipt) or nothing changes and the form comes back
with what was typed. Each example runs in a savepoint that is rolled back, with an empty cache (where the monthly
quota of always-open comments is counted), so examples start alike.
"""

import html
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from feedback.models import Answer, Comment, PoolEntry, Receipt, Response
from surveys.forms import field_name
from surveys.models import Participation
from surveys.questions import TEXT_MAX_LENGTH
from tests.rounds import open_round_with, people

RECEIPT = re.compile(rb"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}")
FORM = "application/x-www-form-urlencoded"
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUESTIONS = [
    {"kind": "likert", "required": True},
    {"kind": "recommend"},
    {"kind": "single", "choices": ["Copilot", "ChatGPT", "None"]},
    {"kind": "multiple", "choices": ["Code", "Writing", "Search"]},
    {"kind": "text"},
]

# Text as people and attackers type it: any character a browser can send, nulls and controls included.
typed_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
huge_text = st.builds(lambda char, size: char * size, st.characters(exclude_categories=["Cs"]), st.integers(3990, 9000))
numbers_as_text = st.integers(-(10**12), 10**12).map(str)
junk_values = st.one_of(
    typed_text, huge_text, numbers_as_text, st.sampled_from(["", " ", "None", "null", "[]", "1.5", "0x1"])
)
actions = st.sampled_from(["submit", "preview", "edit", "", "SUBMIT", "delete"])


@pytest.fixture
def round(db):
    return open_round_with(people(4), k=3, questions=QUESTIONS)


@pytest.fixture
def respondent(round, client_as):
    return client_as(round.invitations.first().person.user)


def _counts() -> dict[str, int]:
    models = {"participation": Participation, "pool": PoolEntry, "receipt": Receipt, "response": Response}
    return {name: model.objects.count() for name, model in (models | {"answer": Answer, "comment": Comment}).items()}


def _post(client, url, payload: list[tuple[str, str]]):
    return client.post(url, urlencode(payload), content_type=FORM)


def _outcome(client, url, payload) -> tuple[object, dict[str, int]]:
    """Post inside a savepoint, return the response and what changed, then undo it all."""
    cache.clear()
    with transaction.atomic():
        before = _counts()
        response = _post(client, url, payload)
        after = _counts()
        transaction.set_rollback(True)
    return response, {name: after[name] - before[name] for name in after if after[name] != before[name]}


def _typed_text_kept(response, payload, text_field: str) -> bool:
    """A field sent twice is read as its last value, as Django's forms do."""
    typed = [value for name, value in payload if name == text_field]
    return not typed or html.escape(typed[-1]) in response.content.decode()


def _round_fields(round) -> dict[str, st.SearchStrategy]:
    likert, recommend, single, multiple, text = round.questions.all()
    return {
        field_name(likert): st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), junk_values),
        field_name(recommend): st.one_of(st.integers(0, 10).map(str), junk_values),
        field_name(single): st.one_of(st.sampled_from(["0", "1", "2"]), junk_values),
        field_name(multiple): st.one_of(st.sampled_from(["0", "1", "2"]), junk_values),
        field_name(text): st.one_of(typed_text, huge_text),
    }


def _payloads(fields: dict[str, st.SearchStrategy], valid: list[tuple[str, str]]) -> st.SearchStrategy:
    """Maybe a valid submission, then known fields (a repeat overrides), unknown ones, and an action."""
    base = st.sampled_from([[], valid])
    known = st.lists(
        st.sampled_from(sorted(fields)).flatmap(lambda name: st.tuples(st.just(name), fields[name])),
        max_size=8,
    )
    unknown_names = st.one_of(typed_text.filter(bool), st.uuids().map(lambda value: f"q_{value.hex}"))
    unknown = st.lists(st.tuples(unknown_names, junk_values), max_size=3)
    action = st.lists(actions.map(lambda value: ("action", value)), max_size=2)
    return st.tuples(base, known, unknown, action).map(lambda parts: [pair for part in parts for pair in part])


def _record(response) -> None:
    event("accepted" if RECEIPT.search(response.content) else "refused")


def _check_round_outcome(round, response, changes, payload):
    assert response.status_code == 200, response.status_code
    text_field = field_name(round.questions.get(kind="text"))
    if RECEIPT.search(response.content):
        assert ("action", "submit") in payload
        assert changes == {"participation": 1, "pool": 1, "receipt": 1}
    else:
        assert changes == {}
        assert _typed_text_kept(response, payload, text_field)


def _check_open_feedback_outcome(response, changes, payload):
    assert response.status_code == 200, response.status_code
    if RECEIPT.search(response.content):
        assert ("action", "submit") in payload
        assert changes == {"pool": 1, "receipt": 1}
    else:
        assert changes == {}
        assert _typed_text_kept(response, payload, "text")


def test_a_well_formed_round_answer_is_accepted_whole(respondent, round):
    likert = round.questions.get(kind="likert")
    payload = [(field_name(likert), "4"), ("action", "submit")]

    response, changes = _outcome(respondent, reverse("surveys:round_answer", args=[round.id]), payload)

    assert RECEIPT.search(response.content)
    _check_round_outcome(round, response, changes, payload)


@FUZZ
@given(data=st.data())
def test_random_round_answers_are_accepted_whole_or_refused_without_a_trace(respondent, round, data):
    valid = [(field_name(round.questions.get(kind="likert")), "4"), ("action", "submit")]
    payload = data.draw(_payloads(_round_fields(round), valid), label="payload")

    response, changes = _outcome(respondent, reverse("surveys:round_answer", args=[round.id]), payload)
    _record(response)

    _check_round_outcome(round, response, changes, payload)


OPEN_FEEDBACK_FIELDS = {
    "topic": st.one_of(st.sampled_from(["", "tools", "targets", "monitoring", "other"]), junk_values),
    "text": st.one_of(typed_text, huge_text, st.just("x" * TEXT_MAX_LENGTH)),
}


@FUZZ
@given(payload=_payloads(OPEN_FEEDBACK_FIELDS, [("text", "The dashboard helps nobody."), ("action", "submit")]))
@example(payload=[("topic", "tools"), ("text", "The token leaderboard is theatre."), ("action", "submit")])
@example(payload=[("text", "a\x00b\u202e\ufeff"), ("action", "submit")])
@example(payload=[("text", "x" * (TEXT_MAX_LENGTH + 1)), ("action", "submit")])
def test_random_open_feedback_is_accepted_whole_or_refused_without_a_trace(respondent, payload):
    response, changes = _outcome(respondent, reverse("surveys:open_feedback"), payload)
    _record(response)

    _check_open_feedback_outcome(response, changes, payload)
