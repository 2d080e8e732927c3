"""Survey rounds: settings, questions, audience, and the way from draft to closed.

A round is edited freely while it is a draft or scheduled. Once it opens, its questions and audience are
fixed and k (and the comment threshold) may only go up; once it closes, nothing changes any more.
"""

import copy
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from config.dispatch import send_after_commit, send_named_after_commit
from surveys import attributes, changelog
from surveys.models import (
    DEFAULT_K,
    MIN_K,
    Invitation,
    Participation,
    Person,
    Question,
    ReportableAttribute,
    Round,
    RoundQuestion,
)

logger = logging.getLogger(__name__)
# The reporting side's pipeline, queued by name: the identified side never imports the reports.
ROUND_PUBLISH_TASK = "reports.tasks.round_publish"

State = Round.State
EDITABLE_STATES = (State.DRAFT, State.SCHEDULED)
SETTINGS_FIELDS = (
    "title",
    "intro",
    "opens_at",
    "closes_at",
    "k",
    "comment_threshold",
    "reminder_every_days",
    "audience",
)
# Changing these after opening would change who was invited, or when that happened.
FIXED_ONCE_OPEN = ("opens_at", "audience")
BUILTIN_LABELS = {
    "department": "Department",
    "location": "Location",
    "level_band": "Level",
    "tenure_band": "Time with the company",
}
BAND_ORDER = [label for _, label in attributes.LEVEL_BANDS] + [attributes.LEVEL_HIGHEST]
BAND_ORDER += [label for _, label in attributes.TENURE_BANDS] + [attributes.TENURE_LONGEST]
MAIL_CHUNK = 100
# Limits on admins (DESIGN.md P8): no round aimed at a handful of people, or chosen by a column made for it.
MIN_AUDIENCE = 10
AUDIENCE_PER_K = 3
RECENT_DAYS = 30
NAMES_LISTED_UNDER = 50


class RoundCannotOpen(Exception):
    """The round cannot open yet; the message says why in words an admin can act on."""


class RoundStateError(Exception):
    """The round is not in a state that allows this step."""


# --- settings -----------------------------------------------------------------------------


def round_create(
    *,
    title: str,
    intro: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    k: int = DEFAULT_K,
    comment_threshold: int | None = None,
    reminder_every_days: int = 0,
    audience: dict | None = None,
) -> Round:
    """A new draft round. Leaving the comment threshold empty makes it 2k."""
    round = Round(state=State.DRAFT)
    _settings_apply(
        round,
        title=title,
        intro=intro,
        opens_at=opens_at,
        closes_at=closes_at,
        k=k,
        comment_threshold=comment_threshold,
        reminder_every_days=reminder_every_days,
        audience=audience or {},
    )
    round.save()
    return round


