import io
import re
from datetime import date, timedelta

import factory
import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts import roles
from accounts.models import User
from surveys import roster
from surveys.models import Invitation, Participation, Person, ReportableAttribute, RosterImport, Round
from surveys.selectors import roster_names
from tests import factories
from tests.rounds import open_round_with

HEADER = "email,name,department,location,level,start_date"


def csv_upload(text: str, name: str = "roster.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def roster_csv(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def line(email: str, name: str = "Ada Lovelace", department: str = "Engineering", *, extra: str = "") -> str:
    fields = [email, name, department, "Berlin", "3", "2020-01-15"]
    return ",".join(fields + ([extra] if extra else []))


class RosterImportFactory(factory.django.DjangoModelFactory):
    """A pending import, made the way the upload page makes it."""

    class Meta:
        model = RosterImport

    file_name = "roster.csv"
    rows = factory.LazyFunction(
        lambda: roster.roster_file_parse(uploaded_file=csv_upload(roster_csv(line("new@example.com")))).rows
    )


def upload(client, upload_file):
    return client.post(reverse("surveys:roster"), {"roster_file": upload_file})


def refused(client, upload_file) -> list[str]:
    """Upload a bad file; check that nothing was stored, and return the error lines the admin sees."""
    users, people = User.objects.count(), Person.objects.count()

    response = upload(client, upload_file)

    assert response.status_code == 200
    assert User.objects.count() == users
    assert Person.objects.count() == people
    assert not RosterImport.objects.exists()
    return [str(error) for error in response.context["errors"].errors]


def uploaded(client, upload_file) -> RosterImport:
    response = upload(client, upload_file)
    assert response.status_code == 302, response.context["errors"].errors
    roster_import = RosterImport.objects.get()
    assert response["Location"] == reverse("surveys:roster_import_preview", args=[roster_import.id])
    return roster_import


def apply(client, roster_import: RosterImport, reportable=()):
    url = reverse("surveys:roster_import_apply", args=[roster_import.id])
    return client.post(url, {"reportable": list(reportable)})


def upload_and_apply(client, text: str, reportable=()) -> RosterImport:
    RosterImport.objects.all().delete()
    roster_import = uploaded(client, csv_upload(text))
    assert apply(client, roster_import, reportable).status_code == 302
    roster_import.refresh_from_db()
    return roster_import


def xlsx_upload(*rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


def person(email: str, **kwargs) -> Person:
    user = factories.employee(email=email, name=kwargs.pop("name", "Ada Lovelace"))
    kwargs.setdefault("start_date", date(2020, 1, 15))
    return factories.PersonFactory(user=user, **kwargs)


@pytest.fixture
def admin_client(admin, client_as):
    return client_as(admin)


# --- the roster page -------------------------------------------------------------------------


def test_the_roster_page_shows_the_people_the_attributes_and_the_upload_form(admin_client):
    person("ada@example.com")
    person("gone@example.com", active=False)
    ReportableAttribute.objects.create(key="team", label="Team")

    response = admin_client.get(reverse("surveys:roster"))

    assert response.status_code == 200
    assert response.context["counts"] == {"active": 1, "inactive": 1}
    html = response.content.decode()
    assert "Team" in html
    assert '<label for="roster-file">' in html
    assert reverse("surveys:roster_example") in html


def test_the_roster_page_lists_recent_uploads(admin_client):
    RosterImportFactory(file_name="march.csv")

    response = admin_client.get(reverse("surveys:roster"))

    assert b"march.csv" in response.content


def test_the_example_file_downloads_as_a_csv_that_passes_the_checks(admin_client):
    response = admin_client.get(reverse("surveys:roster_example"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    parsed = roster.roster_file_parse(uploaded_file=SimpleUploadedFile("example.csv", response.content))
    assert isinstance(parsed, roster.ParsedRoster)
    assert len(parsed.rows) == 3


# --- bad files -------------------------------------------------------------------------------


def test_a_file_with_a_bad_email_is_refused_with_its_line_number(admin_client):
    errors = refused(admin_client, csv_upload(roster_csv(line("ada@example.com"), line("bob@"))))

    assert errors == ['Line 3: "bob@" is not a valid e-mail address.']


def test_a_duplicate_email_is_refused_naming_both_lines_whatever_its_case(admin_client):
    text = roster_csv(line("ada@example.com"), line("bob@example.com"), line("ADA@Example.com"))

    errors = refused(admin_client, csv_upload(text))

    assert errors == ["Line 4: the e-mail address ada@example.com is also on line 2."]


def test_a_date_that_is_not_a_date_is_refused_with_its_line_number(admin_client):
    text = roster_csv("ada@example.com,Ada,Engineering,Berlin,3,31/02/2020")

    errors = refused(admin_client, csv_upload(text))

    assert errors == [
        'Line 2: "31/02/2020" is not a date. Write dates as YYYY-MM-DD (2024-03-31) or DD/MM/YYYY (31/03/2024).'
    ]


def test_a_start_date_in_the_future_is_refused_with_its_line_number(admin_client):
    tomorrow = date.today() + timedelta(days=2)
    text = roster_csv(f"ada@example.com,Ada,Engineering,Berlin,3,{tomorrow.isoformat()}")

    errors = refused(admin_client, csv_upload(text))

    assert errors == [f"Line 2: the start date {tomorrow.isoformat()} is in the future."]


def test_an_empty_required_value_is_refused_with_its_line_number_and_column(admin_client):
    text = roster_csv(line("ada@example.com"), "bob@example.com,Bob,,Berlin,3,2020-01-15")

    errors = refused(admin_client, csv_upload(text))

    assert errors == ['Line 3: the "department" value is empty.']


def test_missing_required_columns_are_named(admin_client):
    text = roster_csv("ada@example.com,Ada,Engineering", header="email,name,department")

    errors = refused(admin_client, csv_upload(text))

    assert len(errors) == 1
    assert errors[0].startswith('Line 1: the "location", "level", "start_date" columns are missing.')


def test_a_column_given_twice_is_refused(admin_client):
    text = roster_csv(line("ada@example.com") + ",x", header=HEADER + ",E-mail")

    errors = refused(admin_client, csv_upload(text))

    assert errors == ['Line 1: the column "E-mail" appears twice.']


def test_a_file_with_too_many_extra_columns_is_refused(admin_client):
    extra = ",".join(f"extra {n}" for n in range(101))

    errors = refused(admin_client, csv_upload(roster_csv(line("ada@example.com"), header=f"{HEADER},{extra}")))

    assert errors == ["Line 1: there are 101 extra columns; at most 100 can be read."]


def test_an_empty_file_is_refused(admin_client):
    errors = refused(admin_client, csv_upload(""))

    assert errors == ["Line 1: the file is empty. The first line must name the columns."]


def test_a_file_with_only_the_column_names_is_refused(admin_client):
    errors = refused(admin_client, csv_upload(roster_csv()))

    assert errors == ["Line 2: there are no people in the file, only the line of column names."]


def test_a_file_that_is_not_utf8_is_refused_and_says_how_to_save_it(admin_client):
    text = roster_csv(line("ada@example.com"), line("zoe@example.com", name="Zoë Müller"))

    errors = refused(admin_client, csv_upload(text, encoding="latin-1"))

    assert len(errors) == 1
    assert errors[0].startswith("Line 3: the file is not UTF-8 text.")
    assert "save the file as UTF-8 CSV" in errors[0]


def test_a_file_with_more_than_100000_people_is_refused(admin_client):
    people = (f"p{n}@example.com,P,D,L,1,2020-01-01" for n in range(100_001))

    errors = refused(admin_client, csv_upload(roster_csv(*people)))

    assert errors == ["Line 100,002: the file has more than 100,000 people, the most one file may hold."]


def test_a_file_over_5_mb_is_refused(admin_client):
    big = SimpleUploadedFile("roster.csv", b"x" * (5 * 1024 * 1024 + 1))

    errors = refused(admin_client, big)

    assert len(errors) == 1
    assert errors[0].startswith("The file is larger than 5.0\xa0MB")


@pytest.mark.parametrize("name", ["roster.pdf", "roster", "roster.xls"])
def test_a_file_of_another_type_is_refused(admin_client, name):
    errors = refused(admin_client, csv_upload(roster_csv(line("ada@example.com")), name=name))

    assert len(errors) == 1
    assert ".xlsx" in errors[0]


def test_a_broken_workbook_is_refused(admin_client):
    errors = refused(admin_client, SimpleUploadedFile("roster.xlsx", b"PK\x03\x04 not really a workbook"))

    assert errors == [roster.XLSX_UNREADABLE]


def test_an_upload_without_a_file_asks_for_one(admin_client):
    response = admin_client.post(reverse("surveys:roster"), {})

    assert b"Choose a roster file to upload." in response.content


def test_a_value_under_no_column_name_is_refused(admin_client):
    text = roster_csv("ada@example.com,Lovelace, Ada,Engineering,Berlin,3,2020-01-15")

    errors = refused(admin_client, csv_upload(text))

    assert "Line 2: there is a value in column G, which has no name on line 1." in errors


def test_every_problem_is_reported_not_only_the_first(admin_client):
    text = roster_csv("bad-1,A,D,L,1,2020-01-01", line("ok@example.com"), "bad-2,B,D,L,1,yesterday")

    errors = refused(admin_client, csv_upload(text))

    assert [error.split(":")[0] for error in errors] == ["Line 2", "Line 4", "Line 4"]


def test_a_long_list_of_problems_is_cut_short_with_a_count_of_the_rest(admin_client):
    text = roster_csv(*(f"bad-{n},A,D,L,1,2020-01-01" for n in range(250)))

    response = upload(admin_client, csv_upload(text))

    html = response.content.decode()
    assert "Line 201:" in html
    assert "Line 202:" not in html
    assert "and 50 more" in html


def test_problems_are_shown_next_to_the_upload_field_and_linked_to_it(admin_client):
    response = upload(admin_client, csv_upload(roster_csv(line("bob@"))))

    html = response.content.decode()
    field = re.search(r"<input[^>]+name=\"roster_file\"[^>]*>", html).group(0)
    assert 'aria-describedby="roster-file-help roster-file-errors"' in field
    assert 'aria-invalid="true"' in field
    assert 'id="roster-file-errors"' in html
    assert "Line 2: &quot;bob@&quot; is not a valid e-mail address." in html


# --- good files ------------------------------------------------------------------------------


def test_a_csv_file_with_a_byte_order_mark_is_read(admin_client):
    roster_import = uploaded(admin_client, csv_upload("\ufeff" + roster_csv(line("ada@example.com"))))

    assert roster_import.rows[0]["email"] == "ada@example.com"


def test_column_names_match_whatever_their_case_and_separators(admin_client):
    header = "E-mail,NAME,Department,location,Level,Start date"

    roster_import = uploaded(admin_client, csv_upload(roster_csv(line("ada@example.com"), header=header)))

    assert roster_import.rows[0]["start_date"] == "2020-01-15"


def test_dates_may_be_written_day_first_with_slashes(admin_client):
    roster_import = uploaded(admin_client, csv_upload(roster_csv("ada@example.com,Ada,Eng,Berlin,3,31/03/2021")))

    assert roster_import.rows[0]["start_date"] == "2021-03-31"


def test_a_semicolon_separated_csv_is_read(admin_client):
    text = roster_csv("ada@example.com;Ada;Eng;Berlin;3;2021-03-31", header=HEADER.replace(",", ";"))

    roster_import = uploaded(admin_client, csv_upload(text))

    assert roster_import.rows[0]["name"] == "Ada"


def test_blank_lines_are_skipped_and_still_counted_in_line_numbers(admin_client):
    errors = refused(admin_client, csv_upload(roster_csv(line("ada@example.com"), "", ",,,,,", line("bob@"))))

    assert errors == ['Line 5: "bob@" is not a valid e-mail address.']


def test_an_excel_workbook_is_read_with_its_dates_and_numbers(admin_client):
    upload_file = xlsx_upload(
        ["Email", "Name", "Department", "Location", "Level", "Start date", "Team"],
        ["Ada@Example.com", "Ada Lovelace", "Engineering", "London", 4, date(2019, 3, 1), "Payments"],
    )

    roster_import = uploaded(admin_client, upload_file)

    assert roster_import.rows == [
        {
            "line": 2,
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "department": "Engineering",
            "location": "London",
            "level": "4",
            "start_date": "2019-03-01",
            "extra": {"Team": "Payments"},
        }
    ]


def test_an_excel_workbook_with_problems_is_refused_with_line_numbers(admin_client):
    upload_file = xlsx_upload(
        ["email", "name", "department", "location", "level", "start_date"],
        ["ada@example.com", "Ada", "Engineering", "London", 4, "someday"],
    )

    errors = refused(admin_client, upload_file)

    assert errors[0].startswith('Line 2: "someday" is not a date.')


# --- preview ---------------------------------------------------------------------------------


@pytest.fixture
def organisation(admin):
    """Four people on the roster, and the admin, who has an account but is not on it."""
    return {
        "same": person("same@example.com", department="Engineering"),
        "moved": person("moved@example.com", department="Sales"),
        "back": person("back@example.com", department="Engineering", active=False),
        "leaving": person("leaving@example.com"),
    }


NEXT_ROSTER = roster_csv(
    line("same@example.com"),
    line("moved@example.com", name="Moved Person", department="Engineering"),
    line("back@example.com"),
    line("new@example.com", name="New Person"),
)


def test_the_preview_counts_who_is_added_updated_reactivated_deactivated_and_unchanged(admin_client, organisation):
    roster_import = uploaded(admin_client, csv_upload(NEXT_ROSTER))

    response = admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))

    changes = response.context["changes"]
    assert changes.counts() == {
        "added": 1,
        "updated": 1,
        "reactivated": 1,
        "deactivated": 1,
        "kept_until_close": 0,
        "unchanged": 1,
    }
    assert changes.updated[0].fields == ("name", "department")
    html = response.content.decode()
    assert "new@example.com" in html
    assert "leaving@example.com" in html
    assert "name, department" in html
    assert "admin@example.com" not in [change.email for change in changes.deactivated]


def test_the_preview_changes_nothing(admin_client, organisation):
    roster_import = uploaded(admin_client, csv_upload(NEXT_ROSTER))

    admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))

    assert not User.objects.filter(email="new@example.com").exists()
    assert Person.objects.get(user__email="leaving@example.com").active


