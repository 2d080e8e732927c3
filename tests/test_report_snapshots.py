"""Report snapshots: built from released rows, kept faithfully, and audited by ``manage.py audit_disclosure``."""

import random
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from feedback.models import Answer, Response, Stream
from reports import services
from reports.audit import queries_all
from reports.disclosure import FilterRefused
from reports.models import ReportSnapshot
from reports.snapshots import engine_dump, engine_load, snapshot_engine
from surveys.models import Round
from tests.factories import RoundFactory, RoundQuestionFactory

# A department of 6 with one person in Lyon; everything else is large enough.
TEMPTING = (
    [("Sales", "Paris")] * 5
    + [("Sales", "Lyon")]
    + [("Engineering", "Paris")] * 12
    + [("Engineering", "Lyon")] * 9
    + [("Support", "Paris")] * 3
)


def _closed_round(groups, *, k=3, seed=7) -> Round:
    rng = random.Random(seed)
    round = RoundFactory(state=Round.State.CLOSED, k=k, comment_threshold=2 * k)
    likert = RoundQuestionFactory(round=round, kind="likert", indicator="pressure")
    recommend = RoundQuestionFactory(round=round, kind="recommend", indicator="nps")
    for number, (department, location) in enumerate(groups):
        response = Response.objects.create(
            stream=Stream.ROUND,
            round_id=round.id,
            released_on=date(2026, 11, 1),
            attributes={"department": department, "location": location},
            receipt_hash=f"{round.id}-{number}",
        )
        Answer.objects.create(response=response, question_id=likert.id, value=rng.randint(1, 5))
        if rng.random() < 0.8:
            Answer.objects.create(response=response, question_id=recommend.id, value=rng.randint(0, 10))
    return round


def test_a_snapshot_counts_the_released_respondents_and_every_question(db):
    round = _closed_round(TEMPTING)

    snapshot = services.round_report_refresh(round.id)

    engine = snapshot_engine(snapshot)
    assert snapshot.respondents == len(TEMPTING)
    assert engine.values["department"] == ("Engineering", "Sales", "Support")
    assert {measure.field for measure in engine.measures} >= {f"q:{q.id}" for q in round.questions.all()}


def test_rebuilding_bumps_the_version_so_no_process_keeps_a_stale_engine(db):
    round = _closed_round(TEMPTING)
    first = services.round_report_refresh(round.id)

    second = services.round_report_refresh(round.id)

    assert (second.id, second.version) == (first.id, first.version + 1)
    assert ReportSnapshot.objects.count() == 1


def test_a_stored_engine_answers_every_query_exactly_as_the_built_one(db):
    engine = snapshot_engine(services.round_report_refresh(_closed_round(TEMPTING).id))

    restored = engine_load(engine_dump(engine))

    for query in queries_all(engine=engine):
        try:
            expected = engine.table(query)
        except FilterRefused as refused:
            with pytest.raises(FilterRefused, match=str(refused)[:40]):
                restored.table(query)
            continue
        assert restored.table(query) == expected


def test_the_small_location_of_a_department_is_hidden_with_a_sibling(db):
    engine = snapshot_engine(services.round_report_refresh(_closed_round(TEMPTING).id))

    hidden = {group for group in engine.hidden if len(group) == 2}

    assert (("department", "Sales"), ("location", "Lyon")) in hidden
    assert (("department", "Sales"), ("location", "Paris")) in hidden  # else Sales − Paris gives Lyon's one person


def test_the_audit_command_recovers_nothing_from_a_tempting_round(db, capsys):
    round = _closed_round(TEMPTING)
    services.round_report_refresh(round.id)

    call_command("audit_disclosure", str(round.id))

    output = capsys.readouterr().out
    assert "Disclosure audit PASSED" in output
    assert " 0 published" not in output


def test_a_round_with_exactly_k_respondents_passes_the_audit(db, capsys):
    round = _closed_round([("Sales", "Paris")] * 2 + [("Engineering", "Lyon")], k=3)
    services.round_report_refresh(round.id)

    call_command("audit_disclosure", str(round.id))

    assert "PASSED" in capsys.readouterr().out


def test_the_audit_command_fails_on_a_snapshot_that_hides_too_little(db):
    round = _closed_round(TEMPTING)
    snapshot = services.round_report_refresh(round.id)
    naive = snapshot_engine(snapshot)
    # Primary suppression only: the tempting location is hidden, its sibling is not.
    primary = frozenset(group for group in naive.hidden if naive.tallies[naive.measures[0]][group][0] < round.k)
    object.__setattr__(naive, "hidden", primary)
    ReportSnapshot.objects.filter(id=snapshot.id).update(engine=engine_dump(naive), version=snapshot.version + 1)

    with pytest.raises(CommandError, match="can be recovered"):
        call_command("audit_disclosure", str(round.id))


def test_the_audit_command_explains_a_round_without_a_report(db):
    round = RoundFactory(state=Round.State.OPEN)

    with pytest.raises(CommandError, match="No report has been built"):
        call_command("audit_disclosure", str(round.id))