@transaction.atomic
def round_update(round: Round, **changes) -> Round:
    """Change some of a round's settings (any of SETTINGS_FIELDS), under the rules of its state."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"round_update() got unknown settings: {', '.join(sorted(unknown))}")
    current = Round.objects.select_for_update().get(id=round.id)
    if current.state == State.CLOSED:
        raise ValidationError("This round is closed, so its settings can no longer change.")
    if current.state == State.OPEN:
        _fixed_once_open_check(current, changes)
    if "comment_threshold" in changes or "k" in changes:
        changes.setdefault("comment_threshold", current.comment_threshold)
    _settings_apply(current, previous=copy.copy(current), **changes)
    current.save(update_fields=list(changes))
    return current


def _fixed_once_open_check(current: Round, changes: dict) -> None:
    errors = {
        name: "This cannot change once the round is open."
        for name in FIXED_ONCE_OPEN
        if name in changes and changes[name] != getattr(current, name)
    }
    if errors:
        raise ValidationError(errors)


def _settings_apply(round: Round, previous: Round | None = None, **values) -> None:
    """Set the values on the round, or raise ValidationError with a message per field."""
    if "audience" in values:
        values["audience"] = audience_clean(values["audience"])
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
    if values.get("comment_threshold") is None and "comment_threshold" in values:
        values["comment_threshold"] = 2 * values.get("k", round.k)
    for name, value in values.items():
        setattr(round, name, value)
    errors = _settings_errors(round, previous)
    if "audience" in values and "audience" not in errors:
        errors.update(_young_columns_errors(round.audience, _opening_day(round)))
    if errors:
        raise ValidationError(errors)


def _opening_day(round: Round) -> date:
    """The day the round opens: its opening time if that is still ahead, otherwise today."""
    today = timezone.localdate()
    if round.opens_at is None:
        return today
    return max(today, timezone.localdate(round.opens_at))


def _settings_errors(round: Round, previous: Round | None) -> dict[str, str]:
    errors = {}
    if not round.title:
        errors["title"] = "Give the round a title."
    if round.k < MIN_K:
        errors["k"] = f"k must be at least {MIN_K}, so that no number ever describes fewer than {MIN_K} people."
    elif previous is not None and previous.state == State.OPEN and round.k < previous.k:
        errors["k"] = f"The round is open, so k can only be raised: keep it at {previous.k} or more."
    if round.comment_threshold < round.k:
        errors["comment_threshold"] = f"The comment threshold must be at least k ({round.k})."
    elif previous is not None and previous.state == State.OPEN and round.comment_threshold < previous.comment_threshold:
        errors["comment_threshold"] = (
            f"The round is open, so the comment threshold can only be raised: keep it at "
            f"{previous.comment_threshold} or more."
        )
    if round.opens_at and round.closes_at and round.closes_at <= round.opens_at:
        errors["closes_at"] = "The closing time must be after the opening time."
    if round.state == State.SCHEDULED and round.opens_at is None:
        errors["opens_at"] = "A scheduled round needs an opening time. Set one, or move the round back to draft."
    return errors


def minimum_audience(k: int) -> int:
    """The fewest people a round may invite: 3k, and never fewer than 10."""
    return max(AUDIENCE_PER_K * k, MIN_AUDIENCE)


def _young_columns_errors(audience: dict, opening_day: date) -> dict[str, str]:
    """A roster column added less than 30 days before the opening day may not choose an audience: a column made
    to pick out one person would otherwise do so unnoticed. The built-in attributes are always allowed."""
    young = ReportableAttribute.objects.filter(
        key__in=[key for key in audience if key not in attributes.BUILTIN_ATTRIBUTES],
        added_on__gt=opening_day - timedelta(days=RECENT_DAYS),
    ).order_by("key")
    messages = [
        f"The audience cannot be chosen by “{column.label}” yet: that roster column was added on "
        f"{date_format(column.added_on, 'j F Y')}, and a column can choose an audience only {RECENT_DAYS} days "
        f"after it was added (from {date_format(column.added_on + timedelta(days=RECENT_DAYS), 'j F Y')}). "
        "Untick its values, or open the round later."
        for column in young
    ]
    return {"audience": " ".join(messages)} if messages else {}


def audience_clean(audience: dict) -> dict[str, list[str]]:
    """Keep only known attributes with at least one value; ValidationError for an unknown attribute."""
    known = set(attributes.BUILTIN_ATTRIBUTES) | set(reportable_keys())
    unknown = sorted(set(audience) - known)
    if unknown:
        raise ValidationError({"audience": f"Unknown attribute: {', '.join(unknown)}."})
    return {key: sorted({str(value) for value in values}) for key, values in audience.items() if values}


# --- questions ----------------------------------------------------------------------------


@transaction.atomic
def round_questions_set(round: Round, question_ids: list[uuid.UUID | str]) -> list[RoundQuestion]:
    """Make the round ask these library questions, in this order, as copies."""
    current = Round.objects.select_for_update().get(id=round.id)
    if current.state not in EDITABLE_STATES:
        raise ValidationError("The questions of a round are fixed once it opens.")
    ids = list(dict.fromkeys(str(question_id) for question_id in question_ids))
    library = {str(question.id): question for question in Question.objects.filter(id__in=ids)}
    if len(library) != len(ids):
        raise ValidationError("Some of the chosen questions are no longer in the library. Reload and try again.")
    current.questions.all().delete()
    copies = [_question_copy(current, library[question_id], position) for position, question_id in enumerate(ids)]
    created = RoundQuestion.objects.bulk_create(copies)
    changelog.changes_log([(question, LogEntry.Action.CREATE, _question_logged(question)) for question in created])
    return created


def _question_logged(question: RoundQuestion) -> dict[str, list]:
    return {name: [None, getattr(question, name)] for name in changelog.ROUND_QUESTION_FIELDS}


def _question_copy(round: Round, question: Question, position: int) -> RoundQuestion:
    return RoundQuestion(
        round=round,
        source=question,
        text=question.text,
        kind=question.kind,
        choices=list(question.choices),
        required=question.required,
        indicator=question.indicator,
        position=position,
    )


# --- audience -----------------------------------------------------------------------------


def reportable_keys() -> list[str]:
    return list(ReportableAttribute.objects.order_by("key").values_list("key", flat=True))


def established_reportable_keys(today: date) -> list[str]:
    """Reportable columns added at least 30 days before ``today``: the ones a round opening today may use."""
    established = ReportableAttribute.objects.filter(added_on__lte=today - timedelta(days=RECENT_DAYS))
    return list(established.order_by("key").values_list("key", flat=True))


def attribute_labels() -> dict[str, str]:
    """Every attribute an audience can be filtered on, with its label, built-in ones first."""
    labels = dict(BUILTIN_LABELS)
    labels.update(ReportableAttribute.objects.order_by("key").values_list("key", "label"))
    return labels


def _active_people():
    return Person.objects.filter(active=True).only("id", "department", "location", "level", "start_date", "attributes")


def audience_people(audience: dict, today: date) -> list[Person]:
    """The active people a round with this audience would invite."""
    return [person for person, _ in audience_members(audience, today)]


def audience_members(audience: dict, today: date) -> list[tuple[Person, dict[str, str]]]:
    """The active people an audience covers, each with their reporting attributes: the built-in ones and every
    reportable column at least 30 days old on ``today``. A newer column is not reported on in this round, like it
    cannot choose its audience: made for one person, it would otherwise single them out in the results."""
    extra_keys = established_reportable_keys(today)
    members = []
    for person in _active_people():
        values = attributes.raw_attributes(person, today, extra_keys)
        if attributes.matches_audience(values, audience):
            members.append((person, values))
    return members


@dataclass
class AudienceOverview:
    """What the audience picker needs: the values present per attribute, and the audience's size."""

    labels: dict[str, str]
    values: dict[str, list[str]]
    size: int
    # Roster columns too young to choose an audience today, with the day they can.
    usable_from: dict[str, date] = field(default_factory=dict)


