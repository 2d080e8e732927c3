"""The submission service: the one place that touches both sides, in one transaction.

On the identified side it checks eligibility and records *that* the person took part. It hands the anonymous side a
sealed payload carrying only answers, redacted text and the attributes frozen on the invitation when the round
opened. Nothing that leaves this module for the anonymous side names the person, the time or the request. Nothing is
published here: the round's pool is opened once, when the round closes (always-open feedback: after its month).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from config.cache import OUTAGE
from feedback.models import Stream
from feedback.periods import current_period
from feedback.pool import pool_add, receipt_add, receipt_code_new
from feedback.redaction import redact
from feedback.sealing import PayloadTooLarge, padded_size
from feedback.selectors import receipt_hash
from surveys.models import Invitation, Participation, Person, Question, Round, RoundQuestion
from surveys.questions import TEXT_MAX_LENGTH, scale_labels
from surveys.selectors import roster_names

NOT_OPEN = "This round is not open for answers."
LATE = "This round closed before your answers arrived; they were not stored."
ALREADY_SUBMITTED = "You have already answered this round. Each person can answer once."
TOO_LONG = (
    "Your answers are too long to be sealed at the size every answer to this round is stored at, so they were not "
    "stored. Shorten your comments and submit again."
)
QUOTA_UNAVAILABLE = (
    "Your monthly limit of comments cannot be checked right now, so nothing was stored. Please try again in a few "
    "minutes."
)
# Every always-open comment is sealed at this one size: a single comment, no answers.
OPEN_FEEDBACK_SIZE = padded_size(answers=0, comment_chars=TEXT_MAX_LENGTH)


class SubmissionRefused(Exception):
    """A submission that must not be stored; the message is written for the employee."""


class AlreadySubmitted(SubmissionRefused):
    pass


@dataclass(frozen=True)
class Preview:
    """Exactly what would be stored: shown to the employee before they submit."""

    answers: list[tuple[RoundQuestion, str]]
    comments: list[tuple[str, str]]
    attributes: dict[str, str]


def round_eligibility_check(*, person: Person, round: Round) -> None:
    if not round.is_open:
        raise SubmissionRefused(NOT_OPEN)
    _person_eligibility_check(person=person, round=round)


def round_preview(*, person: Person, round: Round, answers: list[tuple[RoundQuestion, object]]) -> Preview:
    invitation = Invitation.objects.get(round=round, person=person)
    payload = _round_payload(invitation=invitation, answers=answers)
    questions = {str(question.id): question for question, _ in answers}
    shown_answers = []
    for item in payload["answers"]:
        question = questions[item["question_id"]]
        shown_answers.append((question, _answer_display(question, item)))
    comments = [(questions[item["question_id"]].text, item["text"]) for item in payload["comments"]]
    return Preview(answers=shown_answers, comments=comments, attributes=payload["attributes"])


def round_submit(*, person: Person, round: Round, answers: list[tuple[RoundQuestion, object]]) -> str:
    """Seal one response and record participation. Returns the receipt code, shown once.

    The round's row stays locked until the transaction ends, so a close waits for this submission to be stored,
    and a submission that arrives after the close is refused rather than published on its own later.
    """
    code = receipt_code_new()
    with transaction.atomic():
        round = _round_locked_against_close(round.id)
        if round is None or not round.is_open:
            raise SubmissionRefused(NOT_OPEN if round.state in (Round.State.DRAFT, Round.State.SCHEDULED) else LATE)
        invitation = _person_eligibility_check(person=person, round=round)
        _participation_record(person=person, round=round)
        payload = _round_payload(invitation=invitation, answers=answers)
        _seal(stream=Stream.ROUND, round_id=round.id, period="", payload=payload, size=_round_size(round))
        receipt_add(code_hash=receipt_hash(code), stream=Stream.ROUND, round_id=round.id, period="")
    return code


def open_feedback_preview(*, person: Person, topic: str, text: str) -> Preview:
    payload = _open_feedback_payload(topic=topic, text=text)
    return Preview(answers=[], comments=[(topic, payload["comments"][0]["text"])], attributes=payload["attributes"])


def open_feedback_submit(*, person: Person, topic: str, text: str) -> str:
    """Seal one always-open comment, within the person's monthly limit. Returns the receipt code, shown once."""
    if not person.active:
        raise SubmissionRefused("Your place on the roster is inactive, so you cannot send feedback.")
    period = current_period()
    payload = _open_feedback_payload(topic=topic, text=text)
    code = receipt_code_new()
    _open_feedback_quota_use(person=person, period=period)
    with transaction.atomic():
        _seal(stream=Stream.OPEN, round_id=None, period=period, payload=payload, size=OPEN_FEEDBACK_SIZE)
        receipt_add(code_hash=receipt_hash(code), stream=Stream.OPEN, round_id=None, period=period)
    return code


