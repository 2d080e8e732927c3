"""The groups a round's queries can reach: every cell of every table HR can ask for.

A query fixes some attributes to values (the filters, the row, the column) and sums over the rest; the *lattice* is
every such group. The engine tallies each of them once, when the round is published, and decides which are shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product

from reports.disclosure_data import Conditions

MAX_BREAKDOWN = 2


@dataclass(frozen=True)
class Lattice:
    values: Mapping[str, tuple[str, ...]]
    attribute_sets: tuple[tuple[str, ...], ...]

    def cells(self) -> Iterator[Conditions]:
        for attribute_set in self.attribute_sets:
            for group in product(*(self.values[attribute] for attribute in attribute_set)):
                yield tuple(zip(attribute_set, group, strict=True))


@dataclass(frozen=True)
class Family:
    """The bases (respondents, and those who answered each question) with their counts per group and thresholds."""

    counts: Mapping[str, Mapping[Conditions, int]]
    thresholds: Mapping[str, int]


def reachable_sets(
    *, attributes: Sequence[str], filterable: Sequence[str], max_filters: int, max_breakdown: int = MAX_BREAKDOWN
) -> tuple[tuple[str, ...], ...]:
    """The attribute sets a query can fix: up to ``max_filters`` filterable ones plus a breakdown by up to
    ``max_breakdown`` (two at most: rows and columns)."""
    found = []
    for size in range(len(attributes) + 1):
        for attribute_set in combinations(sorted(attributes), size):
            filtered = min(len(set(attribute_set) & set(filterable)), max_filters)
            if size - filtered <= max_breakdown:
                found.append(attribute_set)
    return tuple(found)


def lattice_build(*, values: Mapping[str, tuple[str, ...]], attribute_sets: Sequence[tuple[str, ...]]) -> Lattice:
    return Lattice(values=values, attribute_sets=tuple(attribute_sets))
