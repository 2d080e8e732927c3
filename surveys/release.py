"""Releasing sealed submissions: the identified side decides when (k, state), the anonymous side how."""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from feedback.models import Stream
from feedback.selectors import pool_groups
from feedback.services import pool_release
from surveys.analysis import analysis_queue
from surveys.models import Round


def round_release(round_id: uuid.UUID) -> list[uuid.UUID]:
    """Release what may be released for a round: batches while open, everything once closed."""
    with transaction.atomic():
        round = Round.objects.select_for_update().filter(id=round_id).first()
        if round is None or round.state not in (Round.State.OPEN, Round.State.CLOSED):
            return []
        released = pool_release(
            stream=Stream.ROUND,
            round_id=round.id,
            period="",
            k=round.k,
            final=round.state == Round.State.CLOSED,
            today=timezone.localdate(),
        )
    # Every submission queues a release, and most release nothing: those must not queue analysis work as well.
    if released.responses:
        analysis_queue(comment_ids=released.comment_ids, round_id=round_id)
    return released.comment_ids


def open_feedback_release(period: str) -> list[uuid.UUID]:
    """Release always-open feedback of a month: in batches, and the rest once the month is over."""
    released = pool_release(
        stream=Stream.OPEN,
        round_id=None,
        period=period,
        k=settings.CANDOR_OPEN_FEEDBACK_K,
        final=period < current_period(),
        today=timezone.localdate(),
    )
    if released.responses:
        analysis_queue(comment_ids=released.comment_ids, period=period)
    return released.comment_ids


def releases_due() -> int:
    """Release every group with waiting submissions (the beat's safety net behind on-commit releases)."""
    released = 0
    for stream, round_id, period in list(pool_groups()):
        if stream == Stream.ROUND:
            released += len(round_release(round_id))
        else:
            released += len(open_feedback_release(period))
    return released


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")
