"""Limits on admins (DESIGN.md P7, P8): attributes frozen at open, accounts that cannot vanish during a round,
and the append-only change log HR reads. The limits on opening a round are in tests/test_rounds.py."""

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import User
from accounts.services import role_grant
from surveys import attributes, roster, rounds
from surveys.changelog import ENTRIES_PER_PAGE
from surveys.models import Invitation, Participation, Person, ReportableAttribute, Round, RoundQuestion
from tests import factories
from tests.factories import PersonFactory, RoundFactory, RoundQuestionFactory

NOW = timezone.now().replace(second=0, microsecond=0)
TODAY = timezone.localdate(NOW)
AUDIENCE = 10


def _people(count: int, **fields) -> list[Person]:
    return PersonFactory.create_batch(count, **fields)


def _opened(**fields) -> Round:
    round = RoundFactory(k=3, **fields)
    RoundQuestionFactory(round=round, kind="likert", required=True)
    return rounds.round_open(round, NOW)


def _frozen(round: Round) -> dict:
    return dict(Invitation.objects.filter(round=round).values_list("person_id", "attributes"))


def _roster_apply(people: list[Person], *, department: str, team: str) -> None:
    """Re-import the roster with everyone but the first person, moved to another department and team."""
    lines = ["email,name,department,location,level,start_date,Team"]
    lines += [
        f"{person.user.email},{person.user.name},{department},Paris,9,{person.start_date.isoformat()},{team}"
        for person in people[1:]
    ]
    upload = SimpleUploadedFile("roster.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")
    parsed = roster.roster_file_parse(uploaded_file=upload)
    pending = roster.roster_import_create(parsed=parsed, file_name="roster.csv", uploaded_by=None)
    roster.roster_import_apply(roster_import=pending, reportable_columns=["Team"])


@pytest.fixture
def superuser(db) -> User:
    return factories.UserFactory(email="root@example.com", is_staff=True, is_superuser=True, totp_secret=True)


# --- attributes frozen at open (P7) ------------------------------------------------------------


def test_a_roster_reimport_during_the_round_leaves_every_invitations_attributes_unchanged(db):
    ReportableAttribute.objects.create(key="team", label="Team", added_on=TODAY - timedelta(days=400))
    people = _people(AUDIENCE, department="Sales", attributes={"team": "Payments"})
    round = _opened()
    frozen = _frozen(round)

    _roster_apply(people, department="Legal", team="Growth")

    assert Person.objects.filter(department="Legal").count() == AUDIENCE - 1
    assert Person.objects.get(id=people[0].id).active  # left out, but kept until the open round closes
    assert _frozen(round) == frozen
    assert {values["department"] for values in frozen.values()} == {"Sales"}
    assert {values["team"] for values in frozen.values()} == {"Payments"}


def test_a_work_anniversary_during_the_round_leaves_the_frozen_tenure_band_unchanged(db):
    person = PersonFactory(start_date=TODAY - timedelta(days=364))
    _people(AUDIENCE - 1)
    round = _opened(reminder_every_days=1)
    two_days_on = NOW + timedelta(days=2)

    rounds.round_open(round, two_days_on)
    rounds.round_reminders_send(round.id, today=two_days_on.date())

    assert attributes.raw_attributes(person, two_days_on.date(), extra_keys=[])["tenure_band"] == "1–2 years"
    assert Invitation.objects.get(round=round, person=person).attributes["tenure_band"] == "less than 1 year"


# --- nobody invited to an open round is deleted (P7) -------------------------------------------


def test_deleting_an_account_invited_to_an_open_round_is_refused_in_the_admin_site_without_saying_who_took_part(
    superuser, client_as
):
    people = _people(AUDIENCE)
    round = _opened(title="Winter pulse")
    target = people[0]
    Participation.objects.create(round=round, person=target)
    url = reverse("admin:accounts_user_delete", args=[target.user_id])
    client = client_as(superuser)

    page = client.get(url).content.decode()
    client.post(url, {"post": "yes"})

    assert f"{target.user.email} is invited to the open round “Winter pulse”" in page
    assert "Participation" not in page
    assert User.objects.filter(id=target.user_id).exists()
    assert Person.objects.filter(id=target.id).exists()