def test_the_preview_offers_extra_columns_as_reportable_with_known_ones_ticked(admin_client):
    ReportableAttribute.objects.create(key="team", label="Team")
    text = roster_csv(line("ada@example.com", extra="Payments,Nice"), header=HEADER + ",Team,Favourite colour")
    roster_import = uploaded(admin_client, csv_upload(text))

    response = admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))

    assert response.context["columns"] == [
        {"label": "Favourite colour", "ticked": False},
        {"label": "Team", "ticked": True},
    ]
    html = response.content.decode()
    assert "<legend>Reportable columns</legend>" in html
    assert re.search(r'<input type="checkbox" name="reportable" value="Team" id="(reportable-\d)" checked>', html)


def test_the_preview_caps_long_lists(admin_client):
    text = roster_csv(*(line(f"p{n}@example.com") for n in range(130)))
    roster_import = uploaded(admin_client, csv_upload(text))

    response = admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))

    html = response.content.decode()
    assert "p99@example.com" in html
    assert "p100@example.com" not in html
    assert "and 30 more" in html


def test_the_preview_of_a_few_hundred_people_takes_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    people = [person(f"p{n}@example.com") for n in range(300)]
    text = roster_csv(*(line(p.user.email, department="Moved") for p in people[:250]), line("new@example.com"))
    roster_import = uploaded(admin_client, csv_upload(text))

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))

    assert response.context["changes"].counts()["deactivated"] == 50


