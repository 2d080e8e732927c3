"""The disclosure-control engine: every number HR sees comes out of ``Engine.table``.

A query is a measure (a count, a mean, a share, an NPS) over a round's anonymous records, broken down by up to two
attributes, under optional filters. The answer is a ``Table`` of cells, margins and the grand total, each either a
value with its respondent count or suppressed (value and count both hidden). Pages and CSV/PDF exports render the
same frozen ``Table``, so they cannot disagree. Build one ``Engine`` per round (``engine_build``, when the round is
published), then ask it for tables; the engine never imports the identified side, it works on plain records.

Why this is safe (property P3): the engine is given k-anonymous records (``reports.anonymize``): every combination of
labels they carry is shared by at least k respondents, and someone whose group is smaller carries ``other``. Every
group a query can reach is a set of whole leaves, so every number, and every difference between two numbers, sums
leaves of at least k; no complementary suppression is needed, and the engine only hides (primary suppression) a
group with fewer than the threshold in any base: an empty group, or a question fewer than k of the group answered.
Such a number can still be worked out from others, but it describes a group of at least k respondents, any of whom
could have given it. Comment-derived numbers get an engine of their own on coarser labels (the comment threshold),
whose groups contain the answers' leaves whole. Tallies are decided once per round, at publication, so asking twice,
in another order or through an export gives the same cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from reports.disclosure_data import (
    Conditions,
    Measure,
    Tally,
    conditions_described,
    conditions_of,
    finest_tally,
    lattice_tally,
    population_build,
)
from reports.disclosure_lattice import MAX_BREAKDOWN, Family, lattice_build, reachable_sets

__all__ = [
    "Cell",
    "Engine",
    "Filter",
    "FilterRefused",
    "Measure",
    "Query",
    "QuerySpace",
    "Table",
    "engine_build",
    "engine_restore",
]

DEFAULT_MAX_FILTERS = 2


class FilterRefused(Exception):
    """The filter would let someone work out the answers of fewer than k people; the message says why."""


@dataclass(frozen=True)
class Filter:
    attribute: str
    value: str


@dataclass(frozen=True)
class Query:
    """A measure, broken down by ``rows`` (and ``columns``), among the respondents that match every filter."""

    measure: Measure
    rows: str | None = None
    columns: str | None = None
    filters: tuple[Filter, ...] = ()


@dataclass(frozen=True)
class Cell:
    """One number of a table. ``row``/``column`` None means all rows/columns: a margin, or the grand total."""

    row: str | None
    column: str | None
    value: float | None
    count: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Table:
    query: Query
    threshold: int
    row_values: tuple[str, ...]
    column_values: tuple[str, ...]
    cells: tuple[Cell, ...]

    def cell(self, row: str | None = None, column: str | None = None) -> Cell:
        for cell in self.cells:
            if cell.row == row and cell.column == column:
                return cell
        raise KeyError((row, column))

    @property
    def total(self) -> Cell:
        return self.cell()

    def conditions(self, cell: Cell) -> Conditions:
        """The group of respondents a cell describes."""
        return cell_conditions(query=self.query, row=cell.row, column=cell.column)


def cell_conditions(*, query: Query, row: str | None, column: str | None) -> Conditions:
    pairs = [(chosen.attribute, chosen.value) for chosen in query.filters]
    if row is not None:
        pairs.append((query.rows, row))
    if column is not None:
        pairs.append((query.columns, column))
    return conditions_of(pairs)


@dataclass(frozen=True)
class QuerySpace:
    """What a round lets HR ask: breakdowns by up to ``max_breakdown`` of ``attributes`` (rows, then columns), under up
    to ``max_filters`` filters on ``filterable``.

    The pattern covers exactly this space, so it is part of the round's settings, not of a query.
    """

    attributes: tuple[str, ...]
    filterable: tuple[str, ...] = ()
    max_filters: int = DEFAULT_MAX_FILTERS
    max_breakdown: int = MAX_BREAKDOWN

    def __post_init__(self) -> None:
        if not 0 <= self.max_breakdown <= MAX_BREAKDOWN:
            raise ValueError(f"A table is broken down by at most {MAX_BREAKDOWN} attributes.")
        unknown = set(self.filterable) - set(self.attributes)
        if unknown:
            raise ValueError(f"Filters on attributes that are not reported: {', '.join(sorted(unknown))}.")


@dataclass(frozen=True, eq=False)
class Engine:
    """A round's records, tallied for every measure, with the round's suppression patterns. Build with engine_build."""

    space: QuerySpace
    k: int
    comment_threshold: int
    measures: tuple[Measure, ...]
    values: Mapping[str, tuple[str, ...]]
    tallies: Mapping[Measure, Mapping[Conditions, Tally]]
    hidden: frozenset[Conditions]
    hidden_comments: frozenset[Conditions]

    def table(self, query: Query) -> Table:
        """The query's table; raises FilterRefused, or ValueError for a query the round does not offer."""
        self._query_check(query)
        self.filters_check(filters=query.filters, comment_derived=query.measure.comment_derived)
        rows = self.values[query.rows] if query.rows else ()
        columns = self.values[query.columns] if query.columns else ()
        cells = tuple(self._cell(query, row, column) for row in (*rows, None) for column in (*columns, None))
        threshold = self._threshold(query.measure.comment_derived)
        return Table(query=query, threshold=threshold, row_values=rows, column_values=columns, cells=cells)

    def filters_check(self, *, filters: Sequence[Filter], comment_derived: bool = False) -> None:
        """Refuse a filter stack when a group it builds on is not shown (too few respondents, or not a published
        group of its own). Nothing else needs refusing: every shown group is a union of whole k-anonymous leaves."""
        pairs = [(chosen.attribute, chosen.value) for chosen in filters]
        threshold = self._threshold(comment_derived)
        hidden = self.hidden_comments if comment_derived else self.hidden
        stacks = [conditions_of(stack) for size in range(1, len(pairs) + 1) for stack in combinations(pairs, size)]
        for stack in stacks:
            if stack in hidden or any(value not in self.values[attribute] for attribute, value in stack):
                raise FilterRefused(_hidden_message(stack, threshold))

    def _threshold(self, comment_derived: bool) -> int:
        return self.comment_threshold if comment_derived else self.k

    def _cell(self, query: Query, row: str | None, column: str | None) -> Cell:
        conditions = cell_conditions(query=query, row=row, column=column)
        if conditions in (self.hidden_comments if query.measure.comment_derived else self.hidden):
            return Cell(row=row, column=column, value=None, count=None)
        count, numerator = self.tallies[query.measure][conditions]
        return Cell(row=row, column=column, value=query.measure.value(count=count, numerator=numerator), count=count)

    def _query_check(self, query: Query) -> None:
        if query.measure not in self.tallies:
            raise ValueError("This measure is not among the round's measures, so it has no suppression pattern.")
        breakdown = [name for name in (query.rows, query.columns) if name]
        filtered = [chosen.attribute for chosen in query.filters]
        if query.columns and not query.rows:
            raise ValueError("A table with columns needs rows.")
        if len(breakdown) > self.space.max_breakdown:
            raise ValueError(f"This round's tables are broken down by at most {self.space.max_breakdown} attributes.")
        if len(set(breakdown)) < len(breakdown) or len(set(filtered)) < len(filtered) or set(breakdown) & set(filtered):
            raise ValueError("Each attribute can be a row, a column or one filter, once.")
        if not set(breakdown) <= set(self.space.attributes):
            raise ValueError(f"Breakdowns are by {', '.join(self.space.attributes)}.")
        if not set(filtered) <= set(self.space.filterable) or len(filtered) > self.space.max_filters:
            raise ValueError(
                f"Up to {self.space.max_filters} filters, on {', '.join(self.space.filterable) or 'none'}."
            )