def test_the_refusal_is_the_same_whether_or_not_the_person_took_part(db):
    people = _people(AUDIENCE)
    round = _opened(title="Winter pulse")
    Participation.objects.create(round=round, person=people[0])

    took_part, did_not = (roster.accounts_deletion_refusals([person.user_id]) for person in people[:2])

    assert took_part == [did_not[0].replace(people[1].user.email, people[0].user.email)]


def test_an_account_in_no_open_round_can_be_deleted_in_the_admin_site(superuser, client_as):
    people = _people(AUDIENCE)
    round = _opened()
    rounds.round_close(round, NOW + timedelta(hours=1))

    client_as(superuser).post(reverse("admin:accounts_user_delete", args=[people[0].user_id]), {"post": "yes"})

    assert not User.objects.filter(id=people[0].user_id).exists()


# --- the change log: what is in it ---------------------------------------------------------------


def test_only_the_roster_rounds_and_roles_are_registered_in_the_change_log():
    registered = {model._meta.label for model in auditlog.get_models()}

    assert registered == {
        "surveys.Person",
        "surveys.ReportableAttribute",
        "surveys.Round",
        "surveys.RoundQuestion",
        "accounts.User",
        "auth.Group",
    }


def test_a_round_edit_by_an_admin_is_logged_with_who_made_it_and_what_changed(admin, client_as):
    round = RoundFactory(title="Pulse", k=5)
    form = {"title": "Renamed pulse", "k": "6", "comment_threshold": "", "reminder_every_days": "0"}

    client_as(admin).post(reverse("surveys:round_detail", args=[round.id]), form)

    entry = LogEntry.objects.get_for_object(round).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor_email == "admin@example.com"
    assert entry.changes_dict["title"] == ["Pulse", "Renamed pulse"]
    assert entry.changes_dict["k"] == ["5", "6"]


def test_choosing_a_rounds_questions_and_opening_it_are_logged(admin, client_as):
    _people(AUDIENCE)
    question = factories.QuestionFactory(text="AI tools make me more productive.")
    round = RoundFactory(k=3)
    client = client_as(admin)

    client.post(reverse("surveys:round_questions", args=[round.id]), {"questions": [str(question.id)]})
    client.post(reverse("surveys:round_open", args=[round.id]))

    copy = RoundQuestion.objects.get(round=round)
    assert LogEntry.objects.get_for_object(copy).get().actor_email == "admin@example.com"
    opened = LogEntry.objects.get_for_object(round).filter(action=LogEntry.Action.UPDATE).get()
    assert opened.changes_dict["state"] == ["draft", "open"]
    assert opened.actor_email == "admin@example.com"


def test_a_role_granted_in_the_admin_site_is_logged(superuser, employee, client_as):
    hr_group = Group.objects.get(name=roles.HR_ANALYST.group)
    groups = [str(group.id) for group in employee.groups.all()] + [str(hr_group.id)]
    form = {"email": employee.email, "name": employee.name, "is_active": "on", "groups": groups}

    response = client_as(superuser).post(reverse("admin:accounts_user_change", args=[employee.id]), form)

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(employee).filter(actor_email="root@example.com").get()
    assert entry.changes_dict["groups"] == {"type": "m2m", "operation": "add", "objects": ["HR analyst"]}


def test_a_role_granted_by_a_service_is_logged_with_the_actor_of_the_moment(admin, employee):
    with set_actor(admin):
        role_grant(user=employee, roles=(roles.SURVEY_ADMIN,))

    entry = LogEntry.objects.get_for_object(employee).filter(actor_email="admin@example.com").get()
    assert entry.changes_dict["groups"]["objects"] == ["Survey admin"]


def test_taking_part_logging_in_and_reminders_never_reach_the_change_log(employee, client_as):
    person = PersonFactory(user=employee)
    _people(AUDIENCE - 1)
    round = _opened(reminder_every_days=1)
    logged = LogEntry.objects.count()
    client = client_as(employee)
    question = round.questions.get()

    client.get(reverse("surveys:round_answer", args=[round.id]))
    response = client.post(
        reverse("surveys:round_answer", args=[round.id]), {f"q_{question.id.hex}": "4", "action": "submit"}
    )
    rounds.round_reminders_send(round.id, today=TODAY + timedelta(days=1))

    assert response.status_code == 200
    assert Participation.objects.filter(round=round, person=person).exists()
    assert LogEntry.objects.count() == logged


