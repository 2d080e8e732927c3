"""The independent attacker (DESIGN.md P5): what can someone who knows the roster pin down from a publication?

It is written apart from the code that builds the tables and imports none of it: plain dataclasses in, findings
out. The attacker knows every invitee's frozen attributes (so each roster cell, the finest combination of them,
and its size), the overall number of submissions and every published number of the round: for each published
group (conditions on the labels the k-anonymization gave each response, a label being the raw value or "other")
the number of respondents, the full histogram of every field, and, when passed, the number invited.

It searches in whole people, with an integer program (HiGHS through scipy.optimize.milp). Unknowns:
  r[c]        respondents of roster cell c (0..size)
  x[c, S]     respondents of cell c whose labels fall in label class S (label tuples that every published group
              admits or rejects alike; label tuples no group admits are left out, they only count towards r[c])
  X[S]        respondents in class S
  Y[S, f, v]  respondents in class S who gave value v to field f
  z[c, S]     invitees of cell c labelled in class S (only when invited counts are published)
Y is kept per class, not per cell: the published numbers only see classes, and any class-level answer table can be
shared out among the cells of the class, so "someone in cell c gave v" is forced exactly when no world has
Y[S, f, v] <= X[S] - x[c, S] in every class S of c (the other cells of each class can absorb every v).

Findings (each holds in every integer solution, so for whole people):
  participation pinned  a cell of fewer than k people whose number of respondents is forced (unless the overall
                        count alone forces it: nobody or everybody took part);
  group under k pinned  a cell, or a label class, whose respondent count is forced to a value in 1..k-1
                        (comments labelling: 1..comment threshold - 1);
  answer pinned         a cell of fewer than k people (comment fields: the comment threshold) whose answers are
                        pinned: someone there certainly gave a value, and the cell's people can make up a whole label
                        class, so how many of them gave it is forced too. Unanimity is not a finding (every class the
                        cell's respondents can be in is admitted by a published group whose every answer to that field
                        is that value), nor is near-unanimity inside a class larger than the cell ("one of these two
                        gave v" when most of their group did), which bounds the cell without pinning its answers.
                        A publication that promises k-anonymity (every label tuple 0 or at least the threshold) has
                        no class a cell under the threshold can fill, so it cannot pin such answers: it is attacked
                        on its counts alone (participation, groups), with every class held to 0 or the threshold,
                        an integer program many times smaller.
Conclusions that "nothing is pinned" rest on verified integer witnesses only; a size, time or MILP budget that runs
out makes the report inconclusive, which fails like a finding.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

OTHER = "other"
ANSWERS = "answers"
COMMENTS = "comments"

PARTICIPATION = "participation pinned"
SMALL_GROUP = "group under k pinned"
ANSWER = "answer pinned"

# Each label tuple of a cell is a choice, per attribute, of raw value or "other": 2**m tuples for m attributes that
# published groups mention. Beyond this the enumeration is refused (inconclusive) rather than left to run.
MAX_MENTIONED_ATTRIBUTES = 16


@dataclass(frozen=True)
class RosterCell:
    attributes: tuple[tuple[str, str], ...]
    size: int


@dataclass(frozen=True)
class PublishedGroup:
    conditions: tuple[tuple[str, str], ...]
    n: int
    histograms: Mapping[str, Mapping[int, int]] = field(default_factory=dict, hash=False)
    labelling: str = ANSWERS
    invited: int | None = None


@dataclass(frozen=True)
class AttackInputs:
    k: int
    comment_threshold: int
    roster: tuple[RosterCell, ...]
    submitted_total: int
    groups: tuple[PublishedGroup, ...]
    # Public knowledge about the publication: every label tuple that occurs is shared by at least k responses
    # (comments labelling: the comment threshold). Turn off to attack a publication that does not promise it.
    labels_k_anonymous: bool = True
    # The groups that fix every attribute list every label tuple that occurs (others hold nobody). Knowledge no
    # page gives on its own; a stronger attacker that still finds nothing leaves the real one nothing either.
    finest_complete: bool = False


@dataclass(frozen=True)
class AttackLimits:
    seconds: float = 90.0
    max_milps: int = 400
    max_variables: int = 2_000_000
    witnesses: int = 4
    seed: int = 12


@dataclass(frozen=True)
class Finding:
    kind: str
    cell: tuple[tuple[str, str], ...]
    cell_size: int | None = None
    count: int | None = None
    labelling: str = ANSWERS
    field: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = ", ".join(f"{name}={value}" for name, value in self.cell) or "everyone"
        if self.kind == ANSWER:
            return f"{ANSWER}: someone in cell [{where}] (of {self.cell_size}) gave {self.field} = {self.value!r}"
        if self.cell_size is None:
            return f"{self.kind}: label class [{where}] ({self.labelling}) holds exactly {self.count} respondents"
        return f"{self.kind}: exactly {self.count} of the {self.cell_size} people in cell [{where}] took part"


@dataclass
class AttackReport:
    findings: list[Finding] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    cells: int = 0
    groups: int = 0
    classes: int = 0
    variables: int = 0
    constraints: int = 0
    milps: int = 0
    lps: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.findings and not self.inconclusive

    def summary(self) -> str:
        verdict = "passed" if self.passed else ("FAILED" if self.findings else "INCONCLUSIVE (counts as failed)")
        return (
            f"{self.cells} roster cells, {self.groups} published groups, {self.classes} label classes, "
            f"{self.variables} integer variables, {self.constraints} constraints; "
            f"{self.lps} LPs and {self.milps} MILPs solved in {self.seconds:.1f} s; "
            f"{len(self.findings)} findings: {verdict}"
        )

    def __str__(self) -> str:
        lines = [self.summary()]
        lines += [f"  {finding}" for finding in self.findings]
        lines += [f"  inconclusive: {reason}" for reason in self.inconclusive]
        return "\n".join(lines)


class _Inconclusive(Exception):
    pass


def attack(inputs: AttackInputs, *, limits: AttackLimits | None = None) -> AttackReport:
    limits = limits or AttackLimits()
    started = time.monotonic()
    report = AttackReport(groups=len(inputs.groups))
    try:
        roster = _Roster(inputs.roster)
        report.cells = len(roster.sizes)
        labellings = _labellings_build(inputs, roster)
        labellings, report.lps = _empty_classes_drop(inputs, roster, labellings, limits, started)
        report.classes = sum(len(labelling.signatures) for labelling in labellings)
        # Answers matter only where a label class can be smaller than the threshold (see _a_class_can_be_within):
        # a publication that promises k-anonymity is attacked on its counts, a much smaller program.
        answers = not inputs.labels_k_anonymous
        program = _Program(inputs, roster, labellings, with_answers=answers, with_anonymity=inputs.labels_k_anonymous)
        report.variables, report.constraints = program.size
        if program.size[0] > limits.max_variables:
            raise _Inconclusive(f"{program.size[0]} variables exceed the limit of {limits.max_variables}")
        solver = _Solver(program, limits, started)
        try:
            _Attack(inputs, roster, labellings, program, solver, report).run()
        finally:
            report.milps = solver.milps
    except _Inconclusive as reason:
        report.inconclusive.append(str(reason))
    report.seconds = time.monotonic() - started
    return report


class _Roster:
    """Identical cells merged (they are one cell to the attacker); empty cells dropped."""

    def __init__(self, cells):
        merged = defaultdict(int)
        for cell in cells:
            if cell.size < 0:
                raise _Inconclusive(f"roster cell {cell.attributes} has a negative size")
            merged[tuple(sorted(cell.attributes))] += cell.size
        self.cells = sorted(attributes for attributes, size in merged.items() if size > 0)
        self.sizes = np.array([merged[attributes] for attributes in self.cells], dtype=np.int64)
        self.attributes = sorted({name for attributes in self.cells for name, _ in attributes})
        self.attribute_index = {name: i for i, name in enumerate(self.attributes)}
        self.raw = [tuple(dict(attributes).get(name) for name in self.attributes) for attributes in self.cells]

    @property
    def total(self) -> int:
        return int(self.sizes.sum())


@dataclass
class _Labelling:
    name: str
    threshold: int
    groups: list[PublishedGroup]
    signatures: list[tuple[int, ...]]
    class_labels: list[tuple[tuple[str, str], ...]]
    pair_cell: np.ndarray
    pair_class: np.ndarray
    cell_start: np.ndarray
    has_unpublished: np.ndarray
    entries: list[tuple[str, object]]
    field_of_entry: np.ndarray
    published: np.ndarray
    histogram: np.ndarray
    unanimous: np.ndarray
    y_class: np.ndarray
    y_entry: np.ndarray
    y_upper: np.ndarray

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.entries))

    def pairs_of(self, cell: int) -> range:
        return range(int(self.cell_start[cell]), int(self.cell_start[cell + 1]))

    @cached_property
    def covered(self) -> np.ndarray:
        """covered[S, entry]: some group admitting class S gave the entry's value as its only answer to the field."""
        covered = np.zeros((len(self.signatures), len(self.entries)), dtype=bool)
        for klass, signature in enumerate(self.signatures):
            covered[klass] = self.unanimous[list(signature)].any(axis=0)
        return covered

    @cached_property
    def y_number(self) -> dict[tuple[int, int], int]:
        pairs = zip(self.y_class.tolist(), self.y_entry.tolist(), strict=True)
        return {pair: number for number, pair in enumerate(pairs)}


