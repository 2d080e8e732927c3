"""Turning released comments into scores and themes: the identified side supplies the thresholds.

A round's comment threshold and the order of rounds live here, not on the anonymous side, so the
orchestration lives here too; the work itself is done by ``sentiment``.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from config.dispatch import send_after_commit, send_now
from feedback.models import Stream
from sentiment import selectors as sentiment_selectors
from sentiment import tasks as sentiment_tasks
from sentiment.models import Theme
from sentiment.theming import themes_rebuild
from surveys.models import Round

SCORE_CHUNK = 500


def analysis_queue(*, comment_ids: list[uuid.UUID], round_id=None, period: str = "") -> None:
    """After a release: score the new comments now, rebuild the group's themes a little later."""
    ids = [str(comment_id) for comment_id in comment_ids]
    for start in range(0, len(ids), SCORE_CHUNK):
        send_after_commit(sentiment_tasks.comments_score, ids[start : start + SCORE_CHUNK])
    themes_queue(round_id=round_id, period=period)


def themes_queue(*, round_id=None, period: str = "") -> None:
    """Debounced: batches released while a rebuild is pending are picked up by that same rebuild."""
    from surveys import tasks

    key = f"themes-pending:{round_id or period}"
    # While the cache is away add() says no (config/cache.py); analysis_sweep then finds the unthemed comments.
    if not cache.add(key, 1, timeout=settings.CANDOR_THEMES_DEBOUNCE_SECONDS * 4):
        return
    if round_id:
        send_after_commit(tasks.round_themes_build, str(round_id), countdown=settings.CANDOR_THEMES_DEBOUNCE_SECONDS)
    else:
        send_after_commit(tasks.open_feedback_themes_build, period, countdown=settings.CANDOR_THEMES_DEBOUNCE_SECONDS)


def _pending_clear(name: str) -> None:
    cache.delete(f"themes-pending:{name}")


def round_themes_build(round_id) -> int:
    _pending_clear(str(round_id))
    round = Round.objects.filter(id=round_id).first()
    if round is None:
        return 0
    previous = _previous_round(round)
    themes = themes_rebuild(
        stream=Stream.ROUND,
        round_id=round.id,
        period="",
        min_respondents=round.comment_threshold,
        previous=list(Theme.objects.filter(round_id=previous.id)) if previous else [],
        today=timezone.localdate(),
    )
    _report_refresh_queue(round_id=round.id)
    return len(themes)


def open_feedback_themes_build(period: str) -> int:
    _pending_clear(period)
    themes = themes_rebuild(
        stream=Stream.OPEN,
        round_id=None,
        period=period,
        min_respondents=open_feedback_comment_threshold(),
        previous=list(Theme.objects.filter(stream=Stream.OPEN, period=_month_before(period))),
        today=timezone.localdate(),
    )
    _report_refresh_queue(period=period)
    return len(themes)


def _report_refresh_queue(*, round_id=None, period: str = "") -> None:
    """The reports read themes, so their snapshot is rebuilt after every theme build (which follows every release)."""
    from reports import tasks as report_tasks

    if round_id:
        send_after_commit(report_tasks.round_report_refresh, str(round_id))
    else:
        send_after_commit(report_tasks.open_feedback_report_refresh, period)


def open_feedback_comment_threshold() -> int:
    """Always-open comments are not linked to each other, so one person may stand behind several of them
    (up to the monthly limit). Counting comments, a term needs 2k people's worth of them."""
    return 2 * settings.CANDOR_OPEN_FEEDBACK_K * settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT


def _previous_round(round: Round) -> Round | None:
    earlier = Round.objects.filter(state__in=[Round.State.OPEN, Round.State.CLOSED]).exclude(id=round.id)
    if round.opens_at:
        earlier = earlier.filter(opens_at__lt=round.opens_at)
    return earlier.order_by("-opens_at").first()


def _month_before(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    first = date(year, month, 1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return previous.strftime("%Y-%m")


def analysis_sweep() -> dict[str, int]:
    """Beat's safety net: queue what a lost message or a broker outage left unscored or unthemed."""
    from surveys import tasks

    unscored = sentiment_selectors.unscored_comment_ids()
    for start in range(0, len(unscored), SCORE_CHUNK):
        send_now(sentiment_tasks.comments_score, unscored[start : start + SCORE_CHUNK])
    groups = sentiment_selectors.unthemed_groups()
    for stream, round_id, period in groups:
        if stream == Stream.ROUND:
            send_now(tasks.round_themes_build, round_id)
        else:
            send_now(tasks.open_feedback_themes_build, period)
    stale = reports_stale()
    return {"unscored": len(unscored), "unthemed_groups": len(groups), "stale_reports": stale}


def reports_stale() -> int:
    """Queue a rebuild of every report snapshot that counts other than the released responses."""
    from reports import services as report_services

    stale = report_services.stale_groups()
    for _, round_id, period in stale:
        _report_refresh_queue(round_id=round_id, period=period)
    return len(stale)
