"""Attacks on a round's one publication by someone who knows the roster (DESIGN.md P3, P4, P5, P7, P8).

The independent attacker (``reports.attacker``, an integer program over the roster's cells) is the oracle: it must
find the person a publication built without k-anonymization gives away, and nothing in what the pipeline publishes.
"""

import datetime
import threading
from dataclasses import replace

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from feedback.models import PoolEntry, Receipt, Response
from reports import pipeline
from reports.anonymize import OTHER
from reports.attacker import attack
from reports.audit import attack_inputs
from reports.disclosure import QuerySpace, engine_build
from reports.measures import question_measures
from reports.models import ReportSnapshot
from reports.publication import GroupParticipation, Publication
from reports.records import group_attributes, records_build
from reports.snapshots import snapshot_engine
from surveys import rounds, submission
from surveys.models import Invitation, ReportableAttribute, Round
from tests.factories import PersonFactory, RoundQuestionFactory
from tests.rounds import open_round_with, people

START = datetime.date(2021, 3, 1)
LIKERT = [{"kind": "likert", "indicator": "pressure", "text": "I feel pressure to use AI tools."}]


def _person(department: str, team: str, level: str = "3"):
    return PersonFactory(department=department, level=level, start_date=START, attributes={"team": team})


def _nested_team_round(*, k: int = 5):
    """Design is the Product design team of five and its director, who sits in the Leadership team with the heads
    of the other departments; everyone answers. The director strongly disagrees, everyone else strongly agrees."""
    ReportableAttribute.objects.create(key="team", label="Team", added_on=datetime.date(2020, 1, 1))
    design = [_person("Design", "Product design") for _ in range(5)]
    director = _person("Design", "Leadership", level="7")
    others = [
        _person(department, team, level)
        for department in ("Engineering", "Sales")
        for team, level in (("Leadership", "7"), ("Platform", "3"), ("Platform", "5"))
        for _ in range(6)
    ]
    team = [*design, director, *others]
    round = open_round_with(team, k=k, questions=LIKERT)
    question = round.questions.get()
    for person in team:
        submission.round_submit(person=person, round=round, answers=[(question, 1 if person == director else 5)])
    return round, director


def _close_and_publish(round) -> Publication:
    with transaction.atomic():
        rounds.round_close(round)
    pipeline.round_publish(round.id)
    return snapshot_engine(ReportSnapshot.objects.get(round_id=round.id))


def _invitees(round) -> list[dict]:
    return list(Invitation.objects.filter(round=round).values_list("attributes", flat=True))


def _attack(round, publication: Publication, *, k_anonymous: bool = True):
    invitees = _invitees(round)
    names = group_attributes(invitees)
    inputs = attack_inputs(publication, invitees=invitees, names=names, comment_threshold=round.comment_threshold)
    return attack(replace(inputs, labels_k_anonymous=k_anonymous))


def _naive_publication(round) -> Publication:
    """What the round would publish with every raw group of at least k shown (no k-anonymization): the responses'
    labels are replaced by the raw attributes frozen on the invitations, in the order the people submitted."""
    raw = _invitees(round)
    responses = list(Response.objects.filter(round_id=round.id))
    by_answer = sorted(responses, key=lambda response: response.answers.get().value)
    director_first = sorted(
        raw, key=lambda attributes: attributes["team"] != "Leadership" or attributes["department"] != "Design"
    )
    for response, attributes in zip(by_answer, director_first, strict=True):
        Response.objects.filter(id=response.id).update(attributes=attributes)
    records, attributes = records_build(round_id=round.id, themes=[])
    space = QuerySpace(attributes=attributes, filterable=attributes, max_filters=1, max_breakdown=1)
    measures = [measure for question in round.questions.all() for measure in question_measures(question)]
    engine = engine_build(records=records, space=space, k=round.k, measures=measures, comment_threshold=round.k)
    everyone = GroupParticipation("", "", len(raw), len(responses))
    return Publication(answers=engine, comments=None, invited=len(raw), participation=(everyone,))