def engine_build(
    *,
    records: Iterable[Mapping[str, object]],
    space: QuerySpace,
    k: int,
    measures: Sequence[Measure],
    comment_threshold: int | None = None,
) -> Engine:
    """Tally the records and decide the round's suppression patterns, once for every query the space allows."""
    comment_threshold = 2 * k if comment_threshold is None else comment_threshold
    if k < 1 or comment_threshold < k:
        raise ValueError("k must be at least 1, and the comment threshold at least k.")
    measures = tuple(dict.fromkeys([Measure.count(), *measures]))
    population = population_build(records=records, attributes=space.attributes)
    sets = reachable_sets(
        attributes=space.attributes,
        filterable=space.filterable,
        max_filters=space.max_filters,
        max_breakdown=space.max_breakdown,
    )
    lattice = lattice_build(values=population.values, attribute_sets=sets)
    finest = {measure: finest_tally(population=population, measure=measure) for measure in measures}
    tallies = {
        measure: lattice_tally(population=population, finest=finest[measure], attribute_sets=sets)
        for measure in measures
    }
    answers = _family(measures=[m for m in measures if not m.comment_derived], tallies=tallies, threshold=k)
    comments = _family(
        measures=[m for m in measures if m.comment_derived], tallies=tallies, threshold=comment_threshold
    )
    if set(answers.thresholds) & set(comments.thresholds):
        raise ValueError("A field cannot be both comment-derived and an answer.")
    hidden = _primary_hidden(lattice=lattice, family=answers)
    hidden_comments = hidden | _primary_hidden(lattice=lattice, family=comments)
    return Engine(
        space=space,
        k=k,
        comment_threshold=comment_threshold,
        measures=measures,
        values=population.values,
        tallies=tallies,
        hidden=hidden,
        hidden_comments=hidden_comments,
    )


def engine_restore(
    *,
    space: QuerySpace,
    k: int,
    comment_threshold: int,
    measures: Sequence[Measure],
    values: Mapping[str, tuple[str, ...]],
    tallies: Mapping[Measure, Mapping[Conditions, Tally]],
    hidden: frozenset[Conditions],
    hidden_comments: frozenset[Conditions],
) -> Engine:
    """An engine from what ``engine_build`` decided (kept in a snapshot): same tallies, same patterns."""
    return Engine(
        space=space,
        k=k,
        comment_threshold=comment_threshold,
        measures=tuple(measures),
        values=values,
        tallies=tallies,
        hidden=hidden,
        hidden_comments=hidden_comments,
    )


def _family(
    *, measures: Sequence[Measure], tallies: Mapping[Measure, Mapping[Conditions, Tally]], threshold: int
) -> Family:
    counts = {measure.base: {cell: count for cell, (count, _) in tallies[measure].items()} for measure in measures}
    return Family(counts=counts, thresholds=dict.fromkeys(counts, threshold))


def _primary_hidden(*, lattice, family: Family) -> frozenset[Conditions]:
    """Groups with fewer than the threshold in any base (an empty group too). Nothing more is hidden: the records are
    k-anonymous, so every group is a union of whole leaves and subtracting one shown number from another only ever
    gives another union of leaves."""
    return frozenset(
        cell
        for cell in lattice.cells()
        if any(family.counts[base].get(cell, 0) < threshold for base, threshold in family.thresholds.items())
    )


def _hidden_message(group: Conditions, threshold: int) -> str:
    return (
        f"Results for {conditions_described(group)} are not shown on their own: they are published only for groups "
        f"of at least {threshold} respondents, and this group is smaller or was merged into a larger one when the "
        "round's results were anonymized."
    )
