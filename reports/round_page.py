"""An HR round page: what the reader chose, the report that gives, and the cache that keeps it rendered.

A closed round's page depends only on the round, its snapshot, the previous round's snapshot, the attribute labels
and the reader's choices; its participation was stored at close and never changes. So its cache key is known from
one query for the round and one for the labels, and a page read from the cache builds no ``RoundData``, no
participation and no engine. An open round has published nothing: its page is the overall count only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string

from reports import pages, selectors
from reports.anonymize import OTHER
from reports.disclosure import Filter, FilterRefused
from reports.presentation import Report
from surveys.models import Round
from surveys.rounds import OverallParticipation, attribute_labels, round_participation

# Bump when the report's templates or builders change, so cached pages are not served in the old shape.
PAGE_FORMAT = 2
PAGE_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Choices:
    """The reader's choices as the query string gives them: a filter ``group=attribute:value``, a heatmap ``by``."""

    group: str = ""
    by: str = ""

    @classmethod
    def from_query(cls, query) -> Choices:
        return cls(group=query.get("group", ""), by=query.get("by") or "")


@dataclass(frozen=True)
class Control:
    """One attribute the reader can filter on or split the heatmaps by."""

    attribute: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RoundPage:
    """What a round page shows about the round, whoever reads it; ``round.html`` renders it."""

    subtitle: str
    filters: str
    sections: str
    refusal: str
    by: str  # the heatmap attribute in force: the chosen one, or "" when the round has no such attribute
    analysed: bool  # a snapshot exists, so there is something to narrow and export
    controls: str  # the form to choose a filter and a heatmap, rendered with the reader's choices selected


@dataclass(frozen=True)
class ReportInputs:
    """Everything a round's report is built from, for these choices."""

    data: selectors.RoundData
    previous: selectors.RoundData | None
    options: pages.Options
    refusal: str
    participation: OverallParticipation | None

    def report(self) -> Report:
        return pages.round_report(self.data, self.options, previous=self.previous, participation=self.participation)

    @property
    def versions(self) -> tuple[int, int]:
        return self.data.version, self.previous.version if self.previous else 0


def report_inputs(round: Round, choices: Choices, *, labels: dict[str, str] | None = None) -> ReportInputs:
    """``round`` comes from ``selectors.round_with_versions``, which chose its previous round."""
    data = selectors.round_data(round, labels=labels)
    previous_round = Round.objects.filter(id=round.previous_id).first() if round.previous_id else None
    previous = selectors.round_data(previous_round, labels=data.labels) if previous_round else None
    options, refusal = options_chosen(data, choices)
    participation = None if options.filters else round_participation(round)
    return ReportInputs(data, previous, options, refusal, participation)


def options_chosen(data: selectors.RoundData, choices: Choices) -> tuple[pages.Options, str]:
    """The reader's filter and heatmap attribute, or a refusal saying why the filter is not applied."""
    by = choices.by if choices.by in data.attributes else None
    if not choices.group:
        return pages.Options(by=by), ""
    attribute, _, value = choices.group.partition(":")
    chosen = (Filter(attribute=attribute, value=value),)
    if attribute == by:
        return pages.Options(by=by), "A heatmap cannot be split by the attribute it is filtered on. Showing everyone."
    if attribute not in data.attributes or value == OTHER or value not in data.values(attribute):
        return pages.Options(by=by), (
            "That group is not one this round can show: results are published only for groups of at least "
            f"{data.round.k} respondents, and smaller ones are merged. Showing everyone instead."
        )
    try:
        data.engine.filters_check(filters=chosen)
    except FilterRefused as refused:
        return pages.Options(by=by), f"{refused} Showing everyone instead."
    return pages.Options(filters=chosen, by=by), ""


def round_page(round: Round, choices: Choices) -> RoundPage:
    """The page, from the cache when nothing it depends on has changed since it was rendered."""
    if round.state != Round.State.CLOSED:
        return _open_round_page(round, choices)
    labels = attribute_labels()
    key = _page_key(round, (round.version, round.previous_version), labels, choices)
    page = cache.get(key)
    if page is None:
        inputs = report_inputs(round, choices, labels=labels)
        page = _page_render(inputs, choices)
        # A snapshot rebuilt since the key was read: this page is newer than the key says, so it is not kept.
        if inputs.versions == (round.version, round.previous_version):
            cache.set(key, page, timeout=PAGE_CACHE_SECONDS)
    return page


def _open_round_page(round: Round, choices: Choices) -> RoundPage:
    """Nothing is published while a round is open: the page is its overall count, too cheap to cache."""
    return _page_render(report_inputs(round, choices), choices)


def _page_key(round: Round, versions, labels: dict[str, str], choices: Choices, participation=None) -> str:
    """Everything a page's content depends on. A closed round's participation is fixed, so it is left out."""
    shown = (round.state, round.title, round.k, round.comment_threshold, round.closes_at)
    parts = [PAGE_FORMAT, round.id, shown, versions, round.previous_id, sorted(labels.items()), choices, participation]
    return "report-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _page_render(inputs: ReportInputs, choices: Choices) -> RoundPage:
    report = inputs.report()
    by = inputs.options.by or ""
    controls = {"controls": _controls(inputs.data), "chosen_group": choices.group, "chosen_by": by}
    return RoundPage(
        subtitle=report.subtitle,
        filters=report.filters,
        sections=render_to_string("reports/_sections.html", {"report": report}),
        refusal=inputs.refusal,
        by=by,
        analysed=inputs.data.engine is not None,
        controls=render_to_string("reports/_round_controls.html", controls),
    )


def _controls(data: selectors.RoundData) -> tuple[Control, ...]:
    return tuple(
        Control(
            attribute=attribute,
            label=data.labels.get(attribute) or attribute,
            values=tuple(value for value in data.values(attribute) if value != OTHER),
        )
        for attribute in data.attributes
    )
