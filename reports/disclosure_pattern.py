"""The suppression pattern: which groups a round's reports hide, decided once for every query of the round.

Every cell of every table HR can ask for is a *group*: some attributes fixed to values (the filters, the row, the
column), the rest summed over. The *lattice* holds every group an allowed query can reach; a *line* is a group (its
total) split by one more attribute into its children, so that total = sum of children. Rows, columns, margins, and
a filtered table's total against the unfiltered table: all are lines of the one lattice.

The rule, applied from the coarsest groups to the finest (each level repeated until nothing changes):

1. Primary: a group is hidden when any of its bases (respondents, and those who answered each question) has fewer
   than the threshold.
2. Inheritance: every group inside a hidden group is hidden. A shown subgroup would bound its hidden parent from
   below ("at least 46 of them are here"), which together with the parent's siblings can pin it down.
3. Shown total: the hidden children of a line are none, or at least two that together hold at least the threshold
   in every base. Otherwise the next-smallest shown child is hidden too (smallest respondent count, ties broken by
   value name). Subtracting the shown children from the total then leaves a sum of at least k people spread over
   two or more unknown groups, never one small group.

A group's fate is settled by the lines above it before its own lines are looked at, and the lines of a level are
visited in a fixed order, so the pattern depends on the data and the round's query space only.

The line rule stops anyone subtracting within a row, a column or a margin. A determined analyst combines all
tables at once, which in three or more dimensions, or where empty groups leave a single non-empty one in a line,
can still pin a cell. So the pattern is then attacked the way the audit attacks it (``disclosure_attack``, over
every group of the lattice as if all were asked for), and for every group the attack recovers, the next-smallest
shown sibling in each of its lines is hidden (its smallest shown parent when no sibling is left), the rule is
re-applied, and the attack runs again. Each pass hides more, and a pattern hiding everything but the grand total
cannot be attacked, so this ends, with nothing recoverable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, product

from reports.disclosure_attack import Exposure, Quantity, attack
from reports.disclosure_data import Conditions, conditions_of

MAX_BREAKDOWN = 2


@dataclass(frozen=True)
class Line:
    total: Conditions
    attribute: str
    children: tuple[Conditions, ...]


@dataclass(frozen=True)
class Lattice:
    """Every group a query can reach, and every line between them."""

    values: Mapping[str, tuple[str, ...]]
    attribute_sets: tuple[tuple[str, ...], ...]
    lines: tuple[Line, ...]
    line_index: Mapping[tuple[Conditions, str], Line]

    @property
    def depth(self) -> int:
        return max((len(attribute_set) for attribute_set in self.attribute_sets), default=0)

    def cells(self) -> Iterator[Conditions]:
        for attribute_set in self.attribute_sets:
            for group in product(*(self.values[attribute] for attribute in attribute_set)):
                yield tuple(zip(attribute_set, group, strict=True))

    def line(self, *, total: Conditions, attribute: str) -> Line | None:
        return self.line_index.get((total, attribute))


@dataclass(frozen=True)
class Family:
    """The bases a pattern protects, with their counts per group and thresholds.

    ``order`` is the respondent count of each group, which decides the next-smallest sibling.
    """

    counts: Mapping[str, Mapping[Conditions, int]]
    thresholds: Mapping[str, int]
    order: Mapping[Conditions, int]


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
    reachable = set(attribute_sets)
    lines = []
    for attribute_set in attribute_sets:
        for attribute in sorted(set(values) - set(attribute_set)):
            if tuple(sorted((*attribute_set, attribute))) in reachable:
                lines += _lines(values=values, attribute_set=attribute_set, attribute=attribute)
    index = {(line.total, line.attribute): line for line in lines}
    return Lattice(values=values, attribute_sets=tuple(attribute_sets), lines=tuple(lines), line_index=index)


def _lines(*, values: Mapping[str, tuple[str, ...]], attribute_set: tuple[str, ...], attribute: str) -> list[Line]:
    lines = []
    for group in product(*(values[name] for name in attribute_set)):
        total = tuple(zip(attribute_set, group, strict=True))
        children = tuple(conditions_of((*total, (attribute, value))) for value in values[attribute])
        lines.append(Line(total=total, attribute=attribute, children=children))
    return lines


def pattern_protect(
    *,
    lattice: Lattice,
    family: Family,
    seed: frozenset[Conditions] = frozenset(),
    before: Publication | None = None,
    truth: Mapping[str, Mapping[Conditions, int]] | None = None,
) -> frozenset[Conditions]:
    """The hidden groups of ``family``: the line rule, then the attack guard until nothing is recovered.

    ``seed`` is hidden from the start; ``before`` is what an earlier pattern of the round already publishes, which
    the guard's attack takes into account too. ``truth`` (finest counts per base) only speeds the attack up.
    """
    hidden = pattern_close(lattice=lattice, family=family, seed=seed)
    while exposures := attack(
        **publication(lattice=lattice, family=family, hidden=hidden, before=before).attack_kwargs(), truth=truth
    ):
        repairs = _repairs(lattice=lattice, family=family, hidden=hidden, exposures=exposures)
        hidden = pattern_close(lattice=lattice, family=family, seed=hidden | repairs)
    return hidden


@dataclass(frozen=True)
class Publication:
    """Counts a pattern shows and hides, over the whole lattice, with the threshold of each base."""

    values: Mapping[str, tuple[str, ...]]
    shown: Mapping[Quantity, int]
    hidden: frozenset[Quantity]
    thresholds: Mapping[str, int]

    def attack_kwargs(self) -> dict:
        return {"values": self.values, "published": self.shown, "hidden": self.hidden, "thresholds": self.thresholds}


def publication(
    *, lattice: Lattice, family: Family, hidden: frozenset[Conditions], before: Publication | None = None
) -> Publication:
    """What the pattern publishes if every group of the lattice is asked for, added to ``before``."""
    shown = dict(before.shown) if before else {}
    hiding = set(before.hidden) if before else set()
    for cell in lattice.cells():
        for base, counts in family.counts.items():
            quantity = Quantity(base=base, conditions=cell)
            if cell in hidden:
                hiding.add(quantity)
            else:
                shown[quantity] = counts.get(cell, 0)
    thresholds = {**(before.thresholds if before else {}), **family.thresholds}
    return Publication(values=lattice.values, shown=shown, hidden=frozenset(hiding), thresholds=thresholds)


def pattern_close(*, lattice: Lattice, family: Family, seed: frozenset[Conditions]) -> frozenset[Conditions]:
    """Primary suppression, inheritance and the line rule, level by level, until stable."""
    hidden = set(seed) | {cell for cell in lattice.cells() if _small(cell, family)}
    for depth in range(1, lattice.depth + 1):
        lines = [line for line in lattice.lines if len(line.total) == depth - 1]
        hidden |= {child for line in lines if line.total in hidden for child in line.children}
        while any([_line_protect(line=line, hidden=hidden, family=family) for line in lines]):
            pass
    return frozenset(hidden)


def _small(cell: Conditions, family: Family) -> bool:
    return any(family.counts[base].get(cell, 0) < threshold for base, threshold in family.thresholds.items())


def _line_protect(*, line: Line, hidden: set[Conditions], family: Family) -> bool:
    """Hide children of a line with a shown total until it satisfies the rule; True if anything was hidden."""
    hidden_children = [child for child in line.children if child in hidden]
    changed = False
    while hidden_children and not _line_safe(hidden_children, family):
        if not _hide_smallest(line.children, hidden=hidden, family=family):
            break
        hidden_children = [child for child in line.children if child in hidden]
        changed = True
    return changed


def _line_safe(hidden_children: list[Conditions], family: Family) -> bool:
    if len(hidden_children) < 2:
        return False
    return all(
        sum(family.counts[base].get(child, 0) for child in hidden_children) >= threshold
        for base, threshold in family.thresholds.items()
    )


def _hide_smallest(cells: Sequence[Conditions], *, hidden: set[Conditions], family: Family) -> bool:
    shown = [cell for cell in cells if cell not in hidden]
    if not shown:
        return False
    hidden.add(min(shown, key=lambda cell: (family.order.get(cell, 0), cell)))
    return True


def _repairs(
    *, lattice: Lattice, family: Family, hidden: frozenset[Conditions], exposures: Sequence[Exposure]
) -> frozenset[Conditions]:
    """For each recovered group, the next-smallest shown sibling in each of its lines, else its smallest parent."""
    repairs: set[Conditions] = set()
    for cell in sorted({exposure.quantity.conditions for exposure in exposures}):
        found = _siblings_smallest(lattice=lattice, family=family, hidden=hidden, cell=cell)
        repairs |= found or _parents_smallest(family=family, hidden=hidden, cell=cell)
    if not repairs - hidden:
        # Only a count shown by an earlier pattern can be behind this; hiding more here is all that is left.
        shown = [cell for cell in lattice.cells() if cell not in hidden]
        if not shown:
            raise RuntimeError("The attack recovers a group that no further suppression can protect.")
        repairs.add(min(shown, key=lambda cell: (family.order.get(cell, 0), cell)))
    return frozenset(repairs)


def _siblings_smallest(
    *, lattice: Lattice, family: Family, hidden: frozenset[Conditions], cell: Conditions
) -> set[Conditions]:
    found = set()
    for attribute, value in cell:
        total = tuple(pair for pair in cell if pair != (attribute, value))
        line = lattice.line(total=total, attribute=attribute)
        shown = [child for child in (line.children if line else ()) if child not in hidden]
        if shown:
            found.add(min(shown, key=lambda child: (family.order.get(child, 0), child)))
    return found


def _parents_smallest(*, family: Family, hidden: frozenset[Conditions], cell: Conditions) -> set[Conditions]:
    parents = [tuple(pair for pair in cell if pair != dropped) for dropped in cell]
    shown = [parent for parent in parents if parent not in hidden]
    return {min(shown, key=lambda parent: (family.order.get(parent, 0), parent))} if shown else set()