def _round_locked_against_close(round_id) -> Round | None:
    """The round, read under a lock that a close (SELECT ... FOR UPDATE) waits for, until this transaction ends.

    On PostgreSQL the lock is shared, so submissions to one round do not wait for each other, only the close for
    them. SQLite has no row locks: its writers take turns on the whole database, and a close that commits while a
    submission is under way makes that submission fail instead of storing it late.
    """
    if connection.vendor != "postgresql":
        return Round.objects.select_for_update().filter(id=round_id).first()
    query = f"SELECT * FROM {Round._meta.db_table} WHERE id = %s FOR SHARE"  # noqa: S608 (a model's own table name)
    return next(iter(Round.objects.raw(query, [round_id])), None)


def _person_eligibility_check(*, person: Person, round: Round) -> Invitation:
    if not person.active:
        raise SubmissionRefused("Your place on the roster is inactive, so you cannot answer this round.")
    invitation = Invitation.objects.filter(round=round, person=person).first()
    if invitation is None:
        raise SubmissionRefused("This round was sent to a different group of people, so you cannot answer it.")
    if Participation.objects.filter(round=round, person=person).exists():
        raise AlreadySubmitted(ALREADY_SUBMITTED)
    return invitation


def _participation_record(*, person: Person, round: Round) -> None:
    try:
        with transaction.atomic():
            Participation.objects.create(round=round, person=person)
    except IntegrityError:
        raise AlreadySubmitted(ALREADY_SUBMITTED) from None


def _seal(*, stream: str, round_id, period: str, payload: dict, size: int) -> None:
    try:
        pool_add(stream=stream, round_id=round_id, period=period, payload=payload, size=size)
    except PayloadTooLarge:
        raise SubmissionRefused(TOO_LONG) from None


def _round_size(round: Round) -> int:
    """One size for every entry of the round, from its questions only, never from what was answered."""
    kinds = list(round.questions.values_list("kind", flat=True))
    comments = kinds.count(Question.Kind.TEXT)
    return padded_size(answers=len(kinds) - comments, comment_chars=comments * TEXT_MAX_LENGTH)


def _round_payload(*, invitation: Invitation, answers) -> dict:
    names = roster_names()
    payload = {"answers": [], "comments": []}
    for question, value in answers:
        if question.kind == Question.Kind.TEXT:
            payload["comments"].append({"question_id": str(question.id), "text": redact(value, names)})
        elif question.kind == Question.Kind.MULTIPLE:
            payload["answers"].append({"question_id": str(question.id), "chosen": sorted(value)})
        else:
            payload["answers"].append({"question_id": str(question.id), "value": value})
    # Frozen when the round opened; k-anonymized further at close, never here.
    payload["attributes"] = dict(invitation.attributes)
    return payload


def _open_feedback_payload(*, topic: str, text: str) -> dict:
    comment = {"question_id": None, "topic": topic, "text": redact(text, roster_names())}
    return {"answers": [], "comments": [comment], "attributes": {}}


def _open_feedback_quota_use(*, person: Person, period: str) -> None:
    """Count one comment against the person's monthly limit, in the cache, where the count expires with the month.

    A table would keep one row per person in the order they first wrote, next to a pool in the same order. The key is
    a keyed hash: a copy of the cache names nobody without the secret key.
    """
    key = "candor:open-feedback-quota:" + salted_hmac("candor.open-feedback-quota", f"{person.id}:{period}").hexdigest()
    cache.add(key, 0, timeout=_seconds_left_in_month())
    try:
        used = cache.incr(key)
    except (ValueError, *OUTAGE):  # the count is missing or the cache is away: no limit can be proven
        raise SubmissionRefused(QUOTA_UNAVAILABLE) from None
    limit = settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT
    if used > limit:
        raise SubmissionRefused(
            f"You have sent {limit} comments this month, the most one person can send. You can write again next "
            "month, or answer an open survey round."
        )


def _seconds_left_in_month() -> int:
    now = timezone.localtime()
    next_month = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((next_month - now).total_seconds()))


def _answer_display(question: RoundQuestion, item: dict) -> str:
    if "chosen" in item:
        return ", ".join(question.choices[index] for index in item["chosen"])
    if question.kind == Question.Kind.SINGLE:
        return question.choices[item["value"]]
    if question.kind == Question.Kind.RECOMMEND:
        return f"{item['value']} out of 10"
    return scale_labels(question.kind, question.choices)[item["value"] - 1]
