import logging
from datetime import timedelta

import factory
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app
from surveys import rounds
from surveys.models import Invitation, Participation, Person, ReportableAttribute, Round
from tests.factories import PersonFactory, QuestionFactory, RoundFactory, RoundQuestionFactory

State = Round.State
NOW = timezone.now().replace(second=0, microsecond=0)
# The smallest audience a round with k=3 may open with: max(3k, 10).
AUDIENCE = 10
LATER = NOW + timedelta(hours=1)
OLD = NOW.date() - timedelta(days=400)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    round = factory.SubFactory(RoundFactory)
    person = factory.SubFactory(PersonFactory)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    round = factory.SubFactory(RoundFactory)
    person = factory.SubFactory(PersonFactory)


def _people(count: int, **fields) -> list:
    return PersonFactory.create_batch(count, **fields)


def _ready_round(**fields) -> Round:
    """A draft round with one question, ready to open."""
    round = RoundFactory(**fields)
    RoundQuestionFactory(round=round)
    return round


def _open_round(**fields) -> Round:
    return rounds.round_open(_ready_round(**fields), NOW)


def _submit(round: Round, people) -> None:
    Participation.objects.bulk_create([Participation(round=round, person=person) for person in people])


def _column(key: str, label: str, added_on=OLD) -> ReportableAttribute:
    return ReportableAttribute.objects.create(key=key, label=label, added_on=added_on)


def _own_audience(department: str, count: int = AUDIENCE) -> dict:
    """People of a department of their own, and the audience that picks exactly them."""
    _people(count, department=department)
    return {"department": [department]}


# --- settings: k, comment threshold, times ------------------------------------------------


def test_a_new_round_is_a_draft_with_k_5_and_a_comment_threshold_of_twice_k(db):
    round = rounds.round_create(title="AI tools pulse")

    assert (round.state, round.k, round.comment_threshold) == (State.DRAFT, 5, 10)


def test_an_empty_comment_threshold_becomes_twice_k(db):
    round = rounds.round_create(title="Pulse", k=4, comment_threshold=None)
    assert round.comment_threshold == 8

    rounds.round_update(round, k=6, comment_threshold=None)

    round.refresh_from_db()
    assert round.comment_threshold == 12


@pytest.mark.parametrize("k", [0, 1, 2])
def test_k_below_3_is_refused(db, k):
    with pytest.raises(ValidationError) as error:
        rounds.round_create(title="Pulse", k=k)

    assert "at least 3" in error.value.message_dict["k"][0]


def test_a_draft_round_may_lower_k_to_3(db):
    round = rounds.round_create(title="Pulse", k=8)

    rounds.round_update(round, k=3, comment_threshold=6)

    round.refresh_from_db()
    assert round.k == 3


def test_a_comment_threshold_below_k_is_refused(db):
    with pytest.raises(ValidationError) as error:
        rounds.round_create(title="Pulse", k=5, comment_threshold=4)

    assert error.value.message_dict["comment_threshold"] == ["The comment threshold must be at least k (5)."]


def test_an_open_round_may_raise_k_but_never_lower_it(db):
    _people(12)
    round = _open_round(k=4, comment_threshold=8)

    rounds.round_update(round, k=5)
    with pytest.raises(ValidationError) as error:
        rounds.round_update(round, k=4)

    round.refresh_from_db()
    assert round.k == 5
    assert "can only be raised" in error.value.message_dict["k"][0]


def test_an_open_round_may_not_lower_its_comment_threshold(db):
    _people(AUDIENCE)
    round = _open_round(k=3, comment_threshold=9)

    with pytest.raises(ValidationError) as error:
        rounds.round_update(round, comment_threshold=6)

    assert "can only be raised" in error.value.message_dict["comment_threshold"][0]


def test_the_audience_and_opening_time_of_an_open_round_are_fixed(db):
    _people(AUDIENCE, department="Sales")
    round = _open_round(k=3)

    with pytest.raises(ValidationError) as error:
        rounds.round_update(round, audience={"department": ["Sales"]}, opens_at=NOW + timedelta(days=1))

    assert set(error.value.message_dict) == {"audience", "opens_at"}


def test_a_closed_round_cannot_be_edited_at_all(db):
    _people(AUDIENCE)
    round = rounds.round_close(_open_round(k=3), LATER)

    with pytest.raises(ValidationError, match="closed"):
        rounds.round_update(round, title="Renamed")
    with pytest.raises(ValidationError, match="fixed once it opens"):
        rounds.round_questions_set(round, [QuestionFactory().id])

    round.refresh_from_db()
    assert round.title != "Renamed"


def test_the_closing_time_must_be_after_the_opening_time(db):
    with pytest.raises(ValidationError) as error:
        rounds.round_create(title="Pulse", opens_at=NOW, closes_at=NOW)

    assert list(error.value.message_dict) == ["closes_at"]