def test_the_attacker_finds_the_director_in_a_publication_of_raw_groups(db):
    round, _ = _nested_team_round()
    _close_and_publish(round)

    report = _attack(round, _naive_publication(round), k_anonymous=False)

    assert not report.passed
    pinned = [finding for finding in report.findings if ("department", "Design") in finding.cell]
    assert pinned, str(report)


def test_the_real_publication_of_the_nested_team_passes_the_attacker(db):
    round, _ = _nested_team_round()

    publication = _close_and_publish(round)

    report = _attack(round, publication)
    assert report.passed, str(report)
    design = publication.answers.tallies[publication.answers.measures[0]].get((("department", "Design"),), (0, 0))
    product_design = publication.answers.tallies[publication.answers.measures[0]].get(
        (("team", "Product design"),), (0, 0)
    )
    assert design[0] == 0 or design[0] - product_design[0] in (0,) or design[0] - product_design[0] >= round.k


def test_a_roster_cell_of_exactly_k_where_everyone_took_part_is_not_named_and_the_rest_is_published(db):
    team = [
        *people(5, department="Design", start_date=START, level="3"),
        *people(9, department="Sales", start_date=START, level="3"),
    ]
    round = open_round_with(team, k=5, questions=LIKERT)
    question = round.questions.get()
    for number, person in enumerate(team[:12]):
        submission.round_submit(person=person, round=round, answers=[(question, 1 + number % 5)])

    publication = _close_and_publish(round)

    # Named, "Design: 5 of 5" would tell HR that each of the five took part, and if they all agreed, their answer.
    assert "Design" not in publication.values["department"]
    assert all(group.submitted < group.invited for group in publication.participation)
    assert publication.respondents == 12
    assert _attack(round, publication).passed


def test_a_work_anniversary_and_a_roster_update_during_the_round_change_nothing_published(db):
    team = people(12, department="Engineering", start_date=START, level="3")
    round = open_round_with(team, k=3, questions=LIKERT)
    moved = team[0]
    moved.department, moved.start_date = "Moved during the round", timezone.localdate() - datetime.timedelta(days=30)
    moved.save()
    question = round.questions.get()
    for person in team:
        submission.round_submit(person=person, round=round, answers=[(question, 3)])

    publication = _close_and_publish(round)

    labels = {
        value for response in Response.objects.filter(round_id=round.id) for value in response.attributes.values()
    }
    assert "Moved during the round" not in labels and "less than 1 year" not in labels
    assert "Moved during the round" not in publication.values["department"]


def test_rounds_whose_audiences_differ_by_one_person_cannot_be_open_together(db):
    """Two or three concurrent rounds, the target in one of them only, would give the target's answers by
    subtraction; a person can be in only one open round, so the second round cannot open."""
    target = PersonFactory(department="Design", start_date=START)
    shared = people(12, department="Design", start_date=START)
    first = open_round_with([target, *shared], k=3, questions=LIKERT)
    second = rounds.round_create(title="Second", k=3, audience={"department": ["Design"]})
    RoundQuestionFactory(round=second)

    with pytest.raises(rounds.RoundCannotOpen, match="already invited to another open round"):
        rounds.round_open(second)
    assert Round.objects.get(id=second.id).state == Round.State.DRAFT
    assert Round.objects.get(id=first.id).state == Round.State.OPEN