def test_the_preview_warns_an_admin_who_would_deactivate_themselves(admin, admin_client):
    factories.PersonFactory(user=admin)
    roster_import = uploaded(admin_client, csv_upload(roster_csv(line("ada@example.com"))))

    response = admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))

    assert b"deactivate your own account" in response.content


# --- apply -----------------------------------------------------------------------------------


def test_applying_creates_accounts_that_can_log_in_with_an_emailed_code(admin_client, client):
    roster_import = upload_and_apply(admin_client, roster_csv(line("new@example.com", name="New Person")))

    user = User.objects.get(email="new@example.com")
    assert user.name == "New Person"
    assert user.has_perm(roles.EMPLOYEE.permission)
    assert EmailAddress.objects.filter(user=user, email="new@example.com", verified=True, primary=True).exists()
    assert Person.objects.get(user=user).start_date == date(2020, 1, 15)
    assert roster_import.status == RosterImport.Status.APPLIED

    client.post(reverse("account_request_login_code"), {"email": "new@example.com"})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)
    assert response.context["user"] == user


def test_applying_updates_deactivates_and_reactivates_and_leaves_accounts_off_the_roster_alone(
    admin, admin_client, organisation
):
    roster_import = upload_and_apply(admin_client, NEXT_ROSTER)

    moved = Person.objects.select_related("user").get(user__email="moved@example.com")
    assert (moved.department, moved.user.name) == ("Engineering", "Moved Person")
    leaving = Person.objects.select_related("user").get(user__email="leaving@example.com")
    assert not leaving.active
    assert not leaving.user.is_active
    back = Person.objects.select_related("user").get(user__email="back@example.com")
    assert back.active
    assert back.user.is_active
    admin.refresh_from_db()
    assert admin.is_active
    assert not Person.objects.filter(user=admin).exists()
    assert roster_import.rows == []
    assert roster_import.summary["added"] == 1
    assert roster_import.summary["deactivated"] == 1


