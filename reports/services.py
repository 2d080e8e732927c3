"""Building report snapshots: a worker tallies a round (or a month of always-open feedback) once per release.

The engine decides every suppression there, so a page view only looks numbers up. Rebuilt after each theme
build, which follows every release; the beat sweeper rebuilds any snapshot that fell behind the released rows.
"""

import logging

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from feedback.models import Response, Stream
from reports.disclosure import QuerySpace, engine_build
from reports.measures import question_measures, theme_measures
from reports.models import ReportSnapshot
from reports.records import records_build
from reports.snapshots import engine_dump
from sentiment.models import Theme
from surveys.analysis import open_feedback_comment_threshold
from surveys.models import Round

logger = logging.getLogger(__name__)
# One breakdown (a heatmap's columns) under one filter: every group is at most two attributes deep, which keeps
# the attack guard at seconds for a round of tens of thousands of responses.
MAX_FILTERS = 1
MAX_BREAKDOWN = 1
REPORTED_STATES = (Round.State.OPEN, Round.State.CLOSED)


def round_report_refresh(round_id) -> ReportSnapshot | None:
    round = Round.objects.filter(id=round_id, state__in=REPORTED_STATES).first()
    if round is None:
        return None
    themes = list(Theme.objects.filter(round_id=round.id))
    measures = [measure for question in round.questions.all() for measure in question_measures(question)]
    return _refresh(
        group={"stream": Stream.ROUND, "round_id": round.id},
        themes=themes,
        measures=measures,
        k=round.k,
        comment_threshold=round.comment_threshold,
    )


def open_feedback_report_refresh(period: str) -> ReportSnapshot | None:
    """Always-open comments are not linked to each other, so every number is held to the comment threshold."""
    threshold = open_feedback_comment_threshold()
    themes = list(Theme.objects.filter(stream=Stream.OPEN, period=period))
    return _refresh(
        group={"stream": Stream.OPEN, "round_id": None, "period": period},
        themes=themes,
        measures=[],
        k=threshold,
        comment_threshold=threshold,
    )


def _refresh(
    *, group: dict, themes: list[Theme], measures: list, k: int, comment_threshold: int
) -> ReportSnapshot | None:
    round_id, period = group.get("round_id"), group.get("period", "")
    records, attributes = records_build(round_id=round_id, period=period, themes=themes)
    if not records:
        # Nothing released yet. A report over nobody would still change the pages after the first submission,
        # and HR may learn of submissions only through releases of at least k.
        return None
    measures = measures + [measure for theme in themes if not theme.is_other for measure in theme_measures(theme.key)]
    space = QuerySpace(
        attributes=attributes, filterable=attributes, max_filters=MAX_FILTERS, max_breakdown=MAX_BREAKDOWN
    )
    engine = engine_build(records=records, space=space, k=k, measures=measures, comment_threshold=comment_threshold)
    snapshot = _store(group=group, blob=engine_dump(engine), respondents=len(records))
    logger.info("report snapshot rebuilt: %d respondents, %d measures", len(records), len(engine.measures))
    return snapshot


@transaction.atomic
def _store(*, group: dict, blob: bytes, respondents: int) -> ReportSnapshot:
    fields = {"stream": group["stream"], "round_id": group.get("round_id"), "period": group.get("period", "")}
    lookup = (
        {"round_id": fields["round_id"]} if fields["round_id"] else {"stream": Stream.OPEN, "period": fields["period"]}
    )
    values = {"built_on": timezone.localdate(), "respondents": respondents, "engine": blob}
    snapshot = ReportSnapshot.objects.select_for_update().filter(**lookup).first()
    if snapshot is None:
        return ReportSnapshot.objects.create(**fields, **values)
    ReportSnapshot.objects.filter(id=snapshot.id).update(version=F("version") + 1, **values)
    snapshot.refresh_from_db()
    return snapshot


def stale_groups() -> list[tuple[str, object, str]]:
    """(stream, round_id, period) of every group whose snapshot counts other than the released respondents."""
    built = dict(
        ((stream, round_id, period), respondents)
        for stream, round_id, period, respondents in ReportSnapshot.objects.values_list(
            "stream", "round_id", "period", "respondents"
        )
    )
    released = Response.objects.order_by().values_list("stream", "round_id", "period").annotate(n=Count("id"))
    return [
        (stream, round_id, period)
        for stream, round_id, period, n in released
        if built.get((stream, round_id, period)) != n
    ]