def test_an_audience_may_only_name_known_attributes(db):
    _column("team", "Team")

    round = rounds.round_create(title="Pulse", audience={"team": ["Payments"], "location": []})
    with pytest.raises(ValidationError):
        rounds.round_create(title="Pulse", audience={"salary": ["high"]})

    assert round.audience == {"team": ["Payments"]}


def test_an_audience_cannot_be_chosen_by_a_roster_column_added_less_than_30_days_ago(db):
    _column("team", "Team", added_on=timezone.localdate() - timedelta(days=29))

    with pytest.raises(ValidationError) as error:
        rounds.round_create(title="Pulse", audience={"team": ["Payments"]})

    message = error.value.message_dict["audience"][0]
    assert "“Team”" in message
    assert "30 days after it was added" in message
    assert not Round.objects.exists()


def test_a_roster_column_30_days_old_and_the_built_in_attributes_may_choose_an_audience(db):
    _column("team", "Team", added_on=timezone.localdate() - timedelta(days=30))

    round = rounds.round_create(
        title="Pulse",
        audience={"team": ["Payments"], "department": ["Sales"], "level_band": ["levels 3–4"], "tenure_band": []},
    )

    assert round.audience == {"department": ["Sales"], "level_band": ["levels 3–4"], "team": ["Payments"]}


def test_a_young_column_may_be_saved_for_a_round_that_opens_when_it_is_30_days_old(db):
    _column("team", "Team", added_on=timezone.localdate() - timedelta(days=20))

    later = rounds.round_create(
        title="Pulse", audience={"team": ["Payments"]}, opens_at=timezone.now() + timedelta(days=11)
    )
    with pytest.raises(ValidationError):
        rounds.round_create(title="Pulse", audience={"team": ["Payments"]}, opens_at=timezone.now() + timedelta(days=5))

    assert later.audience == {"team": ["Payments"]}


def test_a_round_update_that_narrows_the_audience_by_a_young_column_is_refused_and_changes_nothing(db):
    round = rounds.round_create(title="Pulse", audience={"department": ["Sales"]})
    _column("team", "Team", added_on=timezone.localdate())

    with pytest.raises(ValidationError, match="Team"):
        rounds.round_update(round, audience={"department": ["Sales"], "team": ["Payments"]})

    round.refresh_from_db()
    assert round.audience == {"department": ["Sales"]}


# --- questions ----------------------------------------------------------------------------


def test_a_round_copies_library_questions_in_the_chosen_order(db):
    likert = QuestionFactory(text="AI helps me.", required=True, indicator="productivity")
    choice = QuestionFactory(text="Which tool?", kind="single", choices=["A", "B"])
    round = RoundFactory()

    rounds.round_questions_set(round, [choice.id, likert.id])
    rounds.round_questions_set(round, [choice.id, likert.id])

    copies = list(round.questions.values_list("text", "kind", "choices", "required", "indicator", "position"))
    assert copies == [
        ("Which tool?", "single", ["A", "B"], False, "", 0),
        ("AI helps me.", "likert", [], True, "productivity", 1),
    ]


def test_the_questions_of_an_open_round_are_fixed(db):
    _people(AUDIENCE)
    round = _open_round(k=3)

    with pytest.raises(ValidationError):
        rounds.round_questions_set(round, [QuestionFactory().id])

    assert round.questions.count() == 1


# --- opening ------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "minimum"), [(3, 10), (4, 12), (5, 15)])
def test_the_smallest_audience_that_may_open_is_3k_and_never_fewer_than_10(db, k, minimum):
    assert rounds.minimum_audience(k) == minimum


def test_a_round_whose_audience_is_under_the_minimum_cannot_open_and_the_message_names_the_numbers(db):
    _people(14, department="Sales")
    _people(20, department="Engineering")
    round = _ready_round(k=5, audience={"department": ["Sales"]})

    with pytest.raises(rounds.RoundCannotOpen) as error:
        rounds.round_open(round, NOW)

    assert "The audience of 14 people is too small: with k=5 a round needs at least 15 people" in str(error.value)
    round.refresh_from_db()
    assert round.state == State.DRAFT
    assert not Invitation.objects.exists()


def test_an_audience_of_exactly_the_minimum_opens(db):
    _people(15, department="Sales")

    round = rounds.round_open(_ready_round(k=5, audience={"department": ["Sales"]}), NOW)

    assert (round.state, round.audience_size) == (State.OPEN, 15)


def test_an_audience_of_9_cannot_open_even_with_k_3(db):
    _people(9)

    with pytest.raises(rounds.RoundCannotOpen, match="at least 10 people"):
        rounds.round_open(_ready_round(k=3), NOW)


def test_a_round_without_questions_cannot_open(db):
    _people(5)

    with pytest.raises(rounds.RoundCannotOpen, match="no questions"):
        rounds.round_open(RoundFactory(), NOW)


