"""Everything after a round closes (or a month of always-open feedback ends), once and in one transaction:
open the sealed pool, k-anonymize, write the responses, score, theme, tabulate, audit, publish.

There are no interim releases: until this runs nothing anyone sees of the round changes but the overall count of
submissions. The identified side queues it by task name when a round closes and never imports it; the one
transaction means a crash or a failed audit leaves the pool sealed and nothing published, and the next try starts
again from the pool.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feedback.models import PoolEntry, Stream
from feedback.periods import current_period, month_after, month_before
from feedback.pool import pool_carry_over, pool_take, receipts_shuffle
from feedback.services import Publishable, responses_publish
from reports.anonymize import OTHER, Part, anonymize
from reports.attacker import ANSWER, ANSWERS, COMMENTS
from reports.audit import finest_groups, publication_attack
from reports.disclosure import QuerySpace, engine_build
from reports.measures import question_measures, theme_measures
from reports.models import ReportSnapshot
from reports.publication import GroupParticipation, Publication, open_feedback_comment_threshold
from reports.records import group_attributes, records_build
from reports.snapshots import publication_dump
from sentiment.models import Theme
from sentiment.scoring import score_comment
from sentiment.theming import themes_rebuild
from surveys.models import Invitation, Participation, Round

logger = logging.getLogger(__name__)
# One breakdown (a heatmap's columns) under one filter.
MAX_FILTERS = 1
MAX_BREAKDOWN = 1


class PublicationRefused(Exception):
    """Even the coarsest publication let the independent attacker pin something: nothing is published."""


class _AuditFailed(Exception):
    """This level of anonymization let the attacker pin something: roll it back and try a coarser one."""


@dataclass(frozen=True)
class _Opened:
    """A closed round's opened pool, with what the anonymization and the audit need to know of its audience."""

    round: Round
    payloads: list[dict]
    respondents: list[dict]
    invitees: list[dict]
    names: tuple[str, ...]


def round_publish(round_id) -> ReportSnapshot | None:
    """Publish a closed round. Running it again once published changes nothing."""
    with transaction.atomic():
        # The round row is what a submission locks: holding it, no late submission can slip in.
        round = Round.objects.select_for_update().filter(id=round_id, state=Round.State.CLOSED).first()
        if round is None or ReportSnapshot.objects.filter(round_id=round.id).exists():
            return None
        snapshot = _round_publish(round)
        _participation_forget(round)
        return snapshot


def _round_publish(round: Round) -> ReportSnapshot | None:
    payloads = pool_take(stream=Stream.ROUND, round_id=round.id, period="")
    receipts_shuffle(stream=Stream.ROUND, round_id=round.id, period="")
    if len(payloads) < round.k:
        # Too few to publish anything about: the sealed submissions are dropped unread.
        logger.info("round closed with fewer than k submissions: nothing published")
        return None
    invitees = list(Invitation.objects.filter(round=round).values_list("attributes", flat=True))
    respondents = [payload.get("attributes", {}) for payload in payloads]
    opened = _Opened(round, payloads, respondents, invitees, group_attributes(invitees))
    scores = _ScoreOnce()
    for k in _levels(round.k, len(payloads)):
        try:
            with transaction.atomic():
                return _round_publish_at(opened, k=k, scores=scores)
        except _AuditFailed as failed:
            logger.warning("publication at k=%d refused by the audit (%s); trying coarser groups", k, failed)
    raise PublicationRefused("The audit refused every level of anonymization; nothing was published.")


def _levels(k: int, respondents: int) -> list[int]:
    """k, then doubled until one group holds everyone: each level generalizes more than the one before."""
    levels = [k]
    while levels[-1] < respondents:
        levels.append(min(2 * levels[-1], respondents))
    return levels


