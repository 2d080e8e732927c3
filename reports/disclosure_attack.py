"""The subtraction attack: how much can someone learn about a hidden count from everything that is shown?

Like sdcTable's ``attack()``, this bounds each hidden count by linear programming. The unknowns are the counts of
the finest groups (every combination of values of the attributes involved), per base (everyone, and those who
answered each question). Every published count is an equation over them, whichever table it came from, because all
tables describe the same respondents; counts are non-negative. The minimum and maximum of a hidden count under
these constraints are the most an attacker can prove; as counts are whole numbers, the bounds are rounded inwards.

A hidden count is **recovered** when its bounds are equal (its exact value is known, even if that value is 0 or
large), or when they lie within [1, threshold − 1] (the attacker knows it is a small, non-empty group). Either is a
disclosure; bounds that still allow 0, or the threshold or more, are not.

Bases are linked too: nobody answers a question without being a respondent. Separately, each base gets its own
program and the link is applied to the bounds of each hidden group (the respondents of a group are at least as many
as its answerers, and the answerers at most as many as its respondents), which keeps a realistic organisation's
audit within a minute. Coupled, the link goes into one program over all bases, finest group by finest group: a
slightly stronger attacker (it can combine "at least this many answered" with "at most this many are here" inside
a group), but tens of times slower; it is used automatically while the program is small (COUPLED_MAX_COLUMNS).

Solving two programs per hidden count would be slow, so most counts are cleared by witnesses instead: every
feasible point (the real data when we have it, and the optimum of every program solved) shows values a count can
take. When the values seen already span an interval that is not a disclosure, the true bounds, being wider, are
not one either. Programs that push many uncleared counts towards the values that would clear them, all at once,
find most witnesses; only what they leave gets programs of its own.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from reports.disclosure_data import RESPONDENTS, Conditions

EPSILON = 1e-4
# Caps the counts in programs that would otherwise be unbounded; any point under the cap is still feasible.
CAP_FACTOR = 10
# Up to this many columns (finest groups × bases) the bases share one program; beyond, one program per base.
COUPLED_MAX_COLUMNS = 3000


@dataclass(frozen=True)
class Quantity:
    """One count an analyst may see or not: the base (who is counted) and the group."""

    base: str
    conditions: Conditions


@dataclass(frozen=True)
class Exposure:
    """A hidden count the attack pins down: it lies in [low, high] and nothing wider."""

    quantity: Quantity
    low: int
    high: int
    threshold: int


def attack(
    *,
    values: Mapping[str, Sequence[str]],
    published: Mapping[Quantity, int],
    hidden: Iterable[Quantity],
    thresholds: Mapping[str, int],
    truth: Mapping[str, Mapping[Conditions, int]] | None = None,
    coupled: bool | None = None,
) -> tuple[Exposure, ...]:
    """Every hidden quantity the published ones give away, by the criterion in the module docstring.

    ``values`` lists each attribute's values; ``truth``, when known, is the real count of each finest group per
    base (it only speeds the search up: it is one more feasible point). ``coupled`` None means coupled when the
    program is small enough to stay fast. Raises ValueError when the published counts contradict each other.
    """
    hidden = set(hidden)
    if coupled is None:
        coupled = _program_size(values=values, quantities=[*published, *hidden]) <= COUPLED_MAX_COLUMNS
    exposures = [
        Exposure(quantity=q, low=published[q], high=published[q], threshold=thresholds[q.base])
        for q in sorted(hidden & set(published), key=_quantity_order)
    ]
    targets = sorted(hidden - set(published), key=_quantity_order)
    runs = _runs(
        values=values, published=published, targets=targets, thresholds=thresholds, truth=truth, coupled=coupled
    )
    groups: dict[Conditions, list[Quantity]] = {}
    for q in [*runs, *published]:
        groups.setdefault(q.conditions, []).append(q)
    bounds = _Bounds(runs=runs, published=published, groups=groups if not coupled else {})
    exposures += [exposure for q in targets if (exposure := bounds.exposure(q, thresholds[q.base])) is not None]
    return tuple(exposures)


def _program_size(*, values: Mapping[str, Sequence[str]], quantities: Collection[Quantity]) -> int:
    attributes = {attribute for q in quantities for attribute, _ in q.conditions}
    return math.prod(len(values[name]) for name in attributes) * len({q.base for q in quantities})


def _quantity_order(quantity: Quantity) -> tuple:
    return (len(quantity.conditions), quantity.conditions, quantity.base)


# --- the linear system ------------------------------------------------------------------------


@dataclass(frozen=True)
class _System:
    """Finest groups (every combination of the attributes' values) times bases, as LP columns."""

    attributes: tuple[str, ...]
    codes: np.ndarray
    value_index: Mapping[str, Mapping[str, int]]
    bases: tuple[str, ...]

    @property
    def finest(self) -> int:
        return self.codes.shape[0]

    def columns(self, quantity: Quantity) -> np.ndarray:
        mask = np.ones(self.finest, dtype=bool)
        for attribute, value in quantity.conditions:
            if attribute in self.value_index:
                mask &= self.codes[:, self.attributes.index(attribute)] == self.value_index[attribute][value]
        return np.flatnonzero(mask) + self.bases.index(quantity.base) * self.finest

    def matrix(self, quantities: Sequence[Quantity]) -> sparse.csr_matrix:
        found = [self.columns(quantity) for quantity in quantities]
        rows = np.concatenate([np.full(columns.size, row) for row, columns in enumerate(found)] or [np.empty(0)])
        columns = np.concatenate(found or [np.empty(0)])
        shape = (len(quantities), self.finest * len(self.bases))
        return sparse.csr_matrix((np.ones(rows.size), (rows.astype(int), columns.astype(int))), shape=shape)

    def coupling(self) -> sparse.csr_matrix | None:
        """answered − respondents ≤ 0 in every finest group, for every question base."""
        if RESPONDENTS not in self.bases or len(self.bases) == 1:
            return None
        everyone = sparse.identity(self.finest, format="csr")
        offset = self.bases.index(RESPONDENTS)
        blocks = []
        for position in range(len(self.bases)):
            if position != offset:
                row = [None] * len(self.bases)
                row[position], row[offset] = everyone, -everyone
                blocks.append(row)
        return sparse.bmat(blocks, format="csr")

    def vector(self, truth: Mapping[str, Mapping[Conditions, int]]) -> np.ndarray:
        """The real counts as a point; each finest group of ``truth`` falls in exactly one column."""
        point = np.zeros(self.finest * len(self.bases))
        for base, counts in truth.items():
            if base in self.bases:
                for conditions, count in counts.items():
                    point[self.columns(Quantity(base=base, conditions=conditions))] += count
        return point


def _system_build(*, values: Mapping[str, Sequence[str]], quantities: Collection[Quantity]) -> _System:
    attributes = tuple(sorted({attribute for q in quantities for attribute, _ in q.conditions}))
    index = {name: {value: position for position, value in enumerate(values[name])} for name in attributes}
    grids = np.meshgrid(*(np.arange(len(values[name])) for name in attributes), indexing="ij")
    codes = np.stack([grid.ravel() for grid in grids], axis=1) if attributes else np.zeros((1, 0), dtype=int)
    bases = tuple(sorted({q.base for q in quantities}))
    return _System(attributes=attributes, codes=codes, value_index=index, bases=bases)


# --- one search: witnesses and exact bounds for the targets of one program ---------------------


@dataclass
class _Search:
    """The programs over one system, and what is known so far about each target's bounds."""

    equalities: sparse.csr_matrix
    counts: np.ndarray
    coupling: sparse.csr_matrix | None
    targets: sparse.csr_matrix
    thresholds: np.ndarray
    cap: float
    lowest: np.ndarray
    highest: np.ndarray
    exact_low: dict[int, float] = field(default_factory=dict)
    exact_high: dict[int, float] = field(default_factory=dict)
    points: list[np.ndarray] = field(default_factory=list)

    def observe(self, point: np.ndarray) -> None:
        self.points.append(point)
        seen = self.targets @ point
        np.minimum(self.lowest, seen, out=self.lowest)
        np.maximum(self.highest, seen, out=self.highest)

    def bounds_seen(self) -> tuple[np.ndarray, np.ndarray]:
        """Whole numbers the true bounds reach: the true low is at most, the true high at least these."""
        return np.ceil(self.lowest - EPSILON), np.floor(self.highest + EPSILON)

    def low_seen(self, index: int) -> float:
        return math.ceil(self.lowest[index] - EPSILON)

    def high_seen(self, index: int) -> float:
        return math.floor(self.highest[index] + EPSILON)

    def uncleared(self) -> np.ndarray:
        low, high = self.bounds_seen()
        return np.flatnonzero(~_safe(low, high, self.thresholds))

    def low(self, index: int) -> float:
        if index not in self.exact_low:
            self.exact_low[index] = (
                0.0 if self.low_seen(index) <= 0 else math.ceil(self._optimum(index, sign=1.0) - EPSILON)
            )
        return self.exact_low[index]

    def high(self, index: int) -> float:
        if index not in self.exact_high:
            optimum = -self._optimum(index, sign=-1.0)
            self.exact_high[index] = math.inf if optimum == math.inf else math.floor(optimum + EPSILON)
        return self.exact_high[index]

    def _optimum(self, index: int, *, sign: float) -> float:
        return self.solve(sign * self.targets[index].toarray().ravel())[0]

    def solve(
        self,
        objective: np.ndarray,
        *,
        cap: float | None = None,
        rows: sparse.csr_matrix | None = None,
        rhs: np.ndarray | None = None,
        helper_caps: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray | None]:
        """Minimise ``objective``: the optimum and the target values there, or (-inf, None) when unbounded.

        Counts are capped at ``cap`` if given. ``rows @ [counts, helpers] <= rhs`` adds constraints over the
        counts and helper variables, which are free below and bounded above by ``helper_caps``. Every optimum
        found is a feasible point, so it is kept as a witness.
        """
        size = self.targets.shape[1]
        helpers = 0 if helper_caps is None else helper_caps.size
        upper, upper_rhs = self._inequalities(rows=rows, rhs=rhs, helpers=helpers)
        bounds = [(0, cap)] * size + [(None, value) for value in ([] if helper_caps is None else helper_caps)]
        result = linprog(
            objective,
            A_ub=upper,
            b_ub=upper_rhs,
            A_eq=_widened(self.equalities, helpers) if self.equalities.shape[0] else None,
            b_eq=self.counts if self.equalities.shape[0] else None,
            bounds=bounds if helpers else (0, cap),
            method="highs",
        )
        if result.status == 3:
            return -math.inf, None
        if result.status != 0:
            raise ValueError(f"The published counts contradict each other ({result.message}).")
        self.observe(result.x[:size])
        return result.fun, self.targets @ result.x[:size]

    def _inequalities(
        self, *, rows: sparse.csr_matrix | None, rhs: np.ndarray | None, helpers: int
    ) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
        blocks, sides = [], []
        if self.coupling is not None:
            blocks.append(_widened(self.coupling, helpers))
            sides.append(np.zeros(self.coupling.shape[0]))
        if rows is not None:
            blocks.append(rows)
            sides.append(rhs)
        if not blocks:
            return None, None
        return sparse.vstack(blocks, format="csr"), np.concatenate(sides)


def _safe(low: np.ndarray | float, high: np.ndarray | float, threshold: np.ndarray | float) -> np.ndarray | bool:
    """Bounds that are not a disclosure: not equal, and allowing 0 or the threshold."""
    return (low < high) & ((low <= 0) | (high >= threshold))


def _widened(matrix: sparse.csr_matrix, columns: int) -> sparse.csr_matrix:
    if not columns:
        return matrix
    return sparse.hstack([matrix, sparse.csr_matrix((matrix.shape[0], columns))], format="csr")


def _runs(
    *,
    values: Mapping[str, Sequence[str]],
    published: Mapping[Quantity, int],
    targets: Sequence[Quantity],
    thresholds: Mapping[str, int],
    truth: Mapping[str, Mapping[Conditions, int]] | None,
    coupled: bool,
) -> dict[Quantity, tuple[_Search, int]]:
    """One search per base (or one for all when coupled); where each target is found."""
    found: dict[Quantity, tuple[_Search, int]] = {}
    moves: list[np.ndarray] = []
    for base in [None] if coupled else sorted({q.base for q in targets}):
        shown = {q: count for q, count in published.items() if base in (None, q.base)}
        mine = [q for q in targets if base in (None, q.base)]
        if not mine:
            continue
        search = _search_run(values=values, shown=shown, targets=mine, thresholds=thresholds, truth=truth, moves=moves)
        found.update({q: (search, index) for index, q in enumerate(mine)})
        moves = [point - search.points[0] for point in search.points[1:]]
    return found


def _search_run(
    *,
    values: Mapping[str, Sequence[str]],
    shown: Mapping[Quantity, int],
    targets: Sequence[Quantity],
    thresholds: Mapping[str, int],
    truth: Mapping[str, Mapping[Conditions, int]] | None,
    moves: Sequence[np.ndarray] = (),
) -> _Search:
    """Witnesses for every target, and the targets pinned at 0. ``moves`` are tried first (see _moves_try)."""
    system = _system_build(values=values, quantities=[*shown, *targets])
    counts = np.array(list(shown.values()), dtype=float)
    search = _Search(
        equalities=system.matrix(list(shown)),
        counts=counts,
        coupling=system.coupling(),
        targets=system.matrix(targets),
        thresholds=np.array([thresholds[q.base] for q in targets], dtype=float),
        cap=CAP_FACTOR * (counts.sum() + 1),
        lowest=np.full(len(targets), math.inf),
        highest=np.full(len(targets), -math.inf),
    )
    if truth is not None:
        search.observe(system.vector(truth))
    else:
        search.solve(np.asarray(search.targets.sum(axis=0)).ravel())
    _moves_try(search, moves)
    _witnesses_find(search)
    _zeros_settle(search)
    return search


def _moves_try(search: _Search, moves: Sequence[np.ndarray]) -> None:
    """Replay another base's witnesses as moves from this base's first point, scaled to keep counts non-negative.

    Every base publishes the same groups, so a move that changes no published count of one changes none of
    another; each replayed point is checked against the equations all the same, and only kept if it holds.
    """
    origin = search.points[0]
    for move in (sign * move for move in moves for sign in (1.0, -1.0)):
        if move.shape != origin.shape or not search.uncleared().size:
            return
        shrinking = move < 0
        scale = min(1.0, float(np.min(origin[shrinking] / -move[shrinking], initial=1.0)))
        point = origin + scale * move
        if scale > 0 and np.allclose(search.equalities @ point, search.counts, atol=EPSILON):
            search.observe(np.maximum(point, 0.0))


def _witnesses_find(search: _Search) -> None:
    """Push every uncleared target towards a value that would clear it, up and then down, while that helps."""
    uncleared = search.uncleared().size
    while uncleared:
        for upwards in (True, False):
            if search.uncleared().size:
                _push(search, upwards=upwards)
        uncleared, before = search.uncleared().size, uncleared
        if uncleared == before:
            return


def _push(search: _Search, *, upwards: bool) -> None:
    """Maximise the number of targets reaching their goal: sum of min(progress, needed), a concave objective.

    Up, a target that has been seen at 0 needs 1, one seen only below the threshold needs the threshold, and one
    seen only at or above it needs one more than its highest. Down, a target seen below the threshold needs 0, one
    above it one less than its lowest.
    """
    index = search.uncleared()
    low, high = search.bounds_seen()
    low, high, thresholds = low[index], high[index], search.thresholds[index]
    if upwards:
        goal = np.where(low <= 0, 1, np.where(high < thresholds, thresholds, high + 1))
        reference, sign = high, 1.0
    else:
        keep = low > 0
        index, low, high, thresholds = index[keep], low[keep], high[keep], thresholds[keep]
        goal = np.where(high < thresholds, 0, low - 1)
        reference, sign = low, -1.0
    if not index.size:
        return
    # progress <= sign * (target - reference), capped at what the goal needs; maximise the total progress.
    rows = sparse.hstack([-sign * search.targets[index], sparse.identity(index.size)], format="csr")
    objective = np.concatenate([np.zeros(search.targets.shape[1]), -np.ones(index.size)])
    search.solve(objective, rows=rows, rhs=-sign * reference, helper_caps=sign * (goal - reference))


def _zeros_settle(search: _Search) -> None:
    """Targets seen only at 0: pin the ones that cannot move at all, many in one program.

    If the largest possible sum of the pending targets is 0, every one of them is pinned at 0. Otherwise the
    targets that moved are settled one by one, and the rest are tried again together.
    """
    pending = _seen_only_at_zero(search)
    while pending.size:
        total, values = search.solve(-np.asarray(search.targets[pending].sum(axis=0)).ravel(), cap=search.cap)
        if -total <= EPSILON:
            search.exact_high.update(dict.fromkeys(pending.tolist(), 0.0))
            return
        moved = values[pending] > EPSILON
        for index in pending[moved]:
            search.high(int(index))
        pending = np.intersect1d(_seen_only_at_zero(search), pending[~moved])


def _seen_only_at_zero(search: _Search) -> np.ndarray:
    index = search.uncleared()
    low, high = search.bounds_seen()
    return index[(low[index] <= 0) & (high[index] <= 0)]


# --- bounds of every target, with the link between bases -------------------------------------


@dataclass(frozen=True)
class _Bounds:
    """Each target's bounds, tightened by the respondents ≥ answerers link when the runs are separate."""

    runs: Mapping[Quantity, tuple[_Search, int]]
    published: Mapping[Quantity, int]
    groups: Mapping[Conditions, Sequence[Quantity]]

    def exposure(self, quantity: Quantity, threshold: int) -> Exposure | None:
        low, high = self._limits(quantity, exact=False)
        if _safe(low, high, threshold):
            return None
        low, high = self._limits(quantity, exact=True)
        if _safe(low, high, threshold):
            return None
        return Exposure(quantity=quantity, low=int(low), high=int(high), threshold=threshold)

    def _limits(self, quantity: Quantity, *, exact: bool) -> tuple[float, float]:
        """An upper estimate of the low bound and a lower estimate of the high one; exact ones when asked."""
        lows = [self._low(quantity, exact)] + [self._low(other, exact) for other in self._answerers(quantity)]
        highs = [self._high(quantity, exact)] + [self._high(other, exact) for other in self._respondents(quantity)]
        return max(low for low in lows if low is not None), min(high for high in highs if high is not None)

    def _answerers(self, quantity: Quantity) -> list[Quantity]:
        if quantity.base != RESPONDENTS:
            return []
        return [q for q in self.groups.get(quantity.conditions, ()) if q.base != RESPONDENTS]

    def _respondents(self, quantity: Quantity) -> list[Quantity]:
        if quantity.base == RESPONDENTS:
            return []
        return [q for q in self.groups.get(quantity.conditions, ()) if q.base == RESPONDENTS]

    def _low(self, quantity: Quantity, exact: bool) -> float | None:
        if quantity in self.published:
            return self.published[quantity]
        if quantity not in self.runs:
            return None
        search, index = self.runs[quantity]
        return search.low(index) if exact else search.low_seen(index)

    def _high(self, quantity: Quantity, exact: bool) -> float | None:
        if quantity in self.published:
            return self.published[quantity]
        if quantity not in self.runs:
            return None
        search, index = self.runs[quantity]
        return search.high(index) if exact else search.high_seen(index)