def audience_overview(audience: dict, today: date) -> AudienceOverview:
    """Values found among active people (plus any the audience already names), and who it covers."""
    labels = attribute_labels()
    extra_keys = [key for key in labels if key not in attributes.BUILTIN_ATTRIBUTES]
    found: dict[str, set[str]] = {key: set(audience.get(key, [])) for key in labels}
    size = 0
    for person in _active_people():
        for key, value in attributes.raw_attributes(person, today, extra_keys).items():
            found[key].add(value)
        size += attributes.in_audience(person, audience, today)
    values = {key: sorted(found[key], key=_value_order) for key in labels}
    return AudienceOverview(labels=labels, values=values, size=size, usable_from=_columns_usable_from(today))


def _columns_usable_from(today: date) -> dict[str, date]:
    young = ReportableAttribute.objects.filter(added_on__gt=today - timedelta(days=RECENT_DAYS))
    return {key: added_on + timedelta(days=RECENT_DAYS) for key, added_on in young.values_list("key", "added_on")}


@dataclass(frozen=True)
class AudienceStatement:
    """What every invitation says about who else is invited, so that a round aimed at one person shows."""

    size: int
    chosen_by: str
    recently_added: int
    names: list[str]
    recent_days: int = RECENT_DAYS


def audience_statement(round: Round) -> AudienceStatement:
    """From the round's invitations (kept after close): its size, criteria, recent additions, and names under 50."""
    invited = Person.objects.filter(invitations__round=round).order_by()
    opened_on = timezone.localdate(round.opens_at) if round.opens_at else timezone.localdate()
    size = invited.count()
    names = []
    if size < NAMES_LISTED_UNDER:
        rows = invited.values_list("user__name", "user__email")
        names = sorted((name or email for name, email in rows), key=str.casefold)
    return AudienceStatement(
        size=size,
        chosen_by=audience_in_words(round.audience),
        recently_added=invited.filter(added_on__gt=opened_on - timedelta(days=RECENT_DAYS)).count(),
        names=names,
    )


def audience_in_words(audience: dict) -> str:
    """'Department: Engineering or Sales; Location: Berlin', or 'everyone on the roster'."""
    described = audience_described(audience)
    if not described:
        return "everyone on the roster"
    return "; ".join(f"{label}: {' or '.join(values)}" for label, values in described)