def test_a_failure_half_way_through_applying_leaves_the_roster_as_it_was(admin_client, organisation, monkeypatch):
    roster_import = uploaded(admin_client, csv_upload(NEXT_ROSTER))

    def disk_full(changes):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster, "_people_deactivate", disk_full)
    with pytest.raises(RuntimeError):
        roster.roster_import_apply(roster_import=roster_import, reportable_columns=[])

    assert not User.objects.filter(email="new@example.com").exists()
    assert Person.objects.get(user__email="moved@example.com").department == "Sales"
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PENDING
    assert len(roster_import.rows) == 4


def test_an_account_without_a_roster_entry_joins_the_roster_without_a_second_account(admin_client, hr):
    upload_and_apply(admin_client, roster_csv(line("HR@example.com", name="Hannah Roe")))

    hr.refresh_from_db()
    assert hr.person.department == "Engineering"
    assert hr.name == "Hannah Roe"
    assert User.objects.filter(email__iexact="hr@example.com").count() == 1


def test_applying_refreshes_the_names_used_to_redact_comments(admin_client):
    roster_names()

    upload_and_apply(admin_client, roster_csv(line("new@example.com", name="Newton Person")))

    assert "Newton Person" in roster_names()


def test_importing_the_same_file_again_changes_nothing(admin_client, organisation):
    text = roster_csv(
        line("same@example.com", extra="Payments"), line("new@example.com", extra="Core"), header=HEADER + ",Team"
    )
    upload_and_apply(admin_client, text, reportable=["Team"])
    before = list(Person.objects.values_list("user__email", "user__name", "department", "attributes", "active"))
    RosterImport.objects.all().delete()

    roster_import = uploaded(admin_client, csv_upload(text))
    preview = admin_client.get(reverse("surveys:roster_import_preview", args=[roster_import.id]))
    apply(admin_client, roster_import, reportable=["Team"])

    assert preview.context["changes"].counts() == {
        "added": 0,
        "updated": 0,
        "reactivated": 0,
        "deactivated": 0,
        "kept_until_close": 0,
        "unchanged": 2,
    }
    assert list(Person.objects.values_list("user__email", "user__name", "department", "attributes", "active")) == before


