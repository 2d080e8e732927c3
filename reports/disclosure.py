"""The disclosure-control engine: every number HR sees comes out of ``Engine.table``.

A query is a measure (a count, a mean, a share, an NPS) over a round's anonymous records, broken down by up to two
attributes, under optional filters. The answer is a ``Table`` of cells, margins and the grand total, each either a
value with its respondent count or suppressed (value and count both hidden). Pages and CSV/PDF exports render the
same frozen ``Table``, so they cannot disagree. Build one ``Engine`` per round (``engine_build``, when a batch is
released), then ask it for tables; the engine never imports the identified side, it works on plain records.

Why this is safe (properties P3 and P4):

- **Primary suppression.** A group with fewer than k respondents in any base (the comment threshold for
  comment-derived measures) is hidden, count included.
- **Complementary suppression.** Every group inside a hidden group is hidden; in every row, column and margins
  line the hidden cells are none, or at least two that together hold k or more in every base; then an LP attack
  over the whole round hides more until it recovers nothing. ``disclosure_pattern`` has the rule and why.
- **One pattern per round, so no differencing between queries.** Which groups are hidden is decided once, for
  every group any allowed query can show, before any query runs. A table is a window onto that pattern: a group is
  hidden in every table that shows it, and for every measure (the pattern is computed on the counts of all the
  round's bases at once, so a mean's count, a share's count and the head count hide the same cells, and a
  mean × count difference has nothing to subtract). There is no randomness and ties are broken by value name, so
  asking twice, in another order, or through an export gives the same cells. Comparing two queries can only use
  numbers both publish, and all of them are part of the one publication the attack was run against.
- **Filters.** A filter stack is refused when any group it builds on (each filter alone, each partial stack, the
  whole stack) is hidden, or when what it leaves out of its parent is below k. Both tests read only numbers the
  pattern publishes anyway, so neither a refusal nor an acceptance tells anything new.
- **Comments.** Comment-derived measures get their own pattern, seeded with the answers' pattern so that it hides at
  least as much, held to the comment threshold, and attacked together with the answers' publication.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from reports.disclosure_data import (
    Conditions,
    Measure,
    Population,
    Tally,
    conditions_described,
    conditions_of,
    finest_tally,
    lattice_tally,
    population_build,
)
from reports.disclosure_pattern import (
    MAX_BREAKDOWN,
    Family,
    lattice_build,
    pattern_protect,
    publication,
    reachable_sets,
)

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
    answers: Family
    comments: Family
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
        """Refuse a filter stack when a group it builds on is hidden, or when it leaves fewer than k out of a parent.

        Both tests read numbers the pattern publishes anyway: every group of the stack is checked to be shown before
        any remainder is computed from them.
        """
        pairs = [(chosen.attribute, chosen.value) for chosen in filters]
        threshold = self._threshold(comment_derived)
        hidden = self.hidden_comments if comment_derived else self.hidden
        stacks = [conditions_of(stack) for size in range(1, len(pairs) + 1) for stack in combinations(pairs, size)]
        for stack in stacks:
            if stack in hidden or any(value not in self.values[attribute] for attribute, value in stack):
                raise FilterRefused(_hidden_message(stack, threshold))
        for stack in [(), *stacks]:
            for pair in sorted(set(pairs) - set(stack)):
                self._remainder_check(parent=stack, pair=pair, comment_derived=comment_derived)

    def _remainder_check(self, *, parent: Conditions, pair: tuple[str, str], comment_derived: bool) -> None:
        narrower = conditions_of((*parent, pair))
        for family in (self.answers, self.comments) if comment_derived else (self.answers,):
            for base, threshold in family.thresholds.items():
                if family.counts[base][parent] - family.counts[base][narrower] < threshold:
                    raise FilterRefused(_remainder_message(parent=parent, pair=pair, threshold=threshold))

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
    truth = _finest_counts(population=population, measures=measures, finest=finest)
    hidden = pattern_protect(lattice=lattice, family=answers, truth=truth)
    hidden_comments = hidden
    if comments.thresholds:
        before = publication(lattice=lattice, family=answers, hidden=hidden)
        hidden_comments = pattern_protect(lattice=lattice, family=comments, seed=hidden, before=before, truth=truth)
    return Engine(
        space=space,
        k=k,
        comment_threshold=comment_threshold,
        measures=measures,
        values=population.values,
        tallies=tallies,
        answers=answers,
        comments=comments,
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
        answers=_family(measures=[m for m in measures if not m.comment_derived], tallies=tallies, threshold=k),
        comments=_family(
            measures=[m for m in measures if m.comment_derived], tallies=tallies, threshold=comment_threshold
        ),
        hidden=hidden,
        hidden_comments=hidden_comments,
    )


def _family(
    *, measures: Sequence[Measure], tallies: Mapping[Measure, Mapping[Conditions, Tally]], threshold: int
) -> Family:
    counts = {measure.base: {cell: count for cell, (count, _) in tallies[measure].items()} for measure in measures}
    order = {cell: count for cell, (count, _) in tallies[Measure.count()].items()}
    return Family(counts=counts, thresholds=dict.fromkeys(counts, threshold), order=order)


def _finest_counts(
    *,
    population: Population,
    measures: Sequence[Measure],
    finest: Mapping[Measure, Mapping[tuple[str, ...], Tally]],
) -> dict[str, dict[Conditions, int]]:
    """Each base's count per combination of all attributes: the real data, the attack's first witness."""
    return {
        measure.base: {
            conditions_of(zip(population.attributes, key, strict=True)): count
            for key, (count, _) in finest[measure].items()
        }
        for measure in measures
    }


def _hidden_message(group: Conditions, threshold: int) -> str:
    return (
        f"Results for {conditions_described(group)} cannot be shown on their own: that group has fewer than "
        f"{threshold} respondents, or its size is hidden to protect a smaller group next to it."
    )


def _remainder_message(*, parent: Conditions, pair: tuple[str, str], threshold: int) -> str:
    rest = "everyone else" if not parent else f"the rest of {conditions_described(parent)}"
    return (
        f"Results for {conditions_described((pair,))} cannot be shown here: {rest} would be fewer than "
        f"{threshold} respondents, and comparing the two views would reveal their answers."
    )