def _round_publish_at(opened: _Opened, *, k: int, scores: _ScoreOnce) -> ReportSnapshot:
    round, respondents, invitees, names = opened.round, opened.respondents, opened.invitees, opened.names
    threshold = max(round.comment_threshold, k)
    coarse = anonymize(respondents=respondents, invitees=invitees, attributes=names, k=threshold)
    fine = anonymize(respondents=respondents, invitees=invitees, attributes=names, k=k, within=coarse)
    items = [
        Publishable(payload=payload, attributes=fine.labels_of(raw), comment_attributes=coarse.labels_of(raw))
        for payload, raw in zip(opened.payloads, respondents, strict=True)
    ]
    group = {"stream": Stream.ROUND, "round_id": round.id, "period": ""}
    responses_publish(**group, items=items, today=timezone.localdate(), comment_score=scores)
    previous = round.previous_of_same_audience()
    themes = themes_rebuild(
        **group,
        min_respondents=round.comment_threshold,
        previous=list(Theme.objects.filter(round_id=previous.id)) if previous else [],
        today=timezone.localdate(),
    )
    measures = [measure for question in round.questions.all() for measure in question_measures(question)]
    tabulated = _tabulate(
        group=group,
        themes=themes,
        measures=measures,
        k=round.k,
        comment_threshold=round.comment_threshold,
        participation=_participation(fine, invitees, respondents, names),
    )
    report = publication_attack(
        tabulated.publication,
        invitees=invitees,
        names=names,
        comment_threshold=round.comment_threshold,
        finest=tabulated.finest,
    )
    logger.info("audit of the publication at k=%d: %s", k, report.summary())
    if not _acceptable(report, everyone_in_one_group=k >= len(respondents)):
        raise _AuditFailed(str(report))
    return _store(group=group, publication=tabulated.publication)


def _acceptable(report, *, everyone_in_one_group: bool) -> bool:
    """Nothing pinned; or, when everyone is in one group, only what the round's overall distribution says by itself:
    if nine of ten agreed, any two of them include someone who agreed. That is near-unanimity of the whole round,
    which no publication of its results can avoid (DESIGN.md: unanimity is out of scope)."""
    if report.passed:
        return True
    return everyone_in_one_group and not report.inconclusive and all(f.kind == ANSWER for f in report.findings)


class _ScoreOnce:
    """Scores each comment text once, however many levels of anonymization are tried."""

    def __init__(self) -> None:
        self._scores: dict[str, dict] = {}

    def __call__(self, text: str) -> dict:
        if text not in self._scores:
            self._scores[text] = _comment_score(text)
        return self._scores[text]


def open_feedback_publish(period: str) -> ReportSnapshot | None:
    """Publish a month of always-open feedback once the month is over. No attributes: only the month's themes."""
    if period >= current_period():
        return None
    threshold = open_feedback_comment_threshold()
    group = {"stream": Stream.OPEN, "round_id": None, "period": period}
    with transaction.atomic():
        if PoolEntry.objects.filter(**group).count() < threshold:
            # Published, one or two comments would be those people's words in every number: they wait, sealed,
            # and are published with the next month that reaches the threshold.
            pool_carry_over(period=period, to_period=month_after(period))
            return None
        payloads = pool_take(**group)
        if not payloads:
            return None
        receipts_shuffle(**group)
        items = [Publishable(payload=payload, attributes={}, comment_attributes={}) for payload in payloads]
        responses_publish(**group, items=items, today=timezone.localdate(), comment_score=_comment_score)
        previous = Theme.objects.filter(stream=Stream.OPEN, period=month_before(period))
        themes = themes_rebuild(**group, min_respondents=threshold, previous=list(previous), today=timezone.localdate())
        tabulated = _tabulate(
            group=group,
            themes=themes,
            measures=[],
            k=threshold,
            comment_threshold=threshold,
            participation=(GroupParticipation("", "", 0, len(items)),),
        )
        return _store(group=group, publication=tabulated.publication)