def test_invitations_and_participation_never_appear_in_the_change_log(db):
    people = _people(AUDIENCE)
    round = _opened()
    Participation.objects.create(round=round, person=people[0])
    Invitation.objects.filter(round=round, person=people[1]).update(attributes={})

    models = set(LogEntry.objects.values_list("content_type__model", flat=True))

    assert models.isdisjoint({"invitation", "participation", "poolentry", "response", "receipt"})


# --- the change log: who reads it ----------------------------------------------------------------


def test_hr_reads_the_change_log_newest_first_with_who_what_and_when(hr, admin, client_as):
    round = RoundFactory(title="Pulse")
    with set_actor(admin):
        rounds.round_update(round, title="Renamed pulse")
        ReportableAttribute.objects.create(key="team", label="Team")

    html = client_as(hr).get(reverse("surveys:change_log")).content.decode()

    assert html.index("Roster column “Team” added") < html.index("Round “Renamed pulse” changed")
    assert "admin@example.com" in html
    assert "title: Pulse → Renamed pulse" in html
    assert timezone.localtime().strftime("%H:") in html
    assert "/hr/rounds/" not in html and "/results/" not in html


def test_the_change_log_is_paginated(hr, client_as):
    for number in range(ENTRIES_PER_PAGE + 5):
        ReportableAttribute.objects.create(key=f"column-{number}", label=f"Column {number}")
    client = client_as(hr)

    first = client.get(reverse("surveys:change_log"))
    second = client.get(reverse("surveys:change_log"), {"page": 2})

    assert len(first.context["page"].object_list) == ENTRIES_PER_PAGE
    assert "Older" in first.content.decode()
    assert "Roster column “Column 0” added" in second.content.decode()


def test_the_change_log_page_needs_a_bounded_number_of_queries(hr, client_as, django_assert_max_num_queries):
    _people(30)
    client = client_as(hr)

    with django_assert_max_num_queries(9):
        client.get(reverse("surveys:change_log"))


@pytest.mark.parametrize("persona", ["employee", "admin", "outsider"])
def test_the_change_log_is_refused_to_everyone_but_hr(persona, request, client_as):
    client = client_as(request.getfixturevalue(persona))

    assert client.get(reverse("surveys:change_log")).status_code == 403


# --- the change log: append-only ---------------------------------------------------------------


def test_no_product_url_changes_the_change_log(hr, client_as):
    ReportableAttribute.objects.create(key="team", label="Team")
    before = list(LogEntry.objects.values_list())

    response = client_as(hr).post(reverse("surveys:change_log"), {"action": "delete"})

    assert response.status_code == 405
    assert list(LogEntry.objects.values_list()) == before


def test_not_even_a_superuser_can_edit_add_or_delete_entries_in_the_admin_site(superuser, client_as):
    ReportableAttribute.objects.create(key="team", label="Team")
    entry = LogEntry.objects.get(object_repr="Team")
    before = list(LogEntry.objects.values_list())
    client = client_as(superuser)

    changed = client.post(reverse("admin:auditlog_logentry_change", args=[entry.id]), {"object_repr": "Nothing"})
    deleted = client.post(reverse("admin:auditlog_logentry_delete", args=[entry.id]), {"post": "yes"})
    added = client.post(reverse("admin:auditlog_logentry_add"), {"object_repr": "Planted", "action": "0"})
    listed = client.get(reverse("admin:auditlog_logentry_changelist"))
    bulk = client.post(
        reverse("admin:auditlog_logentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.id], "post": "yes"},
    )

    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert listed.status_code == 200
    assert "delete_selected" not in listed.content.decode()
    assert bulk.status_code in (200, 302)
    assert list(LogEntry.objects.values_list()) == before


# --- what the employee sees of the audience (P8) ------------------------------------------------


def test_the_answer_page_states_the_audience_size_criteria_recent_additions_and_names(employee, client_as):
    PersonFactory(user=employee, department="Sales", added_on=TODAY - timedelta(days=400))
    colleagues = _people(AUDIENCE - 1, department="Sales")
    round = _opened(audience={"department": ["Sales"]})

    html = client_as(employee).get(reverse("surveys:round_answer", args=[round.id])).content.decode()

    assert "Who is invited: 10 people" in html
    assert "Chosen as Department: Sales." in html
    assert "9 of these people" in html
    for person in colleagues:
        assert person.user.name.replace("'", "&#x27;") in html