def test_a_round_whose_closing_time_has_passed_cannot_open(db):
    _people(5)

    with pytest.raises(rounds.RoundCannotOpen, match="already past"):
        rounds.round_open(_ready_round(closes_at=NOW - timedelta(hours=1)), NOW)


def test_opening_invites_exactly_the_audience(db):
    _column("team", "Team")
    wanted = [
        *_people(4, department="Engineering", location="Berlin", attributes={"team": "Payments"}),
        *_people(4, department="Sales", location="Berlin", attributes={"team": "Payments"}),
        *_people(2, department="Sales", location="Berlin", attributes={"team": "Growth"}),
    ]
    _people(2, department="Engineering", location="Lisbon", attributes={"team": "Payments"})
    _people(2, department="Legal", location="Berlin", attributes={"team": "Payments"})
    _people(2, department="Sales", location="Berlin", attributes={"team": "Payments"}, active=False)
    audience = {"department": ["Engineering", "Sales"], "location": ["Berlin"], "team": ["Payments", "Growth"]}

    round = rounds.round_open(_ready_round(k=3, audience=audience), NOW)

    invited = set(Invitation.objects.filter(round=round).values_list("person_id", flat=True))
    assert invited == {person.id for person in wanted}
    assert round.state == State.OPEN
    assert round.audience_size == 10


def test_opening_freezes_the_audience_groups_and_the_opening_time(db):
    _column("team", "Team")
    _people(6, department="Engineering", attributes={"team": "Payments"})
    _people(4, department="Sales", attributes={"team": "Growth"})

    round = rounds.round_open(_ready_round(k=3, opens_at=NOW + timedelta(days=3)), NOW)

    round.refresh_from_db()
    assert round.audience_groups["department"] == {"Engineering": 6, "Sales": 4}
    assert round.audience_groups["team"] == {"Payments": 6, "Growth": 4}
    assert round.audience_groups["location"] == {"Berlin": 10}
    assert round.opens_at == NOW


def test_opening_freezes_each_invitees_banded_attributes_on_their_invitation(db):
    _column("team", "Team")
    _column("site", "Site")
    started = NOW.date() - timedelta(days=2 * 365 + 10)
    person = PersonFactory(
        department="Sales", location="Lisbon", level="L6", start_date=started, attributes={"team": "Payments"}
    )
    _people(AUDIENCE - 1)

    round = rounds.round_open(_ready_round(k=3), NOW)

    assert Invitation.objects.get(round=round, person=person).attributes == {
        "department": "Sales",
        "location": "Lisbon",
        "level_band": "levels 5–6",
        "tenure_band": "1–2 years",
        "site": "unknown",
        "team": "Payments",
    }


def test_opening_sends_the_invitations_after_the_commit_with_only_the_round_id(db, django_capture_on_commit_callbacks):
    _people(AUDIENCE)
    round = _ready_round(k=3)

    with django_capture_on_commit_callbacks() as callbacks:
        rounds.round_open(round, NOW)

    assert len(callbacks) == 1
    assert not mail.outbox


def test_opening_an_open_round_again_changes_nothing(db):
    _people(AUDIENCE)
    round = _open_round(k=3)
    PersonFactory()

    rounds.round_open(round, NOW + timedelta(hours=1))

    assert Invitation.objects.filter(round=round).count() == AUDIENCE


def test_a_round_whose_audience_overlaps_an_open_round_cannot_open_and_the_message_counts_without_naming(db):
    engineers = _people(12, department="Engineering")
    _people(AUDIENCE, department="Sales")
    first = _open_round(k=3, title="Engineering pulse", audience={"department": ["Engineering"]})
    everyone = _ready_round(k=3, title="Company pulse")

    with pytest.raises(rounds.RoundCannotOpen) as error:
        rounds.round_open(everyone, NOW)

    message = str(error.value)
    assert "12 people in this audience are already invited to another open round: “Engineering pulse”" in message
    assert "only one open round at a time" in message
    for person in engineers:
        assert person.user.email not in message
        assert person.user.name not in message
    everyone.refresh_from_db()
    assert everyone.state == State.DRAFT
    assert not Invitation.objects.filter(round=everyone).exists()
    assert first.state == State.OPEN


def test_an_overlap_of_one_person_is_enough_to_refuse(db):
    _people(AUDIENCE - 1, department="Engineering", location="Lisbon")
    _people(AUDIENCE - 1, department="Sales")
    PersonFactory(department="Sales", location="Lisbon")
    _open_round(k=3, title="Lisbon pulse", audience={"location": ["Lisbon"]})

    with pytest.raises(rounds.RoundCannotOpen, match="1 person in this audience is already invited"):
        rounds.round_open(_ready_round(k=3, audience={"department": ["Sales"]}), NOW)


def test_rounds_with_separate_audiences_may_be_open_at_once_and_a_closed_round_no_longer_counts(db):
    engineering = _own_audience("Engineering")
    sales = _own_audience("Sales")
    first = _open_round(k=3, audience=engineering)

    second = _open_round(k=3, audience=sales)
    rounds.round_close(first, LATER)
    again = _open_round(k=3, audience=engineering)

    assert (second.state, again.state) == (State.OPEN, State.OPEN)