def _labellings_build(inputs: AttackInputs, roster: _Roster) -> list[_Labelling]:
    by_name = defaultdict(list)
    for group in inputs.groups:
        if group.labelling not in (ANSWERS, COMMENTS):
            raise _Inconclusive(f"unknown labelling {group.labelling!r}")
        by_name[group.labelling].append(group)
    thresholds = {ANSWERS: inputs.k, COMMENTS: inputs.comment_threshold}
    labellings = [
        _labelling_build(name, thresholds[name], by_name[name], roster) for name in (ANSWERS, COMMENTS) if by_name[name]
    ]
    if inputs.finest_complete:
        labellings = [_finest_only(lab, roster) for lab in labellings]
    return labellings


def _finest_only(lab: _Labelling, roster: _Roster) -> _Labelling:
    """Keep the classes a group fixing every attribute admits: every other class holds nobody."""
    finest = {number for number, group in enumerate(lab.groups) if len(group.conditions) == len(roster.attributes)}
    keep = np.array([not finest.isdisjoint(signature) for signature in lab.signatures], dtype=bool)
    restricted = _labelling_restrict(lab, keep)
    restricted.has_unpublished = np.zeros_like(restricted.has_unpublished)  # everyone is in a listed tuple
    return restricted


def _labelling_build(name: str, threshold: int, groups: list[PublishedGroup], roster: _Roster) -> _Labelling:
    requirements = _GroupRequirements(groups, roster)
    signature_ids: dict[tuple[int, ...], int] = {}
    class_labels, pair_cell, pair_class, cell_start, has_unpublished = [], [], [], [0], []
    for cell, raw in enumerate(roster.raw):
        signatures, masks, mentioned = requirements.cell_classes(raw)
        unpublished = False
        for signature, mask in zip(signatures, masks, strict=True):
            if not signature:
                unpublished = True
                continue
            if signature not in signature_ids:
                signature_ids[signature] = len(signature_ids)
                class_labels.append(_label_tuple(roster, raw, mask, mentioned))
            pair_cell.append(cell)
            pair_class.append(signature_ids[signature])
        cell_start.append(len(pair_cell))
        has_unpublished.append(unpublished)
    entries, field_of_entry, published, histogram, unanimous = _histogram_tables(groups)
    return _labelling_of_classes(
        name=name,
        threshold=threshold,
        groups=groups,
        signatures=list(signature_ids),
        class_labels=class_labels,
        pair_cell=np.array(pair_cell, dtype=np.int64),
        pair_class=np.array(pair_class, dtype=np.int64),
        has_unpublished=np.array(has_unpublished, dtype=bool),
        entries=entries,
        field_of_entry=field_of_entry,
        published=published,
        histogram=histogram,
        unanimous=unanimous,
    )


def _labelling_of_classes(*, signatures, pair_cell, has_unpublished, field_of_entry, published, histogram, **rest):
    y_class, y_entry, y_upper = _answer_variables(signatures, field_of_entry, published, histogram)
    cell_start = np.concatenate([[0], np.cumsum(np.bincount(pair_cell, minlength=len(has_unpublished)))])
    return _Labelling(
        signatures=signatures,
        pair_cell=pair_cell,
        cell_start=cell_start.astype(np.int64),
        has_unpublished=has_unpublished,
        field_of_entry=field_of_entry,
        published=published,
        histogram=histogram,
        y_class=y_class,
        y_entry=y_entry,
        y_upper=y_upper,
        **rest,
    )


