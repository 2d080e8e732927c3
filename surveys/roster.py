"""Roster import: read an HR file, check every line, preview what it changes, then apply it.

Nothing is written until the whole file is clean and the admin has seen the preview. Line numbers
are the ones a spreadsheet shows: the header is line 1, the first person line 2.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import TypedDict

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from accounts import roles
from accounts.models import User
from accounts.services import account_create, role_grant
from surveys import changelog
from surveys.attributes import BUILTIN_ATTRIBUTES
from surveys.models import Invitation, Person, ReportableAttribute, RosterImport, Round
from surveys.selectors import roster_caches_invalidate

REQUIRED_COLUMNS = ("email", "name", "department", "location", "level", "start_date")
PERSON_FIELDS = ("department", "location", "level", "start_date")
FIELD_LABELS = {
    "name": "name",
    "department": "department",
    "location": "location",
    "level": "level",
    "start_date": "start date",
}
MAX_LENGTHS = {"email": 254, "name": 200, "department": 100, "location": 100, "level": 50}
MAX_ROWS = 100_000
MAX_FILE_BYTES = 5 * 1024 * 1024
# A 5 MB workbook can unzip to gigabytes; refuse it before openpyxl tries.
MAX_XLSX_UNZIPPED_BYTES = 250 * 1024 * 1024
MAX_ERRORS_SHOWN = 200
MAX_LABEL_LENGTH = 100
# Each extra column is a checkbox on the preview; Django refuses posts of more than 500 fields.
MAX_EXTRA_COLUMNS = 100
MAX_KEY_LENGTH = 50
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
CSV_DELIMITERS = (",", ";", "\t")
BATCH_SIZE = 500


class RosterRow(TypedDict):
    line: int
    email: str
    name: str
    department: str
    location: str
    level: str
    start_date: str  # ISO date
    extra: dict[str, str]  # every extra column, by its header


@dataclass(frozen=True)
class RosterError:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"Line {self.line:,}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class RosterErrors:
    errors: list[RosterError]

    @property
    def count(self) -> int:
        return len(self.errors)

    @property
    def shown(self) -> list[RosterError]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def more(self) -> int:
        return max(0, self.count - MAX_ERRORS_SHOWN)


@dataclass(frozen=True)
class ParsedRoster:
    rows: list[RosterRow]
    extra_columns: list[str]


@dataclass(frozen=True)
class PersonChange:
    email: str
    name: str
    fields: tuple[str, ...] = ()
    row: RosterRow | None = None
    person: Person | None = None
    # An account that exists without a roster entry (an admin, say) and is now on the roster.
    account: User | None = None


@dataclass
class RosterChanges:
    added: list[PersonChange] = field(default_factory=list)
    updated: list[PersonChange] = field(default_factory=list)
    reactivated: list[PersonChange] = field(default_factory=list)
    deactivated: list[PersonChange] = field(default_factory=list)
    # Missing from the file but invited to an open round: kept active until it closes (see roster_changes).
    kept_until_close: list[PersonChange] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "reactivated": len(self.reactivated),
            "deactivated": len(self.deactivated),
            "kept_until_close": len(self.kept_until_close),
            "unchanged": self.unchanged,
        }


class RosterImportRefused(Exception):
    """The import cannot be applied; the message says why, in words for the admin."""


class _Unreadable(Exception):
    """The file broke while being read line by line."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.error = RosterError(line, message)


@dataclass(frozen=True)
class _Columns:
    required: dict[str, int]
    extra: dict[str, int]
    named: frozenset[int]


# --- reading the file ------------------------------------------------------------------------


def roster_file_parse(*, uploaded_file) -> ParsedRoster | RosterErrors:
    """Read a CSV or XLSX roster and check every line; any problem at all means nothing is returned."""
    name = uploaded_file.name or ""
    if uploaded_file.size > MAX_FILE_BYTES:
        limit = filesizeformat(MAX_FILE_BYTES)
        return _refused(f"The file is larger than {limit}, the most a roster file may be. Remove unneeded columns.")
    records = _records_read(data=uploaded_file.read(), file_name=name)
    if isinstance(records, RosterErrors):
        return records
    try:
        return _records_check(records=records, today=timezone.localdate())
    except _Unreadable as unreadable:
        return RosterErrors([unreadable.error])


