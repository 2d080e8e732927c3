"""Retention on the anonymous side: comment text is deleted once it is old enough, its numbers are kept.

Which rounds are old enough is decided on the identified side and passed in as ids; which months of
always-open feedback are, as the first month that is kept. What stays after a deletion: the comment row,
its compound score, label and theme, and each scored unit's label and score without its offsets into the
text, so every aggregate built from them (themes, snapshots, HR pages) comes out the same.
"""

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max, Q, QuerySet

from feedback.models import Comment, Stream
from feedback.services import groups_lock

BATCH_SIZE = 1000


@dataclass(frozen=True)
class TextDeleted:
    round_comments: int
    open_feedback_comments: int

    @property
    def total(self) -> int:
        return self.round_comments + self.open_feedback_comments


def comments_with_expired_text(*, round_ids: Iterable[uuid.UUID], first_kept_period: str) -> QuerySet[Comment]:
    """Comments that still have text and belong to one of ``round_ids`` or to a month before ``first_kept_period``."""
    of_rounds = Q(response__stream=Stream.ROUND, response__round_id__in=list(round_ids))
    of_old_months = Q(response__stream=Stream.OPEN, response__period__lt=first_kept_period)
    return Comment.objects.filter(of_rounds | of_old_months, text_deleted_on__isnull=True)


def expired_text_count(*, round_ids: Iterable[uuid.UUID], first_kept_period: str) -> TextDeleted:
    expired = comments_with_expired_text(round_ids=round_ids, first_kept_period=first_kept_period)
    return TextDeleted(
        round_comments=expired.filter(response__stream=Stream.ROUND).count(),
        open_feedback_comments=expired.filter(response__stream=Stream.OPEN).count(),
    )


def comment_text_delete(*, round_ids: Iterable[uuid.UUID], first_kept_period: str, today: date) -> TextDeleted:
    """Empty the text of every expired comment. Comments already emptied are left alone: a second run does nothing."""
    deleted = Counter()
    for group in _expired_groups(round_ids=list(round_ids), first_kept_period=first_kept_period):
        deleted[group["stream"]] += _group_text_delete(group, today=today)
    return TextDeleted(round_comments=deleted[Stream.ROUND], open_feedback_comments=deleted[Stream.OPEN])


def _expired_groups(*, round_ids: list[uuid.UUID], first_kept_period: str) -> list[dict]:
    expired = comments_with_expired_text(round_ids=round_ids, first_kept_period=first_kept_period)
    rows = expired.order_by().values_list("response__stream", "response__round_id", "response__period").distinct()
    return [{"stream": stream, "round_id": round_id, "period": period} for stream, round_id, period in rows]


@transaction.atomic
def _group_text_delete(group: dict, *, today: date) -> int:
    """One group per transaction, locked in one order: its responses first, then their comments.

    A second run on the same group (beat's task delivered twice) waits for this one and then finds nothing left to
    delete; and every comment of the group is rewritten by the one transaction, so none stands out by its row version.
    """
    response_ids = groups_lock([(group["stream"], group["round_id"], group["period"])])
    expired = Comment.objects.filter(response_id__in=response_ids, text_deleted_on__isnull=True)
    rows = list(expired.select_for_update(of=("self",)).only("id", "sentences"))
    for comment in rows:
        comment.text = ""
        comment.sentences = _units_without_offsets(comment.sentences)
        comment.text_deleted_on = today
    Comment.objects.bulk_update(rows, ["text", "sentences", "text_deleted_on"], batch_size=BATCH_SIZE)
    return len(rows)


def _units_without_offsets(units: list[dict] | None) -> list[dict] | None:
    """Offsets point into text that is gone; keeping them would only keep the comment's shape and length."""
    if units is None:
        return None
    return [{"compound": unit["compound"], "label": unit["label"]} for unit in units]


def round_text_deleted_on(round_id: uuid.UUID) -> date | None:
    """The day a round's comment text was deleted, or None while it is kept."""
    found = Comment.objects.filter(response__stream=Stream.ROUND, response__round_id=round_id)
    return found.aggregate(day=Max("text_deleted_on"))["day"]
