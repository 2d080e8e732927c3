"""Report snapshots: one per round, written at publication, read back faithfully, holding published groups only."""

import json
import zlib

from reports import pipeline
from reports.anonymize import OTHER
from reports.disclosure import Query
from reports.disclosure_data import Measure
from reports.models import ReportSnapshot
from reports.snapshots import publication_load, snapshot_engine
from surveys import rounds, submission
from surveys.models import Round
from tests.rounds import open_round_with, people

# A department of 6 with one person in Lyon, and a department of 3; everything else is large enough.
TEMPTING = {("Sales", "Paris"): 5, ("Sales", "Lyon"): 1, ("Engineering", "Paris"): 12, ("Engineering", "Lyon"): 9}
SUPPORT = {("Support", "Paris"): 3}
QUESTIONS = [{"kind": "likert", "indicator": "pressure"}, {"kind": "recommend", "indicator": "nps"}]


def _published(groups: dict, *, k: int = 3) -> Round:
    team = [
        person
        for (department, location), size in groups.items()
        for person in people(size, department=department, location=location, level="3")
    ]
    round = open_round_with(team, k=k, questions=QUESTIONS)
    likert, recommend = round.questions.order_by("position")
    for number, person in enumerate(team):
        submission.round_submit(
            person=person, round=round, answers=[(likert, 1 + number % 5), (recommend, number % 11)]
        )
    rounds.round_close(round)
    pipeline.round_publish(round.id)
    return Round.objects.get(id=round.id)


def test_a_snapshot_counts_the_respondents_and_every_question(db):
    round = _published({**TEMPTING, **SUPPORT})

    snapshot = ReportSnapshot.objects.get(round_id=round.id)
    publication = snapshot_engine(snapshot)

    assert snapshot.respondents == publication.respondents == 30
    assert set(publication.values["department"]) <= {"Engineering", "Sales", "Support", OTHER}
    assert {measure.field for measure in publication.answers.measures} >= {f"q:{q.id}" for q in round.questions.all()}


def test_a_stored_publication_answers_every_query_exactly_as_the_built_one(db):
    round = _published(TEMPTING)
    stored = snapshot_engine(ReportSnapshot.objects.get(round_id=round.id))
    built = pipeline._tabulate(
        group={"stream": "round", "round_id": round.id, "period": ""},
        themes=[],
        measures=list(stored.answers.measures[1:]),
        k=round.k,
        comment_threshold=round.comment_threshold,
        participation=stored.participation,
    ).publication

    for measure in stored.answers.measures:
        for rows in (None, "department", "location"):
            query = Query(measure=measure, rows=rows)
            assert stored.table(query).cells == built.table(query).cells, (measure, rows)


def test_the_stored_blob_holds_no_group_under_k(db):
    round = _published(TEMPTING, k=5)
    blob = ReportSnapshot.objects.values_list("engine", flat=True).get(round_id=round.id)

    data = json.loads(zlib.decompress(bytes(blob)))

    counts = [count for base in data["answers"]["counts"].values() for count in base]
    assert counts and min(counts) >= 5
    assert min(row[3] for row in data["participation"]) >= 5
    groups = [dict(map(tuple, group)) for group in data["answers"]["groups"]]
    assert {"department": "Sales", "location": "Lyon"} not in groups


def test_the_lyon_salesperson_is_only_ever_counted_in_a_group_of_at_least_k(db):
    round = _published(TEMPTING, k=5)
    publication = snapshot_engine(ReportSnapshot.objects.get(round_id=round.id))

    engine = publication.answers
    shown = {
        group: count for group, (count, _) in engine.tallies[Measure.count()].items() if group not in engine.hidden
    }

    assert min(shown.values()) >= 5
    assert (("department", "Sales"), ("location", "Lyon")) not in shown
    assert OTHER in publication.values["location"] + publication.values["department"]


def test_a_publication_written_by_another_version_is_refused_rather_than_misread(db):
    round = _published(TEMPTING)
    blob = ReportSnapshot.objects.values_list("engine", flat=True).get(round_id=round.id)
    data = json.loads(zlib.decompress(bytes(blob)))
    data["format"] = 1

    try:
        publication_load(zlib.compress(json.dumps(data).encode()))
    except ValueError as refused:
        assert "another version" in str(refused)
    else:
        raise AssertionError("an old snapshot was read")
