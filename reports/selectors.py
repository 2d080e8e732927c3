"""What HR may see of rounds: definitions, participation counts, and report snapshots.

Reads round definitions and participation *counts* from the identified side; never people, never who took
part, never comment text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from feedback.models import Stream
from reports.models import ReportSnapshot
from reports.publication import Publication
from reports.snapshots import snapshot_engine, snapshot_engines
from sentiment.models import Theme
from surveys.models import Round, RoundQuestion
from surveys.rounds import attribute_labels, rounds_overview

VISIBLE_STATES = (Round.State.OPEN, Round.State.CLOSED)


@dataclass(frozen=True)
class RoundData:
    """A round as the reports need it: its questions, its named themes, and its publication (None until it closes
    and is published)."""

    round: Round
    questions: list[RoundQuestion]
    themes: list[Theme]
    engine: Publication | None
    labels: dict[str, str] = field(default_factory=dict)
    version: int = 0  # the snapshot's; 0 before the first one

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.engine.space.attributes if self.engine else ()

    def values(self, attribute: str) -> tuple[str, ...]:
        return self.engine.values.get(attribute, ()) if self.engine else ()


def hr_rounds() -> list[Round]:
    return [round for round in rounds_overview() if round.state in VISIBLE_STATES]


def round_data(round: Round, *, labels: dict[str, str] | None = None) -> RoundData:
    snapshot = ReportSnapshot.objects.defer("engine").filter(round_id=round.id).first()
    themes = Theme.objects.filter(round_id=round.id, is_other=False).order_by("position")
    return RoundData(
        round=round,
        questions=list(round.questions.order_by("position")),
        themes=list(themes),
        engine=snapshot_engine(snapshot) if snapshot else None,
        labels=attribute_labels() if labels is None else labels,
        version=snapshot.version if snapshot else 0,
    )


def rounds_data(rounds: list[Round]) -> list[RoundData]:
    """``round_data`` for many rounds in a fixed number of queries (the trends page)."""
    ids = [round.id for round in rounds]
    snapshots = list(ReportSnapshot.objects.defer("engine").filter(round_id__in=ids))
    engines = snapshot_engines(snapshots)
    engine_of = {snapshot.round_id: engines[snapshot.id] for snapshot in snapshots}
    version_of = {snapshot.round_id: snapshot.version for snapshot in snapshots}
    questions = _grouped(RoundQuestion.objects.filter(round_id__in=ids).order_by("position"), "round_id")
    themes = _grouped(Theme.objects.filter(round_id__in=ids, is_other=False).order_by("position"), "round_id")
    labels = attribute_labels()
    return [
        RoundData(
            round=round,
            questions=questions.get(round.id, []),
            themes=themes.get(round.id, []),
            engine=engine_of.get(round.id),
            labels=labels,
            version=version_of.get(round.id, 0),
        )
        for round in rounds
    ]


def _grouped(rows, key: str) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(getattr(row, key), []).append(row)
    return groups


def round_with_versions(round_id) -> Round | None:
    """The visible round, with ``version`` (of its snapshot), ``previous_id`` and ``previous_version`` (0 when there
    is no snapshot), in one query: everything a round page's cache key needs from the database but the labels."""
    previous = Round.objects.earlier_of_same_audience(
        opens_at=OuterRef("opens_at"), audience=OuterRef("audience"), exclude_id=OuterRef("id")
    ).values("id")[:1]
    return (
        Round.objects.filter(id=round_id, state__in=VISIBLE_STATES)
        .annotate(
            version=_snapshot_version(OuterRef("id")),
            previous_id=Subquery(previous),
            previous_version=_snapshot_version(OuterRef("previous_id")),
        )
        .first()
    )


def _snapshot_version(round_id) -> Coalesce:
    return Coalesce(Subquery(ReportSnapshot.objects.filter(round_id=round_id).values("version")[:1]), 0)


def rounds_in_order(*, closed_only: bool = False) -> list[Round]:
    states = (Round.State.CLOSED,) if closed_only else VISIBLE_STATES
    return list(Round.objects.filter(state__in=states).exclude(opens_at=None).order_by("opens_at"))


def results_rounds_queryset(user):
    """Closed rounds the user was invited to (invitations are kept after close for this): a fake roster entry sees
    only the rounds it was in, and those only as the organisation-level results every invitee sees."""
    return Round.objects.filter(state=Round.State.CLOSED, invitations__person__user=user).distinct()


def results_rounds(user) -> list[Round]:
    return list(results_rounds_queryset(user).order_by("-closes_at"))


def open_feedback_periods() -> list[str]:
    return list(ReportSnapshot.objects.filter(stream=Stream.OPEN).order_by("-period").values_list("period", flat=True))


def open_feedback_data(period: str) -> tuple[list[Theme], Publication | None]:
    snapshot = ReportSnapshot.objects.defer("engine").filter(stream=Stream.OPEN, period=period).first()
    themes = list(Theme.objects.filter(stream=Stream.OPEN, period=period, is_other=False).order_by("position"))
    return themes, snapshot_engine(snapshot) if snapshot else None