def _value_order(value: str) -> tuple[int, int, str]:
    if value == attributes.UNKNOWN:
        return (2, 0, value)
    if value in BAND_ORDER:
        return (0, BAND_ORDER.index(value), value)
    return (1, 0, value.casefold())


# --- from draft to closed -----------------------------------------------------------------


@transaction.atomic
def round_schedule(round: Round, now: datetime | None = None) -> Round:
    """Let the round open by itself at its opening time."""
    now = now or timezone.now()
    current = Round.objects.select_for_update().get(id=round.id)
    if current.state != State.DRAFT:
        raise RoundStateError(f"Only a draft round can be scheduled; this one is {current.get_state_display()}.")
    if current.opens_at is None or current.opens_at <= now:
        raise RoundStateError("Set an opening time in the future before scheduling the round.")
    if not current.questions.exists():
        raise RoundStateError("Add at least one question before scheduling the round.")
    current.state = State.SCHEDULED
    current.save(update_fields=["state"])
    return current


@transaction.atomic
def round_unschedule(round: Round) -> Round:
    """Take a scheduled round back to draft, so it does not open by itself."""
    current = Round.objects.select_for_update().get(id=round.id)
    if current.state != State.SCHEDULED:
        raise RoundStateError(
            f"Only a scheduled round can go back to draft; this one is {current.get_state_display()}."
        )
    current.state = State.DRAFT
    current.save(update_fields=["state"])
    return current


@transaction.atomic
def round_open(round: Round, now: datetime | None = None) -> Round:
    """Invite the audience with their attributes frozen as of today, and open the round. Refuses with
    RoundCannotOpen."""
    now = now or timezone.now()
    _rounds_not_closed_lock()
    current = Round.objects.select_for_update().get(id=round.id)
    if current.state == State.OPEN:
        return current
    today = timezone.localdate(now)
    members = _open_check(current, now, today)
    Invitation.objects.bulk_create(
        [Invitation(round=current, person=person, attributes=values) for person, values in members], batch_size=500
    )
    current.audience_groups = attributes.attribute_counts(values for _, values in members)
    current.audience_size = len(members)
    current.state = State.OPEN
    if current.opens_at is None or current.opens_at > now:
        current.opens_at = now
    current.save(update_fields=["audience_groups", "audience_size", "state", "opens_at"])
    _invitations_queue(current.id)
    return current


def round_open_refusal(round: Round, now: datetime | None = None) -> str:
    """Why the round could not open now, in the words round_open would use; empty if it could."""
    now = now or timezone.now()
    try:
        _open_check(round, now, timezone.localdate(now))
    except RoundCannotOpen as refusal:
        return str(refusal)
    return ""


def _rounds_not_closed_lock() -> None:
    """Two rounds opening at once must not both miss their overlap: every round that may open or is open is
    locked, always in the same order, before any of them checks its audience."""
    list(Round.objects.select_for_update().exclude(state=State.CLOSED).order_by("id").values_list("id", flat=True))


def _open_check(round: Round, now: datetime, today: date) -> list[tuple[Person, dict[str, str]]]:
    """The audience with its attributes, if the round may open now; RoundCannotOpen otherwise."""
    if round.state == State.CLOSED:
        raise RoundCannotOpen("This round is closed and cannot open again.")
    if not round.questions.exists():
        raise RoundCannotOpen("The round has no questions. Add at least one before opening it.")
    if round.closes_at is not None and round.closes_at <= now:
        raise RoundCannotOpen(
            f"The closing time ({when(round.closes_at)}) is already past. Set a later closing time first."
        )
    young = _young_columns_errors(round.audience, today)
    if young:
        raise RoundCannotOpen(young["audience"])
    members = audience_members(round.audience, today)
    _audience_size_check(round, len(members))
    _overlap_check(round, {person.id for person, _ in members})
    return members


def _audience_size_check(round: Round, size: int) -> None:
    minimum = minimum_audience(round.k)
    if size < minimum:
        raise RoundCannotOpen(
            f"The audience of {_people(size)} is too small: with k={round.k} a round needs at least {minimum} "
            f"people (3 × k, and never fewer than {MIN_AUDIENCE}). Widen the audience, or lower k, before opening it."
        )