@pytest.mark.usefixtures("postgres")
def test_fifty_submissions_racing_the_close_are_each_published_or_refused_as_late(transactional_db):
    team = people(60, start_date=START)
    round = open_round_with(team, k=3, questions=LIKERT)
    question = round.questions.get()
    barrier = threading.Barrier(51)
    outcomes: list[str] = []

    def submit(person):
        barrier.wait()
        try:
            submission.round_submit(person=person, round=round, answers=[(question, 4)])
            outcomes.append("stored")
        except submission.SubmissionRefused:
            outcomes.append("late")
        finally:
            connections.close_all()

    def close():
        barrier.wait()
        rounds.round_close(Round.objects.get(id=round.id))
        connections.close_all()

    threads = [threading.Thread(target=submit, args=(person,)) for person in team[:50]]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipeline.round_publish(round.id)

    stored = outcomes.count("stored")
    assert stored + outcomes.count("late") == 50
    published = Response.objects.filter(round_id=round.id).count()
    assert published == (stored if stored >= round.k else 0)
    assert Receipt.objects.filter(round_id=round.id).count() == stored
    assert Round.objects.get(id=round.id).submitted_count == stored


def test_a_fake_roster_entry_reads_only_the_organisation_level_results_of_its_own_rounds(client_as, db):
    round, _ = _nested_team_round()
    _close_and_publish(round)
    fake = PersonFactory(department="Design", start_date=START)  # added after the round: invited to nothing
    member = round.invitations.first().person

    assert client_as(fake.user).get(reverse("reports:round_results", args=[round.id])).status_code == 404
    page = client_as(member.user).get(reverse("reports:round_results", args=[round.id])).content.decode()
    assert "Product design" not in page and "heatmap" not in page.lower()


def test_no_stored_label_combination_is_shared_by_fewer_than_k_responses(db):
    round, _ = _nested_team_round()
    _close_and_publish(round)

    combinations: dict[tuple, int] = {}
    for response in Response.objects.filter(round_id=round.id):
        key = tuple(sorted(response.attributes.items()))
        combinations[key] = combinations.get(key, 0) + 1

    assert min(combinations.values()) >= round.k
    assert any(value == OTHER for key in combinations for _, value in key)


def test_a_roster_column_added_less_than_30_days_before_opening_is_not_reported_in_the_round(db):
    """A column made for one person ("squad: Tiger" for the target and two fakes) would single them out in the
    results as surely as in the audience (found by the red team)."""
    ReportableAttribute.objects.create(key="squad", label="Squad", added_on=timezone.localdate())
    ReportableAttribute.objects.create(key="team", label="Team", added_on=timezone.localdate() - datetime.timedelta(60))
    people(12, start_date=START, attributes={"squad": "Tiger", "team": "Platform"})
    round = rounds.round_create(title="Aimed", k=3)
    RoundQuestionFactory(round=round)

    rounds.round_open(round)

    frozen = list(Invitation.objects.filter(round=round).values_list("attributes", flat=True))
    assert len(frozen) == 12
    assert all("squad" not in attributes and attributes["team"] == "Platform" for attributes in frozen)


def test_a_month_of_always_open_feedback_under_the_threshold_waits_for_the_next_month(db, settings):
    """One or two comments published on their own would be those people's words in every number (red team)."""
    settings.CANDOR_OPEN_FEEDBACK_K, settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT = 3, 1  # threshold 6
    writers = people(5, start_date=START)
    for person in writers:
        submission.open_feedback_submit(person=person, topic="", text="The usage leaderboard should go.")
    two_months_ago = (timezone.localdate().replace(day=1) - datetime.timedelta(days=40)).strftime("%Y-%m")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    PoolEntry.objects.update(period=two_months_ago)
    Receipt.objects.update(period=two_months_ago)

    assert pipeline.open_feedback_publish(two_months_ago) is None

    assert not Response.objects.exists()
    assert set(PoolEntry.objects.values_list("period", flat=True)) == {last_month}
    assert set(Receipt.objects.values_list("period", flat=True)) == {last_month}
    late = PersonFactory(start_date=START)
    submission.open_feedback_submit(person=late, topic="", text="Guidance on AI tools is missing.")
    PoolEntry.objects.update(period=last_month)
    assert pipeline.open_feedback_publish(last_month) is not None
    assert Response.objects.filter(period=last_month).count() == 6