def _refused(message: str, line: int | None = None) -> RosterErrors:
    return RosterErrors([RosterError(line, message)])


def _records_read(*, data: bytes, file_name: str) -> Iterator[list[str]] | RosterErrors:
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".csv":
        return _csv_records(data)
    if suffix == ".xlsx":
        return _xlsx_records(data)
    if suffix == ".xls":
        return _refused('Old Excel files (.xls) cannot be read. Save it as "Excel Workbook (.xlsx)" or "CSV UTF-8".')
    return _refused(f'"{file_name}" is not a roster file Candor can read. Upload a .csv or .xlsx file.')


def _csv_records(data: bytes) -> Iterator[list[str]] | RosterErrors:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return _refused(
            'the file is not UTF-8 text. In your spreadsheet, save the file as UTF-8 CSV ("CSV UTF-8") '
            "and upload it again.",
            line=line,
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    return _csv_cells(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _csv_cells(reader) -> Iterator[list[str]]:
    try:
        for record in reader:
            yield [cell.strip() for cell in record]
    except csv.Error as error:
        raise _Unreadable(f"the file could not be read as CSV ({error}).", line=reader.line_num) from error


XLSX_UNREADABLE = "The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx or CSV."


def _xlsx_records(data: bytes) -> Iterator[list[str]] | RosterErrors:
    unreadable = _refused(XLSX_UNREADABLE)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return unreadable
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(member.file_size for member in archive.infolist()) > MAX_XLSX_UNZIPPED_BYTES:
            return _refused("The workbook is too large once unpacked. Save the roster as a UTF-8 CSV instead.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    # openpyxl raises many kinds of error on a broken workbook; each means the same to the admin.
    except Exception:
        return unreadable
    return _xlsx_cells(workbook, sheet.iter_rows(values_only=True))


def _xlsx_cells(workbook, rows: Iterable[tuple]) -> Iterator[list[str]]:
    try:
        for row in rows:
            yield [_cell_text(value) for value in row]
    # A sheet can break half-way through; as above, the kind of error does not matter to the admin.
    except Exception as error:
        raise _Unreadable(XLSX_UNREADABLE) from error
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- checking the lines ----------------------------------------------------------------------


def _records_check(*, records: Iterator[list[str]], today: date) -> ParsedRoster | RosterErrors:
    header = next(records, None)
    if header is None:
        return _refused("the file is empty. The first line must name the columns.", line=1)
    if not any(header):
        return _refused(f"the line is empty. The first line must name the columns: {', '.join(REQUIRED_COLUMNS)}.", 1)
    columns = _header_read(header)
    if isinstance(columns, RosterErrors):
        return columns
    rows: list[RosterRow] = []
    errors: list[RosterError] = []
    first_line_of: dict[str, int] = {}
    for line, cells in enumerate(records, start=2):
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            return _refused(f"the file has more than {MAX_ROWS:,} people, the most one file may hold.", line=line)
        row, row_errors = _row_read(cells=cells, columns=columns, line=line, today=today)
        errors += row_errors + _duplicate_check(row=row, first_line_of=first_line_of)
        rows.append(row)
    if not rows:
        return _refused("there are no people in the file, only the line of column names.", line=2)
    if errors:
        return RosterErrors(errors)
    return ParsedRoster(rows=rows, extra_columns=list(columns.extra))


def _column_key(header: str) -> str:
    """Case and separators do not matter: "Start date", "start_date" and "START-DATE" are one column."""
    return "".join(ch for ch in header.lower() if ch not in " _-")


_REQUIRED_BY_KEY = {_column_key(column): column for column in REQUIRED_COLUMNS}


def _header_read(header: list[str]) -> _Columns | RosterErrors:
    required: dict[str, int] = {}
    extra: dict[str, int] = {}
    errors: list[RosterError] = []
    for index, label in enumerate(header):
        if not label:
            continue
        column = _REQUIRED_BY_KEY.get(_column_key(label))
        if label in extra or column in required:
            errors.append(RosterError(1, f'the column "{label}" appears twice.'))
        elif column:
            required[column] = index
        else:
            errors += _extra_column_check(label=label, others=extra)
            extra[label] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in required]
    if missing:
        errors.insert(0, RosterError(1, _missing_columns_message(missing)))
    if len(extra) > MAX_EXTRA_COLUMNS:
        errors.append(RosterError(1, f"there are {len(extra)} extra columns; at most {MAX_EXTRA_COLUMNS} can be read."))
    if errors:
        return RosterErrors(errors)
    named = frozenset(index for index, label in enumerate(header) if label)
    return _Columns(required=required, extra=extra, named=named)


def _missing_columns_message(missing: list[str]) -> str:
    names = ", ".join(f'"{column}"' for column in missing)
    noun = "column is" if len(missing) == 1 else "columns are"
    return f"the {names} {noun} missing. The first line must name these columns: {', '.join(REQUIRED_COLUMNS)}."


def _extra_column_check(*, label: str, others: dict[str, int]) -> list[RosterError]:
    key = attribute_key(label)
    if not key:
        return [RosterError(1, f'the column "{label}" needs a name with letters or digits in it.')]
    if len(label) > MAX_LABEL_LENGTH or len(key) > MAX_KEY_LENGTH:
        return [RosterError(1, f'the column name "{label[:40]}…" is too long; keep it under {MAX_KEY_LENGTH} letters.')]
    if key in BUILTIN_ATTRIBUTES:
        return [RosterError(1, f'the column name "{label}" is used by Candor itself; rename the column.')]
    same = [other for other in others if attribute_key(other) == key]
    if same:
        return [RosterError(1, f'the columns "{same[0]}" and "{label}" would be the same attribute; rename one.')]
    return []


def attribute_key(label: str) -> str:
    """The ReportableAttribute key, and the key in Person.attributes, of an extra column."""
    return slugify(label)


def _row_read(*, cells: list[str], columns: _Columns, line: int, today: date) -> tuple[RosterRow, list[RosterError]]:
    values = {column: _cell(cells, index) for column, index in columns.required.items()}
    messages = [f'the "{column}" value is empty.' for column in REQUIRED_COLUMNS if not values[column]]
    messages += _stray_values_check(cells=cells, columns=columns)
    messages += _too_long_check(values)
    messages += _email_check(values["email"])
    date_value, date_messages = _start_date_read(values["start_date"], today=today)
    messages += date_messages
    row = RosterRow(
        line=line,
        email=values["email"].lower(),
        name=values["name"],
        department=values["department"],
        location=values["location"],
        level=values["level"],
        start_date=date_value.isoformat() if date_value else "",
        extra={label: _cell(cells, index) for label, index in columns.extra.items()},
    )
    return row, [RosterError(line, message) for message in messages]


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _stray_values_check(*, cells: list[str], columns: _Columns) -> list[str]:
    """A value under no column name is usually a comma inside a name that shifted the line."""
    return [
        f"there is a value in column {get_column_letter(index + 1)}, which has no name on line 1."
        for index, value in enumerate(cells)
        if value and index not in columns.named
    ]


def _too_long_check(values: dict[str, str]) -> list[str]:
    return [
        f'the "{column}" value is longer than {limit} characters.'
        for column, limit in MAX_LENGTHS.items()
        if len(values[column]) > limit
    ]


def _email_check(email: str) -> list[str]:
    if not email:
        return []
    try:
        validate_email(email)
    except ValidationError:
        return [f'"{email}" is not a valid e-mail address.']
    return []


def _start_date_read(text: str, *, today: date) -> tuple[date | None, list[str]]:
    if not text:
        return None, []
    for date_format in DATE_FORMATS:
        try:
            value = datetime.strptime(text, date_format).date()
        except ValueError:
            continue
        if value > today:
            return None, [f"the start date {value.isoformat()} is in the future."]
        return value, []
    return None, [f'"{text}" is not a date. Write dates as YYYY-MM-DD (2024-03-31) or DD/MM/YYYY (31/03/2024).']


def _duplicate_check(*, row: RosterRow, first_line_of: dict[str, int]) -> list[RosterError]:
    email = row["email"]
    if not email:
        return []
    first = first_line_of.setdefault(email, row["line"])
    if first == row["line"]:
        return []
    return [RosterError(row["line"], f"the e-mail address {email} is also on line {first:,}.")]


# --- preview ---------------------------------------------------------------------------------


def roster_import_create(*, parsed: ParsedRoster, file_name: str, uploaded_by: User | None) -> RosterImport:
    return RosterImport.objects.create(rows=parsed.rows, file_name=file_name[:255], uploaded_by=uploaded_by)


def roster_import_extra_columns(*, roster_import: RosterImport) -> list[str]:
    """The file's extra columns; sorted, because PostgreSQL's jsonb does not keep key order."""
    return sorted(roster_import.rows[0]["extra"]) if roster_import.rows else []


def roster_import_default_reportable(*, roster_import: RosterImport) -> list[str]:
    """Extra columns that are reportable already: ticked by default so a re-import keeps them."""
    keys = set(ReportableAttribute.objects.values_list("key", flat=True))
    return [label for label in roster_import_extra_columns(roster_import=roster_import) if attribute_key(label) in keys]


def roster_import_is_superseded(*, roster_import: RosterImport) -> bool:
    return RosterImport.objects.filter(created_at__gt=roster_import.created_at).exists()


def roster_changes_preview(*, rows: list[RosterRow], reportable_columns: Iterable[str] = ()) -> RosterChanges:
    """What applying these rows would do to the roster now. Two queries, whatever the file's size."""
    reportable_columns = list(reportable_columns)
    people = {person.user.email.lower(): person for person in Person.objects.select_related("user")}
    accounts = {user.email.lower(): user for user in User.objects.filter(person__isnull=True)}
    changes = RosterChanges()
    for row in rows:
        person = people.pop(row["email"], None)
        if person is None:
            changes.added.append(_change(row, account=accounts.get(row["email"])))
            continue
        differences = _differences(person=person, row=row, reportable_columns=reportable_columns)
        if not person.active:
            changes.reactivated.append(_change(row, person=person, fields=differences))
        elif differences:
            changes.updated.append(_change(row, person=person, fields=differences))
        else:
            changes.unchanged += 1
    missing = [
        PersonChange(email=person.user.email, name=person.user.name, person=person)
        for person in people.values()
        if person.active
    ]
    # Deactivating an open round's invitees would leave fewer people able to answer than the audience it opened
    # with: an admin could open a round of 24 and then leave the target alone in it. They stay until it closes.
    in_open_rounds = set(
        Invitation.objects.filter(
            round__state=Round.State.OPEN, person__in=[change.person for change in missing]
        ).values_list("person_id", flat=True)
    )
    changes.deactivated = [change for change in missing if change.person.pk not in in_open_rounds]
    changes.kept_until_close = [change for change in missing if change.person.pk in in_open_rounds]
    return changes


def _change(row: RosterRow, **kwargs) -> PersonChange:
    return PersonChange(email=row["email"], name=row["name"], row=row, **kwargs)


def _differences(*, person: Person, row: RosterRow, reportable_columns: list[str]) -> tuple[str, ...]:
    current = {"name": person.user.name, **{name: getattr(person, name) for name in PERSON_FIELDS}}
    current["start_date"] = person.start_date.isoformat() if person.start_date else ""
    changed = [FIELD_LABELS[name] for name, value in current.items() if value != row[name]]
    changed += [
        label
        for label in reportable_columns
        if str(person.attributes.get(attribute_key(label), "")) != row["extra"].get(label, "")
    ]
    return tuple(changed)


# --- apply -----------------------------------------------------------------------------------


def roster_import_apply(*, roster_import: RosterImport, reportable_columns: Iterable[str]) -> dict:
    """Apply a pending import in one transaction, then forget its rows. Raises RosterImportRefused."""
    reportable_columns = list(dict.fromkeys(reportable_columns))
    with transaction.atomic():
        roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        _apply_check(roster_import=roster_import, reportable_columns=reportable_columns)
        changes = roster_changes_preview(rows=roster_import.rows, reportable_columns=reportable_columns)
        _reportable_attributes_ensure(reportable_columns)
        _people_add(changes.added, reportable_columns=reportable_columns)
        _people_update(changes.updated + changes.reactivated, reportable_columns=reportable_columns)
        _people_deactivate(changes.deactivated)
        roster_import.status = RosterImport.Status.APPLIED
        roster_import.summary = changes.counts() | {"applied_at": timezone.now().isoformat()}
        roster_import.reportable_columns = reportable_columns
        roster_import.rows = []
        roster_import.save(update_fields=["status", "summary", "reportable_columns", "rows"])
    roster_caches_invalidate()
    return roster_import.summary


def roster_import_cancel(*, roster_import: RosterImport) -> None:
    if roster_import.status == RosterImport.Status.APPLIED:
        raise RosterImportRefused("This roster file has been applied already, so it cannot be cancelled.")
    roster_import.delete()


def _apply_check(*, roster_import: RosterImport, reportable_columns: list[str]) -> None:
    if roster_import.status == RosterImport.Status.APPLIED:
        raise RosterImportRefused("This roster file has been applied already. Nothing was changed this time.")
    if roster_import_is_superseded(roster_import=roster_import):
        raise RosterImportRefused(
            "A newer roster file was uploaded after this one, so this one can no longer be applied. "
            "Apply the newest upload, or upload this file again."
        )
    unknown = set(reportable_columns) - set(roster_import_extra_columns(roster_import=roster_import))
    if unknown:
        raise RosterImportRefused(f"This file has no column called {', '.join(sorted(unknown))}.")


def _reportable_attributes_ensure(labels: list[str]) -> None:
    for label in labels:
        ReportableAttribute.objects.get_or_create(key=attribute_key(label), defaults={"label": label})


def _person_values(row: RosterRow) -> dict:
    return {
        "department": row["department"],
        "location": row["location"],
        "level": row["level"],
        "start_date": date.fromisoformat(row["start_date"]),
    }


def _attributes_merge(attributes: dict, row: RosterRow, reportable_columns: list[str]) -> dict:
    """Ticked columns overwrite their key; an empty cell removes it. Other keys are left alone."""
    merged = dict(attributes)
    for label in reportable_columns:
        key, value = attribute_key(label), row["extra"].get(label, "")
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    return merged


def _people_add(changes: list[PersonChange], *, reportable_columns: list[str]) -> None:
    people = []
    for change in changes:
        row = change.row
        user = change.account or _roster_account_create(row)
        if change.account:
            _account_join(user=user, name=row["name"])
        attributes = _attributes_merge({}, row, reportable_columns)
        people.append(Person(user=user, attributes=attributes, **_person_values(row)))
    Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
    changelog.changes_log([(person, LogEntry.Action.CREATE, _added(person)) for person in people])


def _roster_account_create(row: RosterRow) -> User:
    # The roster entry's own log line says who was added; an account line and a role line each would only repeat it.
    with disable_auditlog():
        return account_create(email=row["email"], name=row["name"], roles=(roles.EMPLOYEE,))


def _logged_values(person: Person) -> dict[str, str]:
    """A roster entry as the change log shows it."""
    return {
        "name": person.user.name,
        **{name: getattr(person, name) for name in PERSON_FIELDS},
        "attributes": json.dumps(person.attributes, sort_keys=True, ensure_ascii=False),
        "active": person.active,
    }


def _added(person: Person) -> dict[str, list]:
    values = {"email": person.user.email, **_logged_values(person), "added_on": person.added_on}
    return {name: [None, value] for name, value in values.items()}


def _differences_logged(before: dict, after: dict) -> dict[str, list]:
    return {name: [before[name], after[name]] for name in after if before[name] != after[name]}


def _account_join(*, user: User, name: str) -> None:
    """An existing account that is now on the roster takes its roster name and may give feedback."""
    if user.name != name:
        user.name = name
        user.save(update_fields=["name"])
    role_grant(user=user, roles=(roles.EMPLOYEE,))


def _people_update(changes: list[PersonChange], *, reportable_columns: list[str]) -> None:
    people, users, logged = [], [], []
    for change in changes:
        person, row = change.person, change.row
        before = _logged_values(person)
        for name, value in _person_values(row).items():
            setattr(person, name, value)
        person.attributes = _attributes_merge(person.attributes, row, reportable_columns)
        if not person.active:
            person.active = person.user.is_active = True
        person.user.name = row["name"]
        people.append(person)
        users.append(person.user)
        logged.append((person, LogEntry.Action.UPDATE, _differences_logged(before, _logged_values(person))))
    fields = [*PERSON_FIELDS, "attributes", "active"]
    Person.objects.bulk_update(people, fields, batch_size=BATCH_SIZE)
    User.objects.bulk_update(users, ["name", "is_active"], batch_size=BATCH_SIZE)
    changelog.changes_log(logged)


def _people_deactivate(changes: list[PersonChange]) -> None:
    """People missing from the file are deactivated, never deleted: a person who took part in an open round must
    stay (their round's count would shrink, which names them), and their invitations keep deciding who reads results."""
    people = [change.person for change in changes]
    for start in range(0, len(people), BATCH_SIZE):
        batch = people[start : start + BATCH_SIZE]
        Person.objects.filter(pk__in=[person.pk for person in batch]).update(active=False)
        User.objects.filter(pk__in=[person.user_id for person in batch]).update(is_active=False)
    changelog.changes_log([(person, LogEntry.Action.UPDATE, {"active": [True, False]}) for person in people])


# --- deleting ----------------------------------------------------------------------------------


def accounts_deletion_refusals(user_ids: Iterable) -> list[str]:
    """Why these accounts may not be deleted now, one sentence per account; empty if they may.

    Nobody invited to an open round is deleted: had they taken part, the round's count would shrink, which names
    them. The rule is on the invitation, not on taking part, so that a refusal says nothing about who took part.
    """
    invited = Invitation.objects.filter(person__user_id__in=list(user_ids), round__state=Round.State.OPEN)
    rows = invited.order_by("person__user__email", "round__title").values_list("person__user__email", "round__title")
    return [
        f"{email} is invited to the open round “{title}”, and nobody invited to an open round can be deleted until "
        "it closes. Leave them out of the next roster file instead: that deactivates them."
        for email, title in rows
    ]


# --- roster page -----------------------------------------------------------------------------


def roster_counts() -> dict[str, int]:
    totals = dict(Person.objects.order_by().values_list("active").annotate(people=Count("pk")))
    return {"active": totals.get(True, 0), "inactive": totals.get(False, 0)}


def roster_imports_recent(*, limit: int = 10) -> list[RosterImport]:
    """The latest imports, without their rows, which can hold a whole company."""
    return list(RosterImport.objects.defer("rows").select_related("uploaded_by")[:limit])


EXAMPLE_ROWS = (
    ("email", "name", "department", "location", "level", "start_date", "team"),
    ("ada.lovelace@example.com", "Ada Lovelace", "Engineering", "London", "L4", "2019-03-01", "Payments"),
    ("grace.hopper@example.com", "Grace Hopper", "Engineering", "New York", "L6", "15/09/2015", "Platform"),
    ("alan.turing@example.com", "Alan Turing", "Research", "Manchester", "L5", "2021-01-11", "Models"),
)


def roster_example_csv() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(EXAMPLE_ROWS)
    return buffer.getvalue()