def test_a_column_too_young_when_the_round_opens_is_refused_again_at_opening(db):
    _column("team", "Team", added_on=NOW.date() - timedelta(days=20))
    _people(AUDIENCE, attributes={"team": "Payments"})
    round = _ready_round(k=3)
    Round.objects.filter(id=round.id).update(audience={"team": ["Payments"]})

    with pytest.raises(rounds.RoundCannotOpen, match="cannot be chosen by “Team” yet"):
        rounds.round_open(round, NOW)

    round.refresh_from_db()
    assert round.state == State.DRAFT


# --- e-mail -------------------------------------------------------------------------------


def test_every_invitee_gets_an_invitation_with_the_title_the_close_date_and_a_login_link(db, settings):
    settings.CANDOR_SITE_URL = "https://candor.example.org"
    invitees = _people(AUDIENCE, department="Sales")
    _people(3, department="Legal")
    closes_at = NOW + timedelta(days=7)
    round = _open_round(k=3, title="AI mandates check-in", closes_at=closes_at, audience={"department": ["Sales"]})

    sent = rounds.round_invitations_send(round.id)

    assert sent == AUDIENCE
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.user.email for person in invitees)
    assert all(len(message.to) == 1 for message in mail.outbox)
    message = mail.outbox[0]
    assert "AI mandates check-in" in message.subject
    assert rounds.when(closes_at) in message.body
    assert f"https://candor.example.org/accounts/login/code/?next=/rounds/{round.id}/" in message.body


def test_a_title_with_line_breaks_still_gives_a_one_line_subject(db):
    _people(AUDIENCE, department="Sales")
    round = _open_round(k=3, title="AI check-in\r\nBcc: everyone@example.com", audience={"department": ["Sales"]})

    assert rounds.round_invitations_send(round.id) == AUDIENCE
    assert mail.outbox[0].subject.endswith("AI check-in Bcc: everyone@example.com")
    assert "\n" not in mail.outbox[0].subject


def test_the_default_site_url_points_at_the_local_server():
    assert settings.CANDOR_SITE_URL == "http://127.0.0.1:8000"


def test_invitations_are_sent_in_chunks_over_one_connection(db, monkeypatch):
    _people(11)
    round = _open_round(k=3)
    monkeypatch.setattr(rounds, "MAIL_CHUNK", 3)

    assert rounds.round_invitations_send(round.id) == 11
    assert len(mail.outbox) == 11


def test_the_invitation_states_the_audience_its_criteria_its_recent_additions_and_its_names_under_50(db):
    today = NOW.date()
    long_known = _people(7, department="Sales", added_on=today - timedelta(days=400))
    thirty_days_ago = _people(1, department="Sales", added_on=today - timedelta(days=30))
    recent = _people(2, department="Sales", added_on=today - timedelta(days=29)) + _people(1, department="Sales")
    outsider = PersonFactory(department="Legal")
    round = _open_round(k=3, audience={"department": ["Sales"]})

    rounds.round_invitations_send(round.id)

    body = mail.outbox[0].body
    assert "Who is invited: 11 people, chosen as Department: Sales." in body
    assert "3 of these people were added to the roster in the 30 days before the round opened." in body
    for person in long_known + thirty_days_ago + recent:
        assert f"- {person.user.name}\n" in body
    assert outsider.user.name not in body


def test_an_invitation_to_50_people_or_more_lists_no_names_and_says_everyone_on_the_roster(db):
    people = _people(50)
    round = _open_round(k=3)

    rounds.round_invitations_send(round.id)

    body = mail.outbox[0].body
    assert "Who is invited: 50 people, chosen as everyone on the roster." in body
    assert "0 of these people were added" in body
    assert "here is everyone invited" not in body
    assert all(person.user.name not in body for person in people)


def test_the_statement_counts_the_invitations_so_a_roster_change_after_opening_does_not_alter_it(db):
    people = _people(AUDIENCE, department="Sales")
    round = _open_round(k=3, audience={"department": ["Sales"]})
    people[0].active = False
    people[0].save()
    PersonFactory(department="Sales")

    statement = rounds.audience_statement(round)

    assert (statement.size, len(statement.names), statement.recently_added) == (AUDIENCE, AUDIENCE, AUDIENCE)


def test_reminders_go_to_everyone_invited_so_their_list_says_nothing_about_who_answered(db):
    people = _people(AUDIENCE)
    round = _open_round(k=3, reminder_every_days=2)
    _submit(round, people[:8])
    outsider = PersonFactory()

    sent = rounds.round_reminders_send(round.id, today=NOW.date() + timedelta(days=2))

    assert sent == AUDIENCE
    recipients = {message.to[0] for message in mail.outbox}
    assert recipients == {person.user.email for person in people}
    assert "If you have already answered, thank you" in mail.outbox[0].body
    assert outsider.user.email not in recipients
    assert "Reminder" in mail.outbox[0].subject
    assert f"Who is invited: {AUDIENCE} people, chosen as everyone on the roster." in mail.outbox[0].body


