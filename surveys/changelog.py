"""The change log: who changed the roster, a round or a role, and when. HR reads it; nobody edits it.

Built on django-auditlog, registered on exactly these models and fields. Never on participation, invitations,
the sealed pool or anything of the anonymous side: an entry carries its actor and a timestamp to the second,
which next to a submission would say who took part and when. Changes written in bulk (the roster import)
send no model signals, so they are logged here explicitly.
"""

from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth.models import Group
from django.core.paginator import Page, Paginator
from django.db.models import Model

from accounts.models import User
from surveys.models import Person, ReportableAttribute, Round, RoundQuestion

ENTRIES_PER_PAGE = 50
MAX_VALUE_SHOWN = 200
PERSON_FIELDS = ["department", "location", "level", "start_date", "attributes", "active", "added_on"]
# Only what an admin sets: submitted_count, audience_groups and last_reminded_on change without one.
ROUND_FIELDS = [
    "title",
    "intro",
    "state",
    "opens_at",
    "closes_at",
    "k",
    "comment_threshold",
    "reminder_every_days",
    "audience",
]
ROUND_QUESTION_FIELDS = ["round", "text", "kind", "choices", "required", "indicator", "position"]
# last_login is left out on purpose: a login next to a round's count would hint at who took part.
USER_FIELDS = ["email", "name", "is_active", "is_staff", "is_superuser"]

KINDS = {
    "person": "Roster entry",
    "reportableattribute": "Roster column",
    "round": "Round",
    "roundquestion": "Round question",
    "user": "Account",
    "group": "Role",
}
ACTIONS = {LogEntry.Action.CREATE: "added", LogEntry.Action.UPDATE: "changed", LogEntry.Action.DELETE: "deleted"}
FIELD_LABELS = {
    "added_on": "added to the roster on",
    "attributes": "roster columns",
    "groups": "roles",
    "user_permissions": "permissions",
    "permissions": "permissions",
    "is_active": "can log in",
    "is_staff": "Django admin staff",
    "is_superuser": "superuser",
    "start_date": "start date",
    "comment_threshold": "comment threshold",
    "reminder_every_days": "reminder every … days",
    "opens_at": "opens at",
    "closes_at": "closes at",
}


def changelog_models_register() -> None:
    """Called once from SurveysConfig.ready(). Adding a model here is a privacy decision: read the module doc."""
    auditlog.register(Person, include_fields=PERSON_FIELDS)
    auditlog.register(ReportableAttribute, include_fields=["key", "label", "added_on"])
    auditlog.register(Round, include_fields=ROUND_FIELDS)
    auditlog.register(RoundQuestion, include_fields=ROUND_QUESTION_FIELDS)
    # Roles are groups carrying one permission each (accounts/roles.py); a permission given directly is a role too.
    auditlog.register(User, include_fields=USER_FIELDS, m2m_fields={"groups", "user_permissions"})
    auditlog.register(Group, include_fields=["name"], m2m_fields={"permissions"})


def changes_log(entries: list[tuple[Model, int, dict[str, list]]]) -> None:
    """Log changes written in bulk: (instance, LogEntry.Action, {field: [old, new]}) each, with the request's actor."""
    for instance, action, changes in entries:
        if changes or action != LogEntry.Action.UPDATE:
            LogEntry.objects.log_create(instance, action=action, changes=_as_text(changes), force_log=True)


def _as_text(changes: dict[str, list]) -> dict[str, list]:
    return {field: ["None" if value is None else str(value) for value in values] for field, values in changes.items()}


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeRow:
    when: datetime
    who: str
    kind: str
    subject: str
    action: str
    changes: list[Change]


def change_log_page(page_number: str | int | None) -> Page:
    """One page of the change log, newest first, each entry as a ChangeRow. Two queries, whatever the page."""
    entries = LogEntry.objects.select_related("content_type").order_by("-timestamp", "-id")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(page_number)
    page.object_list = [_row(entry) for entry in page.object_list]
    return page


def _row(entry: LogEntry) -> ChangeRow:
    return ChangeRow(
        when=entry.timestamp,
        who=entry.actor_email or "Candor itself (a scheduled task or a command)",
        kind=KINDS.get(entry.content_type.model, entry.content_type.name),
        subject=entry.object_repr,
        action=ACTIONS.get(entry.action, "changed"),
        changes=[_change(field, values) for field, values in sorted(entry.changes_dict.items())],
    )


def _change(field: str, values) -> Change:
    label = FIELD_LABELS.get(field, field.replace("_", " "))
    if isinstance(values, dict):  # a many-to-many change: {"operation": "add", "objects": [...]}
        verb = "added" if values.get("operation") == "add" else "removed"
        return Change(field=label, before="", after=f"{verb}: {', '.join(values.get('objects', []))}")
    before, after = [*values, "", ""][:2]
    return Change(field=label, before=_shown(before), after=_shown(after))


def _shown(value) -> str:
    text = "" if value in (None, "None") else str(value)
    return text if len(text) <= MAX_VALUE_SHOWN else text[: MAX_VALUE_SHOWN - 1] + "…"