def _labelling_restrict(lab: _Labelling, keep: np.ndarray) -> _Labelling:
    """The labelling without the classes `keep` leaves out (and without their cells' shares of them)."""
    number = np.cumsum(keep) - 1
    kept_pairs = keep[lab.pair_class]
    return _labelling_of_classes(
        name=lab.name,
        threshold=lab.threshold,
        groups=lab.groups,
        signatures=[signature for signature, kept in zip(lab.signatures, keep, strict=True) if kept],
        class_labels=[label for label, kept in zip(lab.class_labels, keep, strict=True) if kept],
        pair_cell=lab.pair_cell[kept_pairs],
        pair_class=number[lab.pair_class[kept_pairs]],
        has_unpublished=lab.has_unpublished,
        entries=lab.entries,
        field_of_entry=lab.field_of_entry,
        published=lab.published,
        histogram=lab.histogram,
        unanimous=lab.unanimous,
    )


# Each LP either proves the classes still in doubt empty or finds more that may be filled; past this many, no class
# is dropped (dropping is only a saving).
MAX_PRUNING_LPS = 12


def _empty_classes_drop(inputs, roster, labellings, limits, started) -> tuple[list[_Labelling], int]:
    """Drop the label classes that no world fills, proven on the linear relaxation without answers.

    Maximize the sum over classes in doubt of min(X[S] + Z[S], 1): an integer world filling one of them would score
    at least 1, so an optimum under 1/2 proves all of them empty; otherwise those it fills are kept and it goes again.
    """
    program = _Program(inputs, roster, labellings, with_answers=False)
    columns = [
        _class_columns(block, len(lab.signatures)) for lab, block in zip(labellings, program.blocks, strict=True)
    ]
    classes = sum(len(lab.signatures) for lab in labellings)
    variables = len(program.lb)
    t = variables + np.arange(classes)
    rows, cols, coefs = [np.arange(classes)], [t], [np.ones(classes)]
    start = 0
    for owned in columns:
        for column in owned:
            rows.append(start + np.arange(len(column)))
            cols.append(column)
            coefs.append(-np.ones(len(column)))
        start += len(owned[0])
    extra = sparse.csr_matrix(
        (np.concatenate(coefs), (np.concatenate(rows), np.concatenate(cols))), shape=(classes, variables + classes)
    )
    matrix = sparse.vstack(
        [sparse.hstack([program.matrix, sparse.csr_matrix((program.matrix.shape[0], classes))]), extra]
    )
    constraints = LinearConstraint(
        matrix.tocsr(),
        np.concatenate([program.row_lo, np.full(classes, -np.inf)]),
        np.concatenate([program.row_hi, np.zeros(classes)]),
    )
    bounds = Bounds(np.concatenate([program.lb, np.zeros(classes)]), np.concatenate([program.ub, np.ones(classes)]))
    doubtful = np.ones(classes, dtype=bool)
    for solved in range(1, MAX_PRUNING_LPS + 1):
        left = limits.seconds - (time.monotonic() - started)
        cost = np.zeros(variables + classes)
        cost[t[doubtful]] = -1.0
        result = milp(cost, bounds=bounds, constraints=constraints, options={"time_limit": max(left * 0.2, 0.5)})
        if result.status != 0:
            return labellings, solved
        if -result.fun < 0.5:
            break
        doubtful &= result.x[t] <= 1e-6
        if not doubtful.any():
            return labellings, solved
    else:
        return labellings, solved
    keep = np.split(~doubtful, np.cumsum([len(lab.signatures) for lab in labellings])[:-1])
    return [_labelling_restrict(lab, kept) for lab, kept in zip(labellings, keep, strict=True)], solved


def _class_columns(block, classes: int) -> list[np.ndarray]:
    """The columns whose sum is a class's people: respondents, and invitees when invited counts are published."""
    parts = [block.big_x + np.arange(classes)]
    if block.big_z is not None:
        parts.append(block.big_z + np.arange(classes))
    return parts


def _label_tuple(roster: _Roster, raw: tuple, mask: int, mentioned: int) -> tuple[tuple[str, str], ...]:
    labels = []
    for i, name in enumerate(roster.attributes):
        if mask >> i & 1:
            labels.append((name, raw[i]))
        elif mentioned >> i & 1:
            labels.append((name, OTHER))
    return tuple(labels)


class _GroupRequirements:
    """Which groups can admit a cell's respondents, and which label choices (raw or "other") each group needs."""

    def __init__(self, groups: list[PublishedGroup], roster: _Roster):
        self.keep = np.zeros(len(groups), dtype=np.int64)
        self.drop = np.zeros(len(groups), dtype=np.int64)
        self.index: dict[tuple[int, ...], dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(list))
        for number, group in enumerate(groups):
            conditions = self._conditions(group, roster)
            if conditions is None:
                continue
            raw = sorted((roster.attribute_index[name], value) for name, value in conditions.items() if value != OTHER)
            for name, value in conditions.items():
                bit = 1 << roster.attribute_index[name]
                if value == OTHER:
                    self.drop[number] |= bit
                else:
                    self.keep[number] |= bit
            self.index[tuple(i for i, _ in raw)][tuple(value for _, value in raw)].append(number)

    @staticmethod
    def _conditions(group: PublishedGroup, roster: _Roster) -> dict[str, str] | None:
        conditions = {}
        for name, value in group.conditions:
            if name not in roster.attribute_index:
                raise _Inconclusive(f"a published group has a condition on {name!r}, which no roster cell has")
            if conditions.setdefault(name, value) != value:
                return None  # two values for one attribute: the group admits nobody
        return conditions

    def cell_classes(self, raw: tuple) -> tuple[list[tuple[int, ...]], list[int], int]:
        relevant = sorted(
            number
            for positions, by_values in self.index.items()
            for number in by_values.get(tuple(raw[i] for i in positions), ())
        )
        keep, drop = self.keep[relevant], self.drop[relevant]
        mentioned = int(np.bitwise_or.reduce(keep | drop)) if relevant else 0
        bits = [i for i in range(mentioned.bit_length()) if mentioned >> i & 1]
        if len(bits) > MAX_MENTIONED_ATTRIBUTES:
            raise _Inconclusive(f"published groups mention {len(bits)} attributes of one cell")
        choices = np.arange(1 << len(bits), dtype=np.int64)
        masks = np.zeros_like(choices)
        for position, bit in enumerate(bits):
            masks |= ((choices >> position) & 1) << bit
        admits = ((masks[:, None] & keep[None, :]) == keep[None, :]) & ((masks[:, None] & drop[None, :]) == 0)
        rows, first = np.unique(admits, axis=0, return_index=True)
        relevant = np.array(relevant, dtype=np.int64)
        signatures = [tuple(int(number) for number in relevant[row]) for row in rows]
        return signatures, [int(masks[i]) for i in first], mentioned