def _overlap_check(round: Round, person_ids: set[uuid.UUID]) -> None:
    """One open round per person: two open rounds whose audiences differ by one person give that person's answers
    by subtraction. The message counts the people, and never names them."""
    invited_elsewhere = Invitation.objects.filter(round__state=State.OPEN).exclude(round=round).order_by()
    pairs = [pair for pair in invited_elsewhere.values_list("round_id", "person_id") if pair[1] in person_ids]
    if not pairs:
        return
    per_round = Counter(round_id for round_id, _ in pairs)
    titles = dict(Round.objects.filter(id__in=per_round).values_list("id", "title"))
    named = ", ".join(f"“{titles[round_id]}” ({_people(count)})" for round_id, count in per_round.most_common())
    overlapping = len({person_id for _, person_id in pairs})
    raise RoundCannotOpen(
        f"{_people(overlapping)} in this audience {'is' if overlapping == 1 else 'are'} already invited to another "
        f"open round: {named}. A person can be in only one open round at a time. "
        "Wait until that round closes, or narrow the audience."
    )


def _invitations_queue(round_id: uuid.UUID) -> None:
    from surveys.tasks import round_invitations_send

    send_after_commit(round_invitations_send, str(round_id))


@transaction.atomic
def round_close(round: Round, now: datetime | None = None) -> Round:
    """Close the round and queue its one publication (reports.pipeline), which also forgets who took part.

    Holding the round row, no submission can slip in between; one that arrives after this is refused as late.
    Safe to run twice: a closed round is queued again, and the pipeline publishes once.
    """
    now = now or timezone.now()
    current = Round.objects.select_for_update().get(id=round.id)
    if current.state in EDITABLE_STATES:
        raise RoundStateError("Only an open round can be closed.")
    if current.state == State.OPEN:
        current.state = State.CLOSED
        if current.closes_at is None or current.closes_at > now:
            current.closes_at = now
        current.save(update_fields=["state", "closes_at"])
    send_named_after_commit(ROUND_PUBLISH_TASK, str(current.id))
    return current


def rounds_advance(now: datetime | None = None) -> dict[str, int]:
    """Open scheduled rounds whose time has come and close open rounds whose time is up."""
    now = now or timezone.now()
    opened = closed = 0
    due_to_open = Round.objects.filter(state=State.SCHEDULED, opens_at__lte=now).values_list("id", flat=True)
    for round_id in list(due_to_open):
        opened += _scheduled_round_open(round_id, now)
    due_to_close = Round.objects.filter(state=State.OPEN, closes_at__lte=now).values_list("id", flat=True)
    for round_id in list(due_to_close):
        round_close(Round(id=round_id), now)
        closed += 1
    return {"opened": opened, "closed": closed}


def _scheduled_round_open(round_id: uuid.UUID, now: datetime) -> bool:
    try:
        round_open(Round(id=round_id), now)
    except RoundCannotOpen as error:
        Round.objects.filter(id=round_id, state=State.SCHEDULED).update(state=State.DRAFT)
        # The reason names counts and k only, never a person.
        logger.warning("Round %s could not open and is back in draft: %s", round_id, error)
        return False
    return True


# --- e-mail -------------------------------------------------------------------------------


def round_invitations_send(round_id: uuid.UUID | str) -> int:
    """E-mail everyone invited to an open round. Returns how many were sent."""
    round = Round.objects.get(id=round_id)
    if round.state != State.OPEN:
        return 0
    people = Person.objects.filter(invitations__round=round, active=True)
    return _round_mail_send(round, "invitation", people)


def round_reminders_send(round_id: uuid.UUID | str, today: date | None = None) -> int:
    """Remind everyone invited, if the round's reminder cadence says it is time.

    Everyone, answered or not: a list of those who had not answered yet would tell whoever sees the mail (the mail
    provider, a mail administrator), from one reminder to the next, on which day each person took part.
    """
    today = today or timezone.localdate()
    round = Round.objects.get(id=round_id)
    if not _reminder_due(round, today):
        return 0
    # Claiming the day first means a second worker, or a repeated task, sends nothing twice.
    claimed = Round.objects.filter(id=round.id, last_reminded_on=round.last_reminded_on).update(last_reminded_on=today)
    if not claimed:
        return 0
    people = Person.objects.filter(invitations__round=round, active=True)
    try:
        return _round_mail_send(round, "reminder", people)
    except Exception:
        Round.objects.filter(id=round.id).update(last_reminded_on=round.last_reminded_on)
        raise