def _comment_score(text: str) -> dict:
    score = score_comment(text)
    return {
        "compound": score.compound,
        "sentiment": score.label,
        "sentences": [asdict(sentence) for sentence in score.sentences],
    }


def _participation(tree: Part, invitees: list[dict], respondents: list[dict], names) -> tuple[GroupParticipation, ...]:
    """Invited and submitted per published label of each attribute, both counted on the publication's leaves."""
    invited_labels = [tree.labels_of(raw) for raw in invitees]
    submitted_labels = [tree.labels_of(raw) for raw in respondents]
    groups = [GroupParticipation("", "", len(invitees), len(respondents))]
    for name in names:
        invited = Counter(labels[name] for labels in invited_labels)
        submitted = Counter(labels[name] for labels in submitted_labels)
        for value in sorted(submitted, key=lambda value: (value == OTHER, value)):
            groups.append(GroupParticipation(name, value, invited[value], submitted[value]))
    return tuple(groups)


@dataclass(frozen=True)
class _Tabulated:
    publication: Publication
    finest: list  # every combination of labels with its histograms, for the attacker only (never stored)


def _tabulate(*, group, themes, measures, k, comment_threshold, participation) -> _Tabulated:
    round_id, period = group["round_id"], group["period"]
    theme_list = [measure for theme in themes if not theme.is_other for measure in theme_measures(theme.key)]
    answers, finest = _engine(round_id, period, themes, measures, k=k, labels="attributes", labelling=ANSWERS)
    comments = None
    if theme_list:
        comments, finest_comments = _engine(
            round_id, period, themes, theme_list, k=comment_threshold, labels="comment_attributes", labelling=COMMENTS
        )
        finest += finest_comments
    invited = participation[0].invited
    publication = Publication(answers=answers, comments=comments, invited=invited, participation=participation)
    return _Tabulated(publication=publication, finest=finest)


def _engine(round_id, period, themes, measures, *, k: int, labels: str, labelling: str):
    records, attributes = records_build(round_id=round_id, period=period, themes=themes, labels=labels)
    space = QuerySpace(
        attributes=attributes, filterable=attributes, max_filters=MAX_FILTERS, max_breakdown=MAX_BREAKDOWN
    )
    engine = engine_build(records=records, space=space, k=k, measures=measures, comment_threshold=k)
    return engine, finest_groups(records, attributes=attributes, engine=engine, labelling=labelling)


def _store(*, group: dict, publication: Publication) -> ReportSnapshot:
    snapshot = ReportSnapshot.objects.create(
        stream=group["stream"],
        round_id=group["round_id"],
        period=group["period"],
        built_on=timezone.localdate(),
        respondents=publication.participation[0].submitted,
        engine=publication_dump(publication),
    )
    logger.info("published: %d respondents", snapshot.respondents)
    return snapshot


def _participation_forget(round: Round) -> None:
    """Keep how many took part, forget who: the per-person rows go in the publication's transaction."""
    round.submitted_count = Participation.objects.filter(round=round).count()
    round.save(update_fields=["submitted_count"])
    Participation.objects.filter(round=round).delete()


def publications_due() -> dict[str, int]:
    """Beat's safety net: publish every closed round and every ended month still waiting (a lost message, an
    outage, a failed try)."""
    waiting = PoolEntry.objects.filter(stream=Stream.ROUND).values("round_id")
    rounds = (
        Round.objects.filter(state=Round.State.CLOSED)
        .filter(Q(submitted_count=None) | Q(id__in=waiting))
        .exclude(id__in=ReportSnapshot.objects.exclude(round_id=None).values("round_id"))
    )
    published_rounds = sum(round_publish(round_id) is not None for round_id in rounds.values_list("id", flat=True))
    periods = PoolEntry.objects.filter(stream=Stream.OPEN).order_by().values_list("period", flat=True).distinct()
    published_months = sum(open_feedback_publish(period) is not None for period in list(periods))
    return {"rounds": published_rounds, "months": published_months}