def _histogram_tables(groups: list[PublishedGroup]):
    """Per group and (field, value) entry: published?, the count, and whether the group is unanimous on it."""
    values = defaultdict(set)
    for group in groups:
        for name, histogram in group.histograms.items():
            values[name].update(histogram)
    fields = sorted(values)
    entries = [(name, value) for name in fields for value in sorted(values[name], key=repr)]
    entry_of = {entry: j for j, entry in enumerate(entries)}
    field_of_entry = np.array([fields.index(name) for name, _ in entries], dtype=np.int64)
    published = np.zeros((len(groups), len(fields)), dtype=bool)
    histogram = np.zeros((len(groups), len(entries)), dtype=np.int64)
    unanimous = np.zeros((len(groups), len(entries)), dtype=bool)
    for number, group in enumerate(groups):
        for name, counts in group.histograms.items():
            published[number, fields.index(name)] = True
            for value, count in counts.items():
                histogram[number, entry_of[(name, value)]] = count
            given = [value for value, count in counts.items() if count > 0]
            if len(given) == 1:
                unanimous[number, entry_of[(name, given[0])]] = True
    return entries, field_of_entry, published, histogram, unanimous


def _answer_variables(signatures, field_of_entry, published, histogram):
    """Y[S, entry] for the entries some group of S publishes; each is bounded by the smallest such group's count."""
    y_class, y_entry, y_upper = [], [], []
    entry_published = published[:, field_of_entry]
    for number, signature in enumerate(signatures):
        rows = list(signature)
        limit = np.where(entry_published[rows], histogram[rows], np.iinfo(np.int64).max).min(axis=0)
        # An entry no group of S publishes is free, and 0 is always a choice for it; a bound of 0 fixes it at 0.
        kept = np.flatnonzero((limit > 0) & (limit < np.iinfo(np.int64).max))
        y_class.append(np.full(len(kept), number, dtype=np.int64))
        y_entry.append(kept)
        y_upper.append(limit[kept])
    join = lambda parts: np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)  # noqa: E731
    return join(y_class), join(y_entry), join(y_upper)


@dataclass
class _Block:
    """Where one labelling's variables sit in the program."""

    x: int
    big_x: int
    y: int | None
    z: int | None
    big_z: int | None
    switch: int | None