def test_reminders_follow_the_cadence_counted_from_the_invitation(db):
    _people(AUDIENCE)
    round = _open_round(k=3, reminder_every_days=3)
    opened = NOW.date()

    assert rounds.round_reminders_send(round.id, today=opened + timedelta(days=2)) == 0
    assert rounds.round_reminders_send(round.id, today=opened + timedelta(days=3)) == AUDIENCE
    assert rounds.round_reminders_send(round.id, today=opened + timedelta(days=3)) == 0
    assert rounds.round_reminders_send(round.id, today=opened + timedelta(days=5)) == 0
    assert rounds.round_reminders_send(round.id, today=opened + timedelta(days=6)) == AUDIENCE

    round.refresh_from_db()
    assert round.last_reminded_on == opened + timedelta(days=6)


def test_a_round_without_a_reminder_cadence_sends_no_reminders(db):
    _people(AUDIENCE)
    round = _open_round(k=3, reminder_every_days=0)

    assert rounds.round_reminders_send(round.id, today=NOW.date() + timedelta(days=30)) == 0
    assert not mail.outbox


def test_due_reminders_are_queued_only_for_open_rounds_whose_turn_has_come(db, django_capture_on_commit_callbacks):
    due = _open_round(k=3, reminder_every_days=2, audience=_own_audience("Sales"))
    reminded_yesterday = _open_round(k=3, reminder_every_days=2, audience=_own_audience("Legal"))
    Round.objects.filter(id=reminded_yesterday.id).update(last_reminded_on=NOW.date() + timedelta(days=1))
    _open_round(k=3, reminder_every_days=0, audience=_own_audience("Design"))
    RoundFactory(reminder_every_days=1)

    with django_capture_on_commit_callbacks() as callbacks:
        queued = rounds.reminders_due(today=NOW.date() + timedelta(days=2))

    assert queued == [due.id]
    assert len(callbacks) == 1


# --- advancing by time --------------------------------------------------------------------


def test_rounds_advance_opens_scheduled_rounds_whose_time_has_come(db):
    _people(AUDIENCE)
    due = _ready_round(k=3, state=State.SCHEDULED, opens_at=NOW - timedelta(minutes=1))
    later = _ready_round(k=3, state=State.SCHEDULED, opens_at=NOW + timedelta(minutes=1))
    draft = _ready_round(k=3, opens_at=NOW - timedelta(minutes=1))

    assert rounds.rounds_advance(NOW) == {"opened": 1, "closed": 0}

    states = dict(Round.objects.values_list("id", "state"))
    assert (states[due.id], states[later.id], states[draft.id]) == (State.OPEN, State.SCHEDULED, State.DRAFT)
    assert Invitation.objects.filter(round=due).count() == AUDIENCE


def test_rounds_advance_closes_open_rounds_whose_time_is_up(db):
    due = _open_round(k=3, closes_at=NOW + timedelta(hours=1), audience=_own_audience("Sales"))
    later = _open_round(k=3, closes_at=NOW + timedelta(hours=3), audience=_own_audience("Legal"))

    assert rounds.rounds_advance(NOW + timedelta(hours=2)) == {"opened": 0, "closed": 1}

    states = dict(Round.objects.values_list("id", "state"))
    assert (states[due.id], states[later.id]) == (State.CLOSED, State.OPEN)


def test_a_scheduled_round_that_cannot_open_goes_back_to_draft_and_the_log_names_no_one(db, caplog):
    people = _people(2)
    round = _ready_round(k=5, state=State.SCHEDULED, opens_at=NOW - timedelta(minutes=1))

    with caplog.at_level(logging.WARNING, logger="surveys.rounds"):
        assert rounds.rounds_advance(NOW) == {"opened": 0, "closed": 0}

    round.refresh_from_db()
    assert round.state == State.DRAFT
    assert "The audience of 2 people is too small" in caplog.text
    for person in people:
        assert person.user.email not in caplog.text
        assert str(person.id) not in caplog.text


def test_scheduling_needs_a_future_opening_time_and_a_question(db):
    with pytest.raises(rounds.RoundStateError, match="in the future"):
        rounds.round_schedule(_ready_round(opens_at=NOW - timedelta(minutes=1)), NOW)
    with pytest.raises(rounds.RoundStateError, match="at least one question"):
        rounds.round_schedule(RoundFactory(opens_at=NOW + timedelta(days=1)), NOW)

    round = rounds.round_schedule(_ready_round(opens_at=NOW + timedelta(days=1)), NOW)

    assert round.state == State.SCHEDULED


# --- closing ------------------------------------------------------------------------------
# What the close publishes, and forgetting who took part, belong to reports/pipeline.py and its tests.