def _reminder_due(round: Round, today: date) -> bool:
    """Every ``reminder_every_days`` days, counted from the last reminder, or from the invitation before the first."""
    if round.state != State.OPEN or round.reminder_every_days <= 0:
        return False
    last = round.last_reminded_on or (timezone.localdate(round.opens_at) if round.opens_at else None)
    return last is None or today - last >= timedelta(days=round.reminder_every_days)


def reminders_due(today: date | None = None) -> list[uuid.UUID]:
    """Queue the reminders of every open round whose cadence has come round. Returns the round ids."""
    today = today or timezone.localdate()
    rounds = Round.objects.filter(state=State.OPEN, reminder_every_days__gt=0)
    due = [round.id for round in rounds if _reminder_due(round, today)]
    from surveys.tasks import round_reminders_send as reminders_task

    for round_id in due:
        send_after_commit(reminders_task, str(round_id))
    return due


def round_answer_link(round: Round) -> str:
    """A link that logs the person in with a code and lands on the round."""
    return f"{settings.CANDOR_SITE_URL.rstrip('/')}{reverse('account_request_login_code')}?next=/rounds/{round.id}/"


def _round_mail_send(round: Round, template: str, people) -> int:
    context = {
        "round": round,
        "closes_on": when(round.closes_at) if round.closes_at else "",
        "link": round_answer_link(round),
        "audience": audience_statement(round),
    }
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _one_line(
        render_to_string(f"surveys/email/{template}_subject.txt", context)
    )
    body = render_to_string(f"surveys/email/{template}_message.txt", context)
    addresses = list(people.order_by().values_list("user__email", flat=True))
    sent = 0
    with get_connection() as connection:
        for start in range(0, len(addresses), MAIL_CHUNK):
            messages = [
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
                for address in addresses[start : start + MAIL_CHUNK]
            ]
            sent += connection.send_messages(messages) or 0
    return sent


def _one_line(text: str) -> str:
    """A title with a line break in it would make every invitation fail (a header injection guard)."""
    return " ".join(text.split())


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverallParticipation:
    """How many of the invited took part, for the whole audience only: per-group participation is published with
    the results when the round closes, never while it is open."""

    invited: int
    submitted: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.submitted / self.invited) if self.invited else None


def round_participation(round: Round) -> OverallParticipation | None:
    """The overall count: live while the round is open (the one number allowed to move), stored once closed."""
    if round.state not in (State.OPEN, State.CLOSED):
        return None
    submitted = round.submitted_count
    if submitted is None:
        submitted = Participation.objects.filter(round=round).count()
    return OverallParticipation(invited=round.audience_size, submitted=submitted)


def rounds_overview() -> list[Round]:
    """Every round, newest first, each with ``participation``: its overall counts, or None before it opens."""
    submitted = Participation.objects.filter(round=OuterRef("pk")).order_by().values("round").annotate(n=Count("id"))
    rounds = list(Round.objects.annotate(live_submitted=Coalesce(Subquery(submitted.values("n")), 0)))
    for round in rounds:
        round.participation = _overview_row(round)
    return rounds


def _overview_row(round: Round) -> OverallParticipation | None:
    if round.state not in (State.OPEN, State.CLOSED):
        return None
    submitted = round.live_submitted if round.submitted_count is None else round.submitted_count
    return OverallParticipation(invited=round.audience_size, submitted=submitted)


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def when(moment: datetime) -> str:
    """A time as e-mails and messages show it: "25 November 2025, 17:00 UTC"."""
    return date_format(timezone.localtime(moment), "j F Y, H:i T")


def round_question_library(round: Round) -> list[Question]:
    """What the picker offers: the library in order, plus archived questions this round still asks."""
    asked = RoundQuestion.objects.filter(round=round, source=OuterRef("pk"))
    return list(Question.objects.filter(Q(archived=False) | Q(Exists(asked))).order_by("position", "text", "id"))


def audience_described(audience: dict) -> list[tuple[str, list[str]]]:
    """The audience's filters as (attribute label, values), for people to read; empty means everyone."""
    labels = attribute_labels()
    return [(labels.get(key, key), values) for key, values in audience.items() if values]