class _Program:
    """The integer program's base constraints, as one sparse matrix over integer variables."""

    def __init__(
        self,
        inputs: AttackInputs,
        roster: _Roster,
        labellings: list[_Labelling],
        *,
        with_answers=True,
        with_anonymity: bool | None = None,
    ):
        self.with_answers = with_answers
        self.with_anonymity = with_answers if with_anonymity is None else with_anonymity
        self.lower, self.upper = [], []
        self.rows, self.cols, self.coefs, self.row_lower, self.row_upper = [], [], [], [], []
        self.row_count = 0
        self.r = self._variables(np.zeros(len(roster.sizes)), roster.sizes)
        cells = np.arange(len(roster.sizes))
        self._rows(np.zeros(len(cells), dtype=np.int64), self.r + cells, 1, [inputs.submitted_total] * 2)
        self.blocks = [self._labelling(inputs, roster, labelling) for labelling in labellings]
        self._finish()

    @property
    def size(self) -> tuple[int, int]:
        return len(self.lb), self.matrix.shape[0]

    def _variables(self, lower, upper) -> int:
        start = sum(len(part) for part in self.lower)
        self.lower.append(np.asarray(lower, dtype=np.float64))
        self.upper.append(np.asarray(upper, dtype=np.float64))
        return start

    def _rows(self, local_rows, cols, coefs, bounds) -> None:
        """Add entries for a block of new rows; local_rows numbers them from 0, bounds is (lower, upper) per row."""
        lower, upper = (np.atleast_1d(np.asarray(bound, dtype=np.float64)) for bound in bounds)
        local_rows = np.asarray(local_rows, dtype=np.int64)
        self.rows.append(local_rows + self.row_count)
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.coefs.append(np.broadcast_to(np.asarray(coefs, dtype=np.float64), local_rows.shape))
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.row_count += len(lower)

    def _entries(self, parts) -> None:
        """Add entries (rows are absolute) to rows already declared."""
        for rows, cols, coefs in parts:
            rows = np.asarray(rows, dtype=np.int64)
            self.rows.append(rows)
            self.cols.append(np.asarray(cols, dtype=np.int64))
            self.coefs.append(np.broadcast_to(np.asarray(coefs, dtype=np.float64), rows.shape))

    def _labelling(self, inputs: AttackInputs, roster: _Roster, labelling: _Labelling) -> _Block:
        pairs, classes = len(labelling.pair_cell), len(labelling.signatures)
        sizes = roster.sizes
        x = self._variables(np.zeros(pairs), sizes[labelling.pair_cell])
        class_room = np.bincount(labelling.pair_class, weights=sizes[labelling.pair_cell], minlength=classes)
        class_room = np.minimum(class_room, inputs.submitted_total)
        big_x = self._variables(np.zeros(classes), class_room)
        self._cell_rows(labelling, x, sizes)
        self._class_rows(labelling, x, big_x)
        self._group_rows(labelling, big_x)
        y = z = big_z = switch = None
        if self.with_answers:
            y = self._variables(np.zeros(len(labelling.y_class)), labelling.y_upper)
            self._histogram_rows(labelling, big_x, y)
        if any(group.invited is not None for group in labelling.groups):
            z, big_z = self._invitation_rows(labelling, x, sizes)
        if inputs.labels_k_anonymous and self.with_anonymity:
            switch = self._anonymity_rows(labelling, big_x, class_room)
        return _Block(x=x, big_x=big_x, y=y, z=z, big_z=big_z, switch=switch)

    def _cell_rows(self, labelling: _Labelling, x: int, sizes) -> None:
        # Sum over published classes of a cell's respondents: r[c] exactly, or at most r[c] when some of the
        # cell's label tuples no group admits (those respondents are counted nowhere but in the total).
        cells = len(sizes)
        lower = np.where(labelling.has_unpublished, -np.inf, 0.0)
        pairs = np.arange(len(labelling.pair_cell))
        self._rows(labelling.pair_cell, x + pairs, 1, (lower, np.zeros(cells)))
        self._entries([(self.row_count - cells + np.arange(cells), self.r + np.arange(cells), -1)])

    def _class_rows(self, labelling: _Labelling, x: int, big_x: int) -> None:
        classes = len(labelling.signatures)
        pairs = np.arange(len(labelling.pair_class))
        self._rows(labelling.pair_class, x + pairs, -1, (np.zeros(classes), np.zeros(classes)))
        start = self.row_count - classes
        self._entries([(start + np.arange(classes), big_x + np.arange(classes), 1)])

    def _group_rows(self, labelling: _Labelling, big_x: int) -> None:
        group_of, class_of = _signature_entries(labelling.signatures)
        n = np.array([group.n for group in labelling.groups], dtype=np.float64)
        self._rows(np.zeros(0), np.zeros(0), 1, (n, n))
        self._entries([(self.row_count - len(n) + group_of, big_x + class_of, 1)])

    def _histogram_rows(self, labelling: _Labelling, big_x: int, y: int) -> None:
        published = labelling.published[:, labelling.field_of_entry]
        row_of = np.full(published.shape, -1, dtype=np.int64)
        row_of[published] = np.arange(int(published.sum()))
        counts = labelling.histogram[published].astype(np.float64)
        self._rows(np.zeros(0), np.zeros(0), 1, (counts, counts))
        start = self.row_count - len(counts)
        group_of, class_of = _signature_entries(labelling.signatures)
        order = np.argsort(class_of, kind="stable")
        group_of, class_of = group_of[order], class_of[order]
        per_class = np.bincount(class_of, minlength=len(labelling.signatures))
        class_start = np.concatenate([[0], np.cumsum(per_class)])
        repeats = per_class[labelling.y_class]
        y_numbers = np.repeat(np.arange(len(labelling.y_class)), repeats)
        offsets = np.arange(int(repeats.sum())) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        groups = group_of[np.repeat(class_start[labelling.y_class], repeats) + offsets]
        rows = row_of[groups, labelling.y_entry[y_numbers]]
        keep = rows >= 0
        self._entries([(start + rows[keep], y + y_numbers[keep], 1)])
        self._capacity_rows(labelling, big_x, y)

    def _capacity_rows(self, labelling: _Labelling, big_x: int, y: int) -> None:
        # Those of a class who answered a field are at most the class: sum over values of Y[S, f, v] <= X[S].
        keys = labelling.y_class * (len(labelling.field_of_entry) + 1) + labelling.field_of_entry[labelling.y_entry]
        unique, local = np.unique(keys, return_inverse=True)
        classes = unique // (len(labelling.field_of_entry) + 1)
        self._rows(local, y + np.arange(len(keys)), 1, (np.full(len(unique), -np.inf), np.zeros(len(unique))))
        self._entries([(self.row_count - len(unique) + np.arange(len(unique)), big_x + classes, -1)])

    def _invitation_rows(self, labelling: _Labelling, x: int, sizes) -> tuple[int, int]:
        # Invitees are labelled like respondents (each has one label tuple their raw values allow, a respondent's
        # being their response's): x <= z per cell and class, every invitee counted once.
        pairs, classes, cells = len(labelling.pair_cell), len(labelling.signatures), len(sizes)
        z = self._variables(np.zeros(pairs), sizes[labelling.pair_cell])
        big_z = self._variables(
            np.zeros(classes), np.bincount(labelling.pair_class, sizes[labelling.pair_cell], classes)
        )
        numbers = np.arange(pairs)
        self._rows(
            np.concatenate([numbers, numbers]),
            np.concatenate([x + numbers, z + numbers]),
            np.concatenate([np.ones(pairs), -np.ones(pairs)]),
            (np.full(pairs, -np.inf), np.zeros(pairs)),
        )
        lower = np.where(labelling.has_unpublished, -np.inf, sizes)
        self._rows(labelling.pair_cell, z + numbers, 1, (lower, sizes))
        unpublished = np.flatnonzero(labelling.has_unpublished)
        if len(unpublished):
            # Respondents counted nowhere are among the invitees counted nowhere: r - sum x <= size - sum z.
            local = np.full(cells, -1)
            local[unpublished] = np.arange(len(unpublished))
            mine = local[labelling.pair_cell] >= 0
            self._rows(
                np.concatenate(
                    [local[labelling.pair_cell][mine], local[labelling.pair_cell][mine], np.arange(len(unpublished))]
                ),
                np.concatenate([x + numbers[mine], z + numbers[mine], self.r + unpublished]),
                np.concatenate([-np.ones(mine.sum()), np.ones(mine.sum()), np.ones(len(unpublished))]),
                (np.full(len(unpublished), -np.inf), sizes[unpublished]),
            )
        self._rows(labelling.pair_class, z + numbers, -1, (np.zeros(classes), np.zeros(classes)))
        self._entries([(self.row_count - classes + np.arange(classes), big_z + np.arange(classes), 1)])
        invited = [
            (number, group.invited) for number, group in enumerate(labelling.groups) if group.invited is not None
        ]
        local_of = {number: i for i, (number, _) in enumerate(invited)}
        counts = np.array([count for _, count in invited], dtype=np.float64)
        group_of, class_of = _signature_entries(labelling.signatures)
        mine = np.array([number in local_of for number in group_of], dtype=bool)
        rows = np.array([local_of[number] for number in group_of[mine]], dtype=np.int64)
        self._rows(rows, big_z + class_of[mine], 1, (counts, counts))
        return z, big_z

    def _anonymity_rows(self, labelling: _Labelling, big_x: int, class_room) -> int:
        # Each label tuple that occurs has at least the threshold of responses, so each class (a union of tuples)
        # holds 0 or at least the threshold: threshold * on <= X <= room * on, on binary.
        classes = len(labelling.signatures)
        switch = self._variables(np.zeros(classes), np.ones(classes))
        numbers = np.arange(classes)
        both = np.concatenate([numbers, numbers])
        self._rows(
            both,
            np.concatenate([big_x + numbers, switch + numbers]),
            np.concatenate([np.ones(classes), -np.full(classes, float(labelling.threshold))]),
            (np.zeros(classes), np.full(classes, np.inf)),
        )
        self._rows(
            both,
            np.concatenate([big_x + numbers, switch + numbers]),
            np.concatenate([np.ones(classes), -np.asarray(class_room, dtype=np.float64)]),
            (np.full(classes, -np.inf), np.zeros(classes)),
        )
        return switch

    def _finish(self) -> None:
        self.lb = np.concatenate(self.lower)
        self.ub = np.concatenate(self.upper)
        rows, cols = np.concatenate(self.rows), np.concatenate(self.cols)
        coefs = np.concatenate([np.asarray(part, dtype=np.float64) for part in self.coefs])
        self.matrix = sparse.csr_matrix((coefs, (rows, cols)), shape=(self.row_count, len(self.lb)))
        self.matrix.sum_duplicates()
        self.row_lo = np.concatenate(self.row_lower)
        self.row_hi = np.concatenate(self.row_upper)
        del self.rows, self.cols, self.coefs, self.lower, self.upper