def test_closing_keeps_the_invitations_and_their_frozen_attributes(db):
    _people(AUDIENCE)
    round = _open_round(k=3)
    frozen = dict(Invitation.objects.filter(round=round).values_list("person_id", "attributes"))

    rounds.round_close(round, NOW + timedelta(days=1))

    assert dict(Invitation.objects.filter(round=round).values_list("person_id", "attributes")) == frozen


def test_closing_early_moves_the_closing_time_to_now(db):
    _people(AUDIENCE)
    round = _open_round(k=3, closes_at=NOW + timedelta(days=5))

    rounds.round_close(round, NOW + timedelta(days=1))

    round.refresh_from_db()
    assert (round.state, round.closes_at) == (State.CLOSED, NOW + timedelta(days=1))


def test_closing_twice_keeps_the_first_closing_time(db):
    _people(AUDIENCE)
    round = _open_round(k=3)
    rounds.round_close(round, LATER)

    rounds.round_close(round, NOW + timedelta(days=1))

    round.refresh_from_db()
    assert (round.state, round.closes_at) == (State.CLOSED, LATER)


def test_a_draft_round_cannot_be_closed(db):
    with pytest.raises(rounds.RoundStateError):
        rounds.round_close(RoundFactory(), NOW)


def test_a_round_that_has_not_opened_has_no_participation_summary(db):
    assert rounds.round_participation(RoundFactory()) is None


# --- Celery -------------------------------------------------------------------------------


def test_the_beat_advances_rounds_every_minute_and_checks_reminders_every_hour():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["surveys.tasks.rounds_advance"] == 60.0
    assert schedule["surveys.tasks.reminders_due"] == 3600.0


def test_the_round_tasks_are_registered_and_reliable():
    import surveys.tasks  # noqa: F401 (registers the tasks)

    for name in ("round_invitations_send", "round_reminders_send", "rounds_advance", "reminders_due"):
        task = app.tasks[f"surveys.tasks.{name}"]
        assert task.acks_late is True
        assert task.max_retries == 5


# --- pages --------------------------------------------------------------------------------


def _round_pages(round) -> list[tuple[str, str]]:
    return [
        ("get", reverse("surveys:manage_home")),
        ("get", reverse("surveys:round_new")),
        ("post", reverse("surveys:round_new")),
        ("get", reverse("surveys:round_detail", args=[round.id])),
        ("post", reverse("surveys:round_detail", args=[round.id])),
        ("post", reverse("surveys:round_questions", args=[round.id])),
        ("post", reverse("surveys:round_schedule", args=[round.id])),
        ("post", reverse("surveys:round_unschedule", args=[round.id])),
        ("get", reverse("surveys:round_open", args=[round.id])),
        ("post", reverse("surveys:round_open", args=[round.id])),
        ("get", reverse("surveys:round_close", args=[round.id])),
        ("post", reverse("surveys:round_close", args=[round.id])),
    ]


@pytest.mark.parametrize("persona", ["employee", "hr", "outsider"])
def test_every_round_page_is_refused_to_anyone_but_a_survey_admin(persona, request, client_as, db):
    _people(3)
    round = _ready_round(k=3, title="Untouched")
    client = client_as(request.getfixturevalue(persona))

    for method, url in _round_pages(round):
        assert getattr(client, method)(url, {"title": "Changed"}).status_code == 403, (method, url)

    round.refresh_from_db()
    assert (round.state, round.title, Round.objects.count()) == (State.DRAFT, "Untouched", 1)


def test_every_round_page_sends_visitors_who_are_not_logged_in_to_the_login_page(client, db):
    for method, url in _round_pages(RoundFactory()):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login"))


