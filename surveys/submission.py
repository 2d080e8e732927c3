"""The submission service: the one place that touches both sides, in one transaction.

On the identified side it checks eligibility and records *that* the person took part. It hands the
anonymous side a sealed payload carrying only answers, redacted text and generalized attributes.
Nothing that leaves this module for the anonymous side names the person, the time or the request.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.dispatch import send_after_commit
from feedback.models import Stream
from feedback.redaction import redact
from feedback.selectors import receipt_hash
from feedback.services import pool_add, receipt_code_new
from surveys import attributes, tasks
from surveys.models import Invitation, OpenFeedbackQuota, Participation, Person, Question, Round, RoundQuestion
from surveys.questions import scale_labels
from surveys.release import current_period
from surveys.selectors import organisation_groups, roster_names


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
    now = timezone.now()
    if round.state != Round.State.OPEN or (round.closes_at and round.closes_at <= now):
        raise SubmissionRefused("This round is not open for answers.")
    if not person.active:
        raise SubmissionRefused("Your place on the roster is inactive, so you cannot answer this round.")
    if not Invitation.objects.filter(round=round, person=person).exists():
        raise SubmissionRefused("This round was sent to a different group of people, so you cannot answer it.")
    if Participation.objects.filter(round=round, person=person).exists():
        raise AlreadySubmitted("You have already answered this round. Each person can answer once.")


def round_preview(*, person: Person, round: Round, answers: list[tuple[RoundQuestion, object]]) -> Preview:
    payload = _round_payload(person=person, round=round, answers=answers)
    questions = {str(question.id): question for question, _ in answers}
    shown_answers = []
    for item in payload["answers"]:
        question = questions[item["question_id"]]
        shown_answers.append((question, _answer_display(question, item)))
    comments = [(questions[item["question_id"]].text, item["text"]) for item in payload["comments"]]
    return Preview(answers=shown_answers, comments=comments, attributes=payload["attributes"])


def round_submit(*, person: Person, round: Round, answers: list[tuple[RoundQuestion, object]]) -> str:
    """Store one sealed response and record participation. Returns the receipt code, shown once."""
    code = receipt_code_new()
    with transaction.atomic():
        round_eligibility_check(person=person, round=round)
        try:
            with transaction.atomic():
                Participation.objects.create(round=round, person=person)
        except IntegrityError:
            raise AlreadySubmitted("You have already answered this round. Each person can answer once.") from None
        pool_add(
            stream=Stream.ROUND,
            round_id=round.id,
            period="",
            payload=_round_payload(person=person, round=round, answers=answers),
            dedupe_key=_dedupe_key(f"round:{round.id}", person),
            receipt_hash=receipt_hash(code),
        )
        _release_after_commit(round_id=round.id)
    return code


def open_feedback_preview(*, person: Person, topic: str, text: str) -> Preview:
    payload = _open_feedback_payload(person=person, topic=topic, text=text)
    return Preview(answers=[], comments=[(topic, payload["comments"][0]["text"])], attributes=payload["attributes"])


def open_feedback_submit(*, person: Person, topic: str, text: str) -> str:
    if not person.active:
        raise SubmissionRefused("Your place on the roster is inactive, so you cannot send feedback.")
    period = current_period()
    code = receipt_code_new()
    with transaction.atomic():
        _open_feedback_quota_use(person=person, period=period)
        pool_add(
            stream=Stream.OPEN,
            round_id=None,
            period=period,
            payload=_open_feedback_payload(person=person, topic=topic, text=text),
            # Several comments a month are allowed (the quota limits them), so nothing to deduplicate.
            dedupe_key=secrets.token_hex(32),
            receipt_hash=receipt_hash(code),
        )
        send_after_commit(tasks.open_feedback_release, period)
    return code


def _round_payload(*, person: Person, round: Round, answers) -> dict:
    names = roster_names()
    payload = {"answers": [], "comments": []}
    for question, value in answers:
        if question.kind == Question.Kind.TEXT:
            payload["comments"].append({"question_id": str(question.id), "text": redact(value, names)})
        elif question.kind == Question.Kind.MULTIPLE:
            payload["answers"].append({"question_id": str(question.id), "chosen": sorted(value)})
        else:
            payload["answers"].append({"question_id": str(question.id), "value": value})
    payload["attributes"] = attributes.generalized_attributes(
        person, timezone.localdate(), k=round.k, groups=round.audience_groups
    )
    return payload


def _open_feedback_payload(*, person: Person, topic: str, text: str) -> dict:
    groups = organisation_groups()
    generalized = attributes.generalized_attributes(
        person, timezone.localdate(), k=settings.CANDOR_OPEN_FEEDBACK_K, groups=groups
    )
    comment = {"question_id": None, "topic": topic, "text": redact(text, roster_names())}
    return {"answers": [], "comments": [comment], "attributes": generalized}


def _open_feedback_quota_use(*, person: Person, period: str) -> None:
    quota, _ = OpenFeedbackQuota.objects.get_or_create(person=person, period=period)
    updated = OpenFeedbackQuota.objects.filter(
        id=quota.id, used__lt=settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT
    ).update(used=F("used") + 1)
    if not updated:
        raise SubmissionRefused(
            f"You have sent {settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT} comments this month, the most one "
            "person can send. You can write again next month, or answer an open survey round."
        )


def _dedupe_key(scope: str, person: Person) -> str:
    """A keyed hash: the same person and scope always give the same key, and the key alone names nobody."""
    secret = hashlib.sha256(f"candor-dedupe:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(secret, f"{scope}:{person.id}".encode(), hashlib.sha256).hexdigest()


def _answer_display(question: RoundQuestion, item: dict) -> str:
    if "chosen" in item:
        return ", ".join(question.choices[index] for index in item["chosen"])
    if question.kind == Question.Kind.SINGLE:
        return question.choices[item["value"]]
    if question.kind == Question.Kind.RECOMMEND:
        return f"{item['value']} out of 10"
    return scale_labels(question.kind, question.choices)[item["value"] - 1]


def _release_after_commit(*, round_id) -> None:
    send_after_commit(tasks.round_release, str(round_id))