def test_a_person_left_out_while_invited_to_an_open_round_stays_active_until_it_closes(admin_client, organisation):
    """Otherwise an admin could open a round for a large audience, then leave everyone out of the roster but the
    person they aim at, who would answer alone (found by the red team)."""
    round = open_round_with(list(organisation.values()))
    Participation.objects.create(round=round, person=organisation["leaving"])

    applied = upload_and_apply(admin_client, NEXT_ROSTER)

    leaving = Person.objects.get(user__email="leaving@example.com")
    assert leaving.active and leaving.user.is_active
    assert Invitation.objects.filter(round=round, person=leaving).exists()
    assert Participation.objects.filter(round=round, person=leaving).exists()
    assert applied.summary["kept_until_close"] == 1

    Round.objects.filter(id=round.id).update(state=Round.State.CLOSED)
    upload_and_apply(admin_client, NEXT_ROSTER)

    assert not Person.objects.get(user__email="leaving@example.com").active


def test_applying_logs_each_person_added_changed_and_deactivated_with_the_admin_as_who(admin_client, organisation):
    before = set(LogEntry.objects.values_list("id", flat=True))

    upload_and_apply(admin_client, NEXT_ROSTER)

    new_entries = LogEntry.objects.filter(content_type__model="person").exclude(id__in=before)
    entries = {entry.object_repr: entry for entry in new_entries}
    assert {email: entries[email].actor_email for email in entries} == {
        "new@example.com": "admin@example.com",
        "moved@example.com": "admin@example.com",
        "back@example.com": "admin@example.com",
        "leaving@example.com": "admin@example.com",
    }
    assert entries["new@example.com"].action == LogEntry.Action.CREATE
    assert entries["new@example.com"].changes_dict["name"] == ["None", "New Person"]
    assert entries["moved@example.com"].changes_dict == {
        "name": ["Ada Lovelace", "Moved Person"],
        "department": ["Sales", "Engineering"],
    }
    assert entries["back@example.com"].changes_dict["active"] == ["False", "True"]
    assert entries["leaving@example.com"].changes_dict == {"active": ["True", "False"]}


