"""The disclosure audit: attack everything a round publishes at once, and report any hidden count it gives away.

``audit_records`` asks the engine every query a round allows (each measure, with no breakdown, by each attribute
and by each pair, under every allowed filter stack), and hands the published tables to ``audit_tables``. The audit
sees only what an HR analyst sees: the tables. It turns every published count into an equation over the finest
groups (linking all tables, because they describe the same people), and bounds every hidden count by linear
programming (``disclosure_attack``). A hidden count is recovered when its bounds meet, or when they prove it is a
group of 1 to k − 1 people; the audit fails on either.

What it does not model: the published values themselves (means, shares, NPS). They are computed over the same
counts and hidden in the same cells, so what protects a count protects the value over it; an attack through
bounded answer values (a mean of 1 can only come from answers of 1) is left out. Refused filters tell the analyst
nothing the published counts do not (``disclosure.Engine.filters_check``), so they add no constraint either.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations, product

from reports.disclosure import Engine, Filter, FilterRefused, Query, QuerySpace, Table, engine_build
from reports.disclosure_attack import Exposure, Quantity, attack
from reports.disclosure_data import Conditions, Measure, conditions_described

UNSEEN_VALUES = "(values not shown)"


class DisclosureFound(Exception):
    """The audit recovered at least one hidden count."""


@dataclass(frozen=True)
class Recovery:
    """A hidden count the published tables give away: it must lie in [low, high]."""

    base: str
    conditions: Conditions
    low: int
    high: int
    threshold: int

    def __str__(self) -> str:
        known = f"exactly {self.low}" if self.low == self.high else f"between {self.low} and {self.high}"
        return f"{self.base} in {conditions_described(self.conditions)}: {known} (threshold {self.threshold})"


@dataclass(frozen=True)
class AuditReport:
    tables_checked: int
    queries_refused: int
    published_cells: int
    suppressed_cells: int
    recovered: tuple[Recovery, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.recovered

    def raise_for_disclosure(self) -> None:
        if self.recovered:
            details = "; ".join(str(recovery) for recovery in self.recovered[:10])
            raise DisclosureFound(f"{len(self.recovered)} hidden counts can be recovered: {details}")

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else f"FAILED: {len(self.recovered)} recovered"
        return (
            f"Disclosure audit {verdict}. {self.tables_checked} tables ({self.queries_refused} queries refused), "
            f"{self.published_cells} published and {self.suppressed_cells} suppressed counts, {self.seconds:.1f} s."
        )


def audit_records(
    records: Iterable[Mapping[str, object]],
    *,
    attributes: Sequence[str],
    k: int,
    measures: Sequence[Measure],
    filters_allowed: Collection[str],
    max_filters: int = 2,
    comment_threshold: int | None = None,
    coupled: bool | None = None,
) -> AuditReport:
    """Run every query the round allows through the engine, then audit what it published.

    ``filters_allowed`` names the attributes HR may filter on; up to ``max_filters`` of them can be stacked.
    """
    started = time.perf_counter()
    space = QuerySpace(attributes=tuple(attributes), filterable=tuple(filters_allowed), max_filters=max_filters)
    engine = engine_build(records=records, space=space, k=k, measures=measures, comment_threshold=comment_threshold)
    tables, refused = engine_tables(engine=engine)
    report = audit_tables(tables=tables, queries_refused=refused, coupled=coupled)
    return replace(report, seconds=time.perf_counter() - started)


def engine_tables(*, engine: Engine) -> tuple[list[Table], int]:
    """Every table the engine publishes for its round, and how many queries it refused."""
    tables, refused = [], 0
    for query in queries_all(engine=engine):
        try:
            tables.append(engine.table(query))
        except FilterRefused:
            refused += 1
    return tables, refused


def queries_all(*, engine: Engine) -> Iterator[Query]:
    """Each measure, with no breakdown, by each attribute and by each pair, under every allowed filter stack."""
    attributes = engine.space.attributes
    breakdowns = [(), *((name,) for name in attributes), *combinations(attributes, 2)]
    breakdowns = [breakdown for breakdown in breakdowns if len(breakdown) <= engine.space.max_breakdown]
    for measure, breakdown in product(engine.measures, breakdowns):
        rows, columns = (*breakdown, None, None)[:2]
        for filters in _filter_stacks(engine=engine, excluded=set(breakdown)):
            yield Query(measure=measure, rows=rows, columns=columns, filters=filters)


def _filter_stacks(*, engine: Engine, excluded: set[str]) -> Iterator[tuple[Filter, ...]]:
    filterable = [name for name in engine.space.filterable if name not in excluded]
    for size in range(min(engine.space.max_filters, len(filterable)) + 1):
        for names in combinations(filterable, size):
            for chosen in product(*(engine.values[name] for name in names)):
                yield tuple(Filter(attribute=name, value=value) for name, value in zip(names, chosen, strict=True))


def audit_tables(*, tables: Iterable[Table], queries_refused: int = 0, coupled: bool | None = None) -> AuditReport:
    """Attack the published tables together; report every hidden count they give away.

    ``coupled`` chooses how bases are linked (``disclosure_attack``); None lets the size of the problem decide.
    """
    started = time.perf_counter()
    reading = _Reading()
    for table in tables:
        reading.add(table)
    exposures = attack(
        values=reading.values(),
        published=reading.published,
        hidden=reading.hidden,
        thresholds=reading.thresholds,
        coupled=coupled,
    )
    return AuditReport(
        tables_checked=reading.tables,
        queries_refused=queries_refused,
        published_cells=len(reading.published),
        suppressed_cells=len(reading.hidden - set(reading.published)),
        recovered=tuple(_recovery(exposure) for exposure in exposures),
        seconds=time.perf_counter() - started,
    )


def _recovery(exposure: Exposure) -> Recovery:
    quantity = exposure.quantity
    return Recovery(
        base=quantity.base,
        conditions=quantity.conditions,
        low=exposure.low,
        high=exposure.high,
        threshold=exposure.threshold,
    )


@dataclass
class _Reading:
    """What an analyst holding the tables knows: published and hidden counts, and each attribute's values."""

    tables: int = 0
    published: dict[Quantity, int] = field(default_factory=dict)
    hidden: set[Quantity] = field(default_factory=set)
    thresholds: dict[str, int] = field(default_factory=dict)
    listed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    filtered: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: Table) -> None:
        self.tables += 1
        base = table.query.measure.base
        self.thresholds[base] = max(self.thresholds.get(base, 0), table.threshold)
        self._values_note(table)
        for cell in table.cells:
            quantity = Quantity(base=base, conditions=table.conditions(cell))
            if cell.suppressed:
                self.hidden.add(quantity)
            elif self.published.setdefault(quantity, cell.count) != cell.count:
                raise ValueError(f"Two tables disagree on {conditions_described(quantity.conditions)}.")

    def values(self) -> dict[str, tuple[str, ...]]:
        """A breakdown lists all of an attribute's values; one only ever filtered on may have others too."""
        unlisted = {
            name: (*sorted(seen), UNSEEN_VALUES) for name, seen in self.filtered.items() if name not in self.listed
        }
        return {**self.listed, **unlisted}

    def _values_note(self, table: Table) -> None:
        if table.query.rows:
            self.listed[table.query.rows] = table.row_values
        if table.query.columns:
            self.listed[table.query.columns] = table.column_values
        for chosen in table.query.filters:
            self.filtered.setdefault(chosen.attribute, set()).add(chosen.value)
