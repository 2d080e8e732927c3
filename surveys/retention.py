"""Retention: comment text is kept for CANDOR_RETENTION_MONTHS after its round closed or its month ended.

The identified side knows when rounds closed, so it decides which are due and hands their ids to the anonymous
side, which empties the text and keeps every number built from it. Runs daily from beat; safe to run again.
"""

import calendar
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from feedback.retention import TextDeleted, comment_text_delete, expired_text_count, round_text_deleted_on
from surveys.models import Round

logger = logging.getLogger(__name__)


def months_shift(day: date, months: int) -> date:
    """The same day ``months`` months later (earlier if negative), or the month's last day where it is shorter."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def rounds_due(cutoff: date) -> list[uuid.UUID]:
    """Closed rounds that closed before ``cutoff``."""
    start_of_cutoff = timezone.make_aware(datetime.combine(cutoff, time.min))
    due = Round.objects.filter(state=Round.State.CLOSED, closes_at__lt=start_of_cutoff)
    return list(due.values_list("id", flat=True))


def comment_text_retention_apply(*, today: date | None = None, dry_run: bool = False) -> TextDeleted:
    """Delete (or, dry, count) the comment text that is past retention. Logs counts, nothing else."""
    months = settings.CANDOR_RETENTION_MONTHS
    if not months:
        logger.info("retention: off (CANDOR_RETENTION_MONTHS=0), no comment text deleted")
        return TextDeleted(round_comments=0, open_feedback_comments=0)
    cutoff = months_shift(today or timezone.localdate(), -months)
    scope = {"round_ids": rounds_due(cutoff), "first_kept_period": cutoff.strftime("%Y-%m")}
    if dry_run:
        counts = expired_text_count(**scope)
    else:
        counts = comment_text_delete(**scope, today=today or timezone.localdate())
    message = "would delete the text of" if dry_run else "deleted the text of"
    logger.info(
        "retention (%d months) %s %d round comments and %d always-open comments",
        months,
        message,
        counts.round_comments,
        counts.open_feedback_comments,
    )
    return counts


@dataclass(frozen=True)
class RoundRetention:
    """What the round page says about its comment text."""

    months: int
    deleted_on: date | None = None
    kept_until: date | None = None


def round_retention(round: Round) -> RoundRetention:
    months = settings.CANDOR_RETENTION_MONTHS
    if round.state != Round.State.CLOSED:
        return RoundRetention(months=months)
    deleted_on = round_text_deleted_on(round.id)
    kept_until = months_shift(timezone.localdate(round.closes_at), months) if months and round.closes_at else None
    return RoundRetention(months=months, deleted_on=deleted_on, kept_until=None if deleted_on else kept_until)