def test_importing_the_same_file_again_logs_nothing_more(admin_client, organisation):
    upload_and_apply(admin_client, NEXT_ROSTER)
    logged = LogEntry.objects.count()

    upload_and_apply(admin_client, NEXT_ROSTER)

    assert LogEntry.objects.count() == logged


def test_a_new_reportable_column_is_dated_the_day_it_was_first_ticked_and_keeps_that_date(admin_client):
    text = roster_csv(line("ada@example.com", extra="Payments"), header=HEADER + ",Team")
    upload_and_apply(admin_client, text, reportable=["Team"])
    ReportableAttribute.objects.update(added_on=date(2024, 1, 1))

    upload_and_apply(admin_client, text, reportable=["Team"])

    assert ReportableAttribute.objects.get().added_on == date(2024, 1, 1)
    assert LogEntry.objects.filter(content_type__model="reportableattribute", object_repr="Team").count() == 1


def test_only_ticked_extra_columns_are_stored_as_reportable_attributes(admin_client):
    text = roster_csv(line("ada@example.com", extra="Payments,Tall"), header=HEADER + ",Cost centre,Height")

    upload_and_apply(admin_client, text, reportable=["Cost centre"])

    assert Person.objects.get().attributes == {"cost-centre": "Payments"}
    assert list(ReportableAttribute.objects.values_list("key", "label")) == [("cost-centre", "Cost centre")]