def _signature_entries(signatures: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """(group, class) for every group that admits a class."""
    lengths = np.array([len(signature) for signature in signatures], dtype=np.int64)
    groups = np.fromiter(
        (number for signature in signatures for number in signature), dtype=np.int64, count=int(lengths.sum())
    )
    return groups, np.repeat(np.arange(len(signatures)), lengths)


@dataclass
class _Query:
    """Extra conditions on the base program: tighter variable bounds and extra rows."""

    lower: dict[int, float] = field(default_factory=dict)
    upper: dict[int, float] = field(default_factory=dict)
    rows: list[tuple[list[int], list[float], float, float]] = field(default_factory=list)


FEASIBLE, INFEASIBLE, UNKNOWN = "feasible", "infeasible", "unknown"


# Rounds of fixing what the constraints alone decide; each round fixes more or ends the loop.
MAX_REDUCTION_ROUNDS = 60


class _Reduction:
    """The variables the constraints fix on their own, found once and taken out of every MILP.

    A row with one free variable bounds it (rounded inward: every variable is an integer); a row whose free variables
    must all sit at one end of their bounds to reach its right-hand side fixes them there. In a publication of the
    finest label groups this fixes every class total and answer count, leaving mostly who is in which class.
    """

    def __init__(self, program: _Program):
        self.program = program
        lb, ub = program.lb.copy(), program.ub.copy()
        self.infeasible = False
        for _ in range(MAX_REDUCTION_ROUNDS):
            before = (lb.copy(), ub.copy())
            possible = self._singleton_rows(lb, ub) and self._forcing_rows(lb, ub)
            if not possible or np.any(lb > ub):
                self.infeasible = True
                return
            if np.array_equal(before[0], lb) and np.array_equal(before[1], ub):
                break
        self._reduce(lb, ub)

    def _free_part(self, lb, ub):
        fixed = lb == ub
        constant = self.program.matrix @ np.where(fixed, lb, 0.0)
        free_part = (self.program.matrix @ sparse.diags((~fixed).astype(np.float64))).tocsr()
        free_part.eliminate_zeros()
        return free_part, constant

    def _singleton_rows(self, lb, ub) -> bool:
        program = self.program
        free_part, constant = self._free_part(lb, ub)
        single = np.flatnonzero(np.diff(free_part.indptr) == 1)
        at = free_part.indptr[single]
        cols, coefs = free_part.indices[at], free_part.data[at]
        low = (program.row_lo[single] - constant[single]) / coefs
        high = (program.row_hi[single] - constant[single]) / coefs
        low, high = np.where(coefs > 0, low, high), np.where(coefs > 0, high, low)
        np.maximum.at(lb, cols, np.ceil(low - 1e-9))
        np.minimum.at(ub, cols, np.floor(high + 1e-9))
        return True

    def _forcing_rows(self, lb, ub) -> bool:
        program = self.program
        free_part, constant = self._free_part(lb, ub)
        positive, negative = free_part.maximum(0), free_part.minimum(0)
        least = constant + positive @ lb + negative @ ub
        most = constant + positive @ ub + negative @ lb
        if np.any(least > program.row_hi + 1e-9) or np.any(most < program.row_lo - 1e-9):
            return False
        to_least = np.flatnonzero(np.abs(least - program.row_hi) < 1e-9)
        to_most = np.flatnonzero(np.abs(most - program.row_lo) < 1e-9)
        for rows, up in ((to_least, False), (to_most, True)):
            part = free_part[rows].tocoo()
            raise_ = (part.data > 0) == up
            lb[part.col[raise_]] = ub[part.col[raise_]]
            ub[part.col[~raise_]] = lb[part.col[~raise_]]
        return True

    def _reduce(self, lb, ub) -> None:
        program = self.program
        matrix = program.matrix
        self.free = lb < ub
        self.values = np.where(self.free, 0, lb).astype(np.int64)
        self.index = np.full(len(lb), -1)
        self.index[self.free] = np.arange(int(self.free.sum()))
        constant = matrix @ self.values.astype(np.float64)
        reduced = matrix[:, np.flatnonzero(self.free)].tocsr()
        kept = np.diff(reduced.indptr) > 0
        settled_lo, settled_hi = program.row_lo[~kept], program.row_hi[~kept]
        if np.any(constant[~kept] < settled_lo - 1e-9) or np.any(constant[~kept] > settled_hi + 1e-9):
            self.infeasible = True
        self.matrix = reduced[kept]
        self.lo, self.hi = program.row_lo[kept] - constant[kept], program.row_hi[kept] - constant[kept]
        self.lb, self.ub = lb[self.free], ub[self.free]


class _Solver:
    def __init__(self, program: _Program, limits: AttackLimits, started: float):
        self.program, self.limits, self.started = program, limits, started
        self.milps = 0
        self.reduction = _Reduction(program)

    def time_left(self) -> float:
        return self.limits.seconds - (time.monotonic() - self.started)

    def solve(self, query: _Query, *, objective=None, share: float = 1.0) -> tuple[str, np.ndarray | None]:
        """Solve one MILP; returns (status, a verified integer witness or None)."""
        if self.milps >= self.limits.max_milps:
            raise _Inconclusive(f"the budget of {self.limits.max_milps} MILPs ran out")
        left = self.time_left()
        if left <= 0:
            raise _Inconclusive(f"the time budget of {self.limits.seconds:.0f} s ran out")
        reduction = self.reduction
        if reduction.infeasible:
            return INFEASIBLE, None
        self.milps += 1
        bounds = self._bounds(query)
        rows = self._rows(query.rows)
        if bounds is None or rows is None:
            return INFEASIBLE, None
        if not len(reduction.lb):
            return self._witness(np.zeros(0))
        matrix, lo, hi = rows
        cost = np.zeros(len(reduction.lb)) if objective is None else objective[reduction.free]
        options = {"time_limit": max(left * share, 0.5), "presolve": True}
        if objective is not None:
            options["mip_rel_gap"] = 0.05
        result = milp(
            cost,
            integrality=np.ones(len(cost)),
            bounds=bounds,
            constraints=LinearConstraint(matrix, lo, hi),
            options=options,
        )
        if result.status == 2:
            return INFEASIBLE, None
        if result.x is None:
            return UNKNOWN, None
        return self._witness(result.x)

    def _bounds(self, query: _Query) -> Bounds | None:
        """The query's bounds on the reduced variables; None if they contradict a fixed variable or each other."""
        reduction = self.reduction
        lb, ub = reduction.lb.copy(), reduction.ub.copy()
        for number, limit in query.lower.items():
            at = reduction.index[number]
            if at < 0 and reduction.values[number] < limit:
                return None
            if at >= 0:
                lb[at] = max(lb[at], limit)
        for number, limit in query.upper.items():
            at = reduction.index[number]
            if at < 0 and reduction.values[number] > limit:
                return None
            if at >= 0:
                ub[at] = min(ub[at], limit)
        return None if np.any(lb > ub) else Bounds(lb, ub)

    def _rows(self, rows):
        reduction = self.reduction
        if not rows:
            return reduction.matrix, reduction.lo, reduction.hi
        data, indices, indptr, lo, hi = [], [], [0], [], []
        for cols, coefs, low, high in rows:
            at = reduction.index[np.asarray(cols)]
            constant = float(np.dot(np.asarray(coefs)[at < 0], reduction.values[np.asarray(cols)[at < 0]]))
            if not (at >= 0).any():
                if not low - 1e-9 <= constant <= high + 1e-9:
                    return None
                continue
            indices.extend(at[at >= 0].tolist())
            data.extend(np.asarray(coefs)[at >= 0].tolist())
            indptr.append(len(indices))
            lo.append(low - constant)
            hi.append(high - constant)
        extra = sparse.csr_matrix((data, indices, indptr), shape=(len(lo), reduction.matrix.shape[1]))
        matrix = sparse.vstack([reduction.matrix, extra], format="csr")
        return matrix, np.concatenate([reduction.lo, lo]), np.concatenate([reduction.hi, hi])

    def _witness(self, reduced_solution) -> tuple[str, np.ndarray | None]:
        witness = self.reduction.values.copy()
        witness[self.reduction.free] = np.rint(reduced_solution).astype(np.int64)
        return (FEASIBLE, witness) if self._verified(witness) else (UNKNOWN, None)

    def _verified(self, witness) -> bool:
        # Whole people: the rounded solution must satisfy every constraint of the full program exactly.
        program = self.program
        if np.any(witness < program.lb) or np.any(witness > program.ub):
            return False
        values = program.matrix @ witness.astype(np.float64)
        return bool(np.all(values >= program.row_lo) and np.all(values <= program.row_hi))


class _Attack:
    def __init__(self, inputs, roster, labellings, program, solver, report):
        self.inputs, self.roster, self.labellings = inputs, roster, labellings
        self.program, self.solver, self.report = program, solver, report
        self.sizes = roster.sizes
        self.total_forces = inputs.submitted_total in (0, roster.total)
        cells = len(self.sizes)
        self.r_low = np.full(cells, np.iinfo(np.int64).max)
        self.r_high = np.full(cells, -1)
        self.class_low = [np.full(len(lab.signatures), np.iinfo(np.int64).max) for lab in labellings]
        self.class_high = [np.full(len(lab.signatures), -1) for lab in labellings]
        self.pair_seen = [np.zeros(len(lab.pair_cell), dtype=bool) for lab in labellings]
        self.answer_open = [self._answer_candidates(lab) for lab in labellings]
        self.rng = np.random.default_rng(solver.limits.seed)

    def run(self) -> None:
        status, witness = self.solver.solve(_Query())
        if status == INFEASIBLE:
            raise _Inconclusive("no roster-consistent world yields these published numbers (inconsistent inputs)")
        if status == UNKNOWN:
            raise _Inconclusive("the first feasibility MILP found no verified solution in time")
        self.learn(witness)
        self._more_witnesses()
        self._participation()
        self._classes()
        if self.program.with_answers:
            self._answers()

    def learn(self, witness: np.ndarray) -> None:
        program = self.program
        r = witness[program.r : program.r + len(self.sizes)]
        self.r_low, self.r_high = np.minimum(self.r_low, r), np.maximum(self.r_high, r)
        for number, (lab, block) in enumerate(zip(self.labellings, program.blocks, strict=True)):
            classes = witness[block.big_x : block.big_x + len(lab.signatures)]
            self.class_low[number] = np.minimum(self.class_low[number], classes)
            self.class_high[number] = np.maximum(self.class_high[number], classes)
            x = witness[block.x : block.x + len(lab.pair_cell)]
            self.pair_seen[number] |= x > 0
            if program.with_answers:
                self._answers_learn(number, lab, block, witness, x, classes)

    def _answers_learn(self, number, lab, block, witness, x, classes) -> None:
        open_ = self.answer_open[number]
        if not open_.any():
            return
        answers = np.zeros((len(lab.signatures), len(lab.entries)), dtype=np.int64)
        answers[lab.y_class, lab.y_entry] = witness[block.y : block.y + len(lab.y_class)]
        cells = np.flatnonzero(open_.any(axis=1))
        for cell in cells:
            pairs = lab.pairs_of(cell)
            if not len(pairs):
                open_[cell] = False
                continue
            chosen = lab.pair_class[pairs.start : pairs.stop]
            room = classes[chosen][:, None] - x[pairs.start : pairs.stop][:, None] - answers[chosen]
            open_[cell] &= ~np.all(room >= 0, axis=0)

    def _answer_candidates(self, lab: _Labelling) -> np.ndarray:
        """Cells under the threshold and entries their classes publish, minus those unanimity already explains."""
        open_ = np.zeros((len(self.sizes), len(lab.entries)), dtype=bool)
        covered = lab.covered
        for cell in np.flatnonzero(self.sizes < lab.threshold):
            pairs = lab.pairs_of(cell)
            if len(pairs):
                chosen = lab.pair_class[pairs.start : pairs.stop]
                open_[cell] = ~covered[chosen].all(axis=0)
        return open_

    def _more_witnesses(self) -> None:
        small = np.flatnonzero(self.sizes < self.inputs.k)
        objectives = []
        if len(small):
            for sign in (1.0, -1.0):
                cost = np.zeros(len(self.program.lb))
                cost[self.program.r + small] = sign
                objectives.append(cost)
        while len(objectives) < self.solver.limits.witnesses:
            cost = np.zeros(len(self.program.lb))
            cost[self.program.r : self.program.r + len(self.sizes)] = self.rng.normal(size=len(self.sizes))
            for lab, block in zip(self.labellings, self.program.blocks, strict=True):
                cost[block.x : block.x + len(lab.pair_cell)] = self.rng.normal(size=len(lab.pair_cell))
                if block.y is not None:
                    cost[block.y : block.y + len(lab.y_class)] = self.rng.normal(size=len(lab.y_class)) * 0.1
            objectives.append(cost)
        for cost in objectives[: self.solver.limits.witnesses]:
            status, witness = self.solver.solve(_Query(), objective=cost, share=0.15)
            if status == FEASIBLE:
                self.learn(witness)

    # Participation: findings (a) and (b) for cells.

    def _participation(self) -> None:
        if self.total_forces:
            return
        k = self.inputs.k
        candidates = [int(cell) for cell in np.flatnonzero(self._cell_pinnable(k))]
        variable = lambda cell: self.program.r + cell  # noqa: E731
        forced = self._forced(candidates, variable, self._cell_open, self.sizes)
        for cell in forced:
            count = int(self.r_low[cell])
            kind = PARTICIPATION if self.sizes[cell] < k else SMALL_GROUP
            self.report.findings.append(
                Finding(kind=kind, cell=self.roster.cells[cell], cell_size=int(self.sizes[cell]), count=count)
            )

    def _cell_pinnable(self, k: int) -> np.ndarray:
        agreed = self.r_low == self.r_high
        return agreed & ((self.sizes < k) | ((self.r_low >= 1) & (self.r_low <= k - 1)))

    def _cell_open(self, cell: int) -> bool:
        return bool(self._cell_pinnable(self.inputs.k)[cell])

    def _classes(self) -> None:
        for number, (lab, block) in enumerate(zip(self.labellings, self.program.blocks, strict=True)):
            low, high = self.class_low[number], self.class_high[number]

            def is_open(klass, low=low, high=high, lab=lab):
                return bool(low[klass] == high[klass] and 1 <= low[klass] <= lab.threshold - 1)

            candidates = [klass for klass in range(len(lab.signatures)) if is_open(klass)]
            room = self.program.ub[block.big_x : block.big_x + len(lab.signatures)]
            forced = self._forced(candidates, lambda klass, block=block: block.big_x + klass, is_open, room)
            for klass in forced:
                self.report.findings.append(
                    Finding(kind=SMALL_GROUP, cell=lab.class_labels[klass], count=int(low[klass]), labelling=lab.name)
                )

    def _forced(self, candidates: list[int], variable: Callable[[int], int], is_open, room) -> list[int]:
        """Candidates whose variable no world moves below or above the value every witness so far agrees on."""

        def value(item):
            return self._witnessed(variable(item))

        def lower_all(items):
            return _Query(upper={variable(item): value(item) - 1 for item in items})

        def raise_all(items):
            return _Query(lower={variable(item): value(item) + 1 for item in items})

        can_fall = [item for item in candidates if value(item) >= 1]
        stuck_low = set(self._pinned_among(can_fall, lower_all, is_open))
        stuck_low |= {item for item in candidates if value(item) < 1}
        can_rise = [item for item in candidates if item in stuck_low and is_open(item) and value(item) < room[item]]
        stuck_high = set(self._pinned_among(can_rise, raise_all, is_open))
        stuck_high |= {item for item in candidates if value(item) >= room[item]}
        return [item for item in candidates if item in stuck_low and item in stuck_high and is_open(item)]

    def _witnessed(self, variable: int) -> int:
        """The one value every witness gave this variable (only asked of variables the witnesses agree on)."""
        program = self.program
        if program.r <= variable < program.r + len(self.sizes):
            return int(self.r_low[variable - program.r])
        for number, block in enumerate(program.blocks):
            if block.big_x <= variable < block.big_x + len(self.labellings[number].signatures):
                return int(self.class_low[number][variable - block.big_x])
        raise ValueError(variable)

    def _pinned_among(self, candidates: list, constrain: Callable[[list], _Query], is_open) -> list:
        """Group testing: one MILP asks whether a single world moves every candidate at once; on "no", halve.

        A feasible answer is a verified witness that settles the whole set; only a candidate that is infeasible on
        its own is pinned.
        """
        pinned, stack = [], [list(candidates)]
        while stack:
            items = [item for item in stack.pop() if is_open(item)]
            if not items:
                continue
            status, witness = self.solver.solve(constrain(items))
            if status == FEASIBLE:
                self.learn(witness)
                if any(is_open(item) for item in items):
                    raise _Inconclusive("a witness did not settle the candidates it was solved for")
            elif status == UNKNOWN:
                raise _Inconclusive(f"a MILP about {len(items)} candidates found no answer in time")
            elif len(items) == 1:
                pinned.append(items[0])
            else:
                half = len(items) // 2
                stack += [items[half:], items[:half]]
        return pinned

    # Answers: finding (c).

    def _answers(self) -> None:
        for number, (lab, block) in enumerate(zip(self.labellings, self.program.blocks, strict=True)):
            open_ = self.answer_open[number]
            candidates = [(int(cell), int(entry)) for cell, entry in zip(*np.nonzero(open_), strict=True)]

            def is_open(item, open_=open_):
                return bool(open_[item])

            def constrain(items, lab=lab, block=block):
                return _Query(rows=self._answer_rows(lab, block, items))

            for cell, entry in self._pinned_among(candidates, constrain, is_open):
                if self._a_class_can_be_within(lab, cell) and not self._unanimity_explains(
                    number, lab, block, cell, entry
                ):
                    name, value = lab.entries[entry]
                    self.report.findings.append(
                        Finding(
                            kind=ANSWER,
                            cell=self.roster.cells[cell],
                            cell_size=int(self.sizes[cell]),
                            labelling=lab.name,
                            field=name,
                            value=value,
                        )
                    )

    def _a_class_can_be_within(self, lab: _Labelling, cell: int) -> bool:
        """Whether the cell's respondents can make up a whole class: only then can the number of them who gave a value
        be forced to one count. Otherwise each class also holds people from outside the cell, and whenever some but
        not all of a class gave the value, it can sit with one more or one fewer of the cell's people: "someone in
        this pair gave v" (near-unanimity) bounds the cell without pinning its answers, like unanimity, which is
        out of scope. Published k-anonymously, every class holds 0 or at least the threshold, more than the cell."""
        return not (self.inputs.labels_k_anonymous and self.sizes[cell] < lab.threshold)

    def _answer_rows(self, lab: _Labelling, block: _Block, items) -> list:
        """Rows Y[S, entry] + x[c, S] - X[S] <= 0 for every class S of c: nobody in c needs to have given it."""
        rows = []
        for cell, entry in items:
            for pair in lab.pairs_of(cell):
                klass = int(lab.pair_class[pair])
                y = lab.y_number.get((klass, entry))
                if y is not None:
                    rows.append(([block.y + y, block.x + pair, block.big_x + klass], [1.0, 1.0, -1.0], -np.inf, 0.0))
        return rows

    def _unanimity_explains(self, number, lab, block, cell, entry) -> bool:
        """True when every class the cell's respondents can be in is admitted by a group unanimous on the entry."""
        covered = lab.covered[:, entry]
        for pair in lab.pairs_of(cell):
            if covered[lab.pair_class[pair]]:
                continue
            if self.pair_seen[number][pair]:
                return False
            status, witness = self.solver.solve(_Query(lower={block.x + pair: 1}))
            if status == FEASIBLE:
                self.learn(witness)
                return False
            if status == UNKNOWN:
                raise _Inconclusive("a MILP about unanimity found no answer in time")
        return True