def _round_form(**overrides) -> dict:
    data = {
        "title": "AI tools pulse",
        "intro": "How are the new AI targets working?",
        "opens_at": "",
        "closes_at": "",
        "k": "5",
        "comment_threshold": "",
        "reminder_every_days": "0",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_round_with_an_audience_and_times(admin, client_as):
    _people(3, department="Sales")
    _people(2, department="Legal")

    response = client_as(admin).post(
        reverse("surveys:round_new"),
        _round_form(opens_at="2031-03-02T09:00", closes_at="2031-03-16T17:00", audience__department=["Sales"]),
    )

    round = Round.objects.get()
    assert response["Location"] == reverse("surveys:round_detail", args=[round.id])
    assert round.audience == {"department": ["Sales"]}
    assert (round.k, round.comment_threshold) == (5, 10)
    assert round.opens_at.isoformat() == "2031-03-02T09:00:00+00:00"


def test_the_new_round_page_offers_the_attribute_values_of_active_people_in_fieldsets(admin, client_as):
    _column("team", "Team")
    _people(2, department="Sales", attributes={"team": "Payments"})
    _people(1, department="Gone", active=False)

    html = client_as(admin).get(reverse("surveys:round_new")).content.decode()

    assert "<legend>Department</legend>" in html
    assert "<legend>Team</legend>" in html
    assert 'value="Sales"' in html
    assert 'value="Payments"' in html
    assert 'value="Gone"' not in html
    assert 'type="datetime-local"' in html


def test_a_refused_round_shows_the_errors_next_to_the_fields_and_keeps_what_was_typed(admin, client_as):
    _people(3, department="Sales")

    response = client_as(admin).post(
        reverse("surveys:round_new"),
        _round_form(k="2", opens_at="2031-03-02T09:00", closes_at="2031-03-01T09:00", audience__department=["Sales"]),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not Round.objects.exists()
    assert 'id="id_k_error"' in html
    assert 'id="id_closes_at_error"' in html
    assert "The closing time must be after the opening time." in html
    assert 'value="2031-03-02T09:00"' in html
    assert 'value="How are the new AI targets working?"' in html or "How are the new AI targets working?" in html
    assert 'value="Sales" id="id_audience__department_0" checked' in html


def test_the_round_page_shows_the_size_of_the_saved_audience(admin, client_as):
    _people(3, department="Sales")
    _people(2, department="Legal")
    round = _ready_round(k=3)
    client = client_as(admin)

    response = client.post(
        reverse("surveys:round_detail", args=[round.id]), _round_form(k="3", audience__department=["Sales", "Legal"])
    )
    html = client.get(response["Location"]).content.decode()

    assert "This audience has 5 people" in html


def test_the_round_page_warns_when_the_audience_is_under_the_minimum(admin, client_as):
    _people(11)
    round = _ready_round(k=4)

    html = client_as(admin).get(reverse("surveys:round_detail", args=[round.id])).content.decode()

    assert "This audience has 11 people, fewer than the 12 a round with k=4 needs" in html


def test_the_audience_picker_says_when_a_new_roster_column_can_choose_an_audience(admin, client_as):
    _column("team", "Team", added_on=timezone.localdate() - timedelta(days=10))
    _column("site", "Site")
    _people(2, attributes={"team": "Payments", "site": "North"})

    html = client_as(admin).get(reverse("surveys:round_new")).content.decode()

    usable_from = timezone.localdate() + timedelta(days=20)
    assert html.count("This roster column is new") == 1
    assert f"it can choose an audience from {usable_from.day} {usable_from:%B %Y}" in html


def test_saving_an_audience_chosen_by_a_young_column_shows_why_and_keeps_what_was_typed(admin, client_as):
    _column("team", "Team", added_on=timezone.localdate() - timedelta(days=3))
    _people(2, attributes={"team": "Payments"})
    round = _ready_round(k=3, title="Before")

    response = client_as(admin).post(
        reverse("surveys:round_detail", args=[round.id]),
        _round_form(title="Payments pulse", k="3", audience__team=["Payments"]),
    )

    html = response.content.decode()
    round.refresh_from_db()
    assert response.status_code == 200
    assert "The audience cannot be chosen by “Team” yet" in html
    assert 'value="Payments pulse"' in html
    assert 'value="Payments" id="id_audience__team_0" checked' in html
    assert (round.title, round.audience) == ("Before", {})


def test_an_admin_picks_and_orders_questions_for_a_round(admin, client_as):
    first = QuestionFactory(text="First")
    QuestionFactory(text="Second")
    third = QuestionFactory(text="Third")
    round = RoundFactory()

    response = client_as(admin).post(
        reverse("surveys:round_questions", args=[round.id]),
        {"questions": [str(first.id), str(third.id)], f"order_{third.id}": "1", f"order_{first.id}": ""},
    )

    assert response.status_code == 302
    assert list(round.questions.values_list("text", flat=True)) == ["Third", "First"]


def test_opening_from_the_page_explains_why_a_round_cannot_open(admin, client_as):
    _people(2)
    round = _ready_round(k=3)
    client = client_as(admin)

    confirmation = client.get(reverse("surveys:round_open", args=[round.id])).content.decode()
    response = client.post(reverse("surveys:round_open", args=[round.id]), follow=True)

    assert "The audience of 2 people is too small" in confirmation
    assert "The audience of 2 people is too small" in response.content.decode()
    round.refresh_from_db()
    assert round.state == State.DRAFT


def test_the_open_page_says_which_open_round_overlaps_and_how_many_people(admin, client_as):
    _people(AUDIENCE)
    _open_round(k=3, title="Spring pulse")
    round = _ready_round(k=3)

    html = client_as(admin).get(reverse("surveys:round_open", args=[round.id])).content.decode()

    assert f"{AUDIENCE} people in this audience are already invited to another open round: “Spring pulse”" in html


def test_an_admin_opens_and_then_closes_a_round_from_its_page(admin, client_as):
    _people(AUDIENCE)
    round = _ready_round(k=3)
    client = client_as(admin)

    confirmation = client.get(reverse("surveys:round_open", args=[round.id])).content.decode()
    assert f"{AUDIENCE} people are in its audience" in confirmation
    assert 'role="alert"' not in confirmation
    client.post(reverse("surveys:round_open", args=[round.id]))
    round.refresh_from_db()
    assert round.state == State.OPEN

    assert "cannot be opened again" in client.get(reverse("surveys:round_close", args=[round.id])).content.decode()
    client.post(reverse("surveys:round_close", args=[round.id]))
    round.refresh_from_db()
    assert round.state == State.CLOSED


def test_the_confirmation_pages_send_a_round_in_the_wrong_state_back_to_its_page(admin, client_as):
    client = client_as(admin)
    draft = RoundFactory()
    _people(AUDIENCE)
    opened = _open_round(k=3)

    assert client.get(reverse("surveys:round_close", args=[draft.id])).status_code == 302
    assert client.get(reverse("surveys:round_open", args=[opened.id])).status_code == 302


def test_an_admin_schedules_a_round_and_takes_it_back_to_draft(admin, client_as):
    round = _ready_round(opens_at=timezone.now() + timedelta(days=2))
    client = client_as(admin)

    client.post(reverse("surveys:round_schedule", args=[round.id]))
    round.refresh_from_db()
    assert round.state == State.SCHEDULED

    client.post(reverse("surveys:round_unschedule", args=[round.id]))
    round.refresh_from_db()
    assert round.state == State.DRAFT


def test_an_admin_raises_k_of_an_open_round_from_its_page(admin, client_as):
    _people(AUDIENCE)
    round = _open_round(k=3, comment_threshold=6)

    response = client_as(admin).post(
        reverse("surveys:round_detail", args=[round.id]), _round_form(k="4", comment_threshold="8")
    )

    round.refresh_from_db()
    assert response.status_code == 302
    assert (round.k, round.comment_threshold) == (4, 8)


def test_lowering_k_of_an_open_round_shows_why_next_to_k_and_keeps_the_input(admin, client_as):
    _people(12)
    round = _open_round(k=4)

    response = client_as(admin).post(
        reverse("surveys:round_detail", args=[round.id]), _round_form(title="Renamed", k="3", comment_threshold="8")
    )

    html = response.content.decode()
    round.refresh_from_db()
    assert response.status_code == 200
    assert round.k == 4
    assert 'id="id_k_error"' in html
    assert "k can only be raised: keep it at 4 or more" in html
    assert 'value="Renamed"' in html
    assert 'name="opens_at"' not in html


def test_the_settings_of_a_closed_round_cannot_be_posted(admin, client_as):
    _people(AUDIENCE)
    round = rounds.round_close(_open_round(k=3, title="Final"), LATER)

    response = client_as(admin).post(reverse("surveys:round_detail", args=[round.id]), _round_form(title="Changed"))

    round.refresh_from_db()
    assert response.status_code == 302
    assert round.title == "Final"


def test_the_round_page_of_an_open_round_shows_participation_without_names(admin, client_as):
    people = _people(AUDIENCE, department="Engineering")
    round = _open_round(k=3)
    _submit(round, people[:3])

    html = client_as(admin).get(reverse("surveys:round_detail", args=[round.id])).content.decode()

    for person in people:
        assert person.user.email not in html
        assert person.user.name not in html


def test_the_dashboard_shows_each_open_rounds_overall_participation(admin, client_as):
    people = _people(AUDIENCE, department="Sales")
    visible = _open_round(k=3, title="Visible pulse", audience={"department": ["Sales"]})
    _submit(visible, people[:3])

    html = client_as(admin).get(reverse("surveys:manage_home")).content.decode()

    assert "30% (3 of 10)" in html
    assert reverse("surveys:question_list") in html
    assert reverse("surveys:round_new") in html


def _several_rounds(count: int) -> None:
    closing = _own_audience("Closing")
    QuestionFactory.create_batch(5)
    for n in range(count):
        audience = _own_audience(f"Open {n}")
        round = _open_round(k=3, title=f"Open {n}", audience=audience)
        _submit(round, Person.objects.filter(department=f"Open {n}")[:4])
        rounds.round_close(_open_round(k=3, title=f"Closed {n}", audience=closing), LATER)
        RoundFactory(title=f"Draft {n}")


def test_the_dashboard_needs_a_bounded_number_of_queries(admin, client_as, django_assert_max_num_queries):
    _several_rounds(4)
    client = client_as(admin)

    with django_assert_max_num_queries(8):
        client.get(reverse("surveys:manage_home"))


@pytest.mark.parametrize("state", ["draft", "open", "closed"])
def test_the_round_page_needs_a_bounded_number_of_queries(state, admin, client_as, django_assert_max_num_queries):
    _several_rounds(3)
    round = Round.objects.filter(state=state).first()
    client = client_as(admin)

    with django_assert_max_num_queries(14):
        client.get(reverse("surveys:round_detail", args=[round.id]))