def test_an_extra_column_that_is_not_in_the_file_cannot_be_ticked(admin_client):
    roster_import = uploaded(admin_client, csv_upload(roster_csv(line("ada@example.com"))))

    response = apply(admin_client, roster_import, reportable=["Salary"])

    assert response.status_code == 302
    assert not Person.objects.exists()
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PENDING


def test_applying_an_import_twice_is_refused_with_a_message(admin_client):
    roster_import = upload_and_apply(admin_client, roster_csv(line("ada@example.com")))
    Person.objects.all().delete()

    response = apply(admin_client, roster_import)

    assert response.status_code == 302
    assert not Person.objects.exists()
    page = admin_client.get(response["Location"])
    assert b"has been applied already" in page.content


def test_applying_an_older_upload_after_a_newer_one_is_refused(admin_client):
    older = uploaded(admin_client, csv_upload(roster_csv(line("ada@example.com"))))
    upload(admin_client, csv_upload(roster_csv(line("bob@example.com"))))

    response = apply(admin_client, older)

    page = admin_client.get(response["Location"])
    assert b"A newer roster file was uploaded after this one" in page.content
    assert not Person.objects.exists()


def test_cancelling_an_upload_deletes_it_and_changes_nothing(admin_client):
    roster_import = uploaded(admin_client, csv_upload(roster_csv(line("ada@example.com"))))

    response = admin_client.post(reverse("surveys:roster_import_cancel", args=[roster_import.id]))

    assert response["Location"] == reverse("surveys:roster")
    assert not RosterImport.objects.exists()
    assert not Person.objects.exists()


def test_an_applied_import_cannot_be_cancelled(admin_client):
    roster_import = upload_and_apply(admin_client, roster_csv(line("ada@example.com")))

    admin_client.post(reverse("surveys:roster_import_cancel", args=[roster_import.id]))

    assert RosterImport.objects.filter(pk=roster_import.pk).exists()


def test_an_unknown_import_is_not_found(admin_client):
    response = admin_client.get(reverse("surveys:roster_import_preview", args=["00000000-0000-4000-8000-000000000000"]))

    assert response.status_code == 404


# --- who may do it ---------------------------------------------------------------------------

ROSTER_VIEWS = [
    ("get", "surveys:roster", False),
    ("post", "surveys:roster", False),
    ("get", "surveys:roster_example", False),
    ("get", "surveys:roster_import_preview", True),
    ("post", "surveys:roster_import_apply", True),
    ("post", "surveys:roster_import_cancel", True),
]


def _url(name: str, needs_import: bool) -> str:
    return reverse(name, args=[RosterImportFactory().id]) if needs_import else reverse(name)


@pytest.mark.parametrize(("method", "name", "needs_import"), ROSTER_VIEWS)
@pytest.mark.parametrize("persona", ["employee", "hr", "outsider"])
def test_every_roster_view_is_refused_to_everyone_but_survey_admins(
    method, name, needs_import, persona, request, client_as
):
    client = client_as(request.getfixturevalue(persona))

    response = getattr(client, method)(_url(name, needs_import))

    assert response.status_code == 403
    assert RosterImport.objects.filter(status=RosterImport.Status.PENDING).count() == int(needs_import)
    assert not Person.objects.exists()


@pytest.mark.parametrize(("method", "name", "needs_import"), ROSTER_VIEWS)
def test_every_roster_view_sends_visitors_who_are_not_logged_in_to_the_login_page(
    method, name, needs_import, client, db
):
    response = getattr(client, method)(_url(name, needs_import))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
