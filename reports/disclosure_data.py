"""Plain data for the disclosure-control engine: measures, respondents, and the counts behind every cell.

Records arrive as mappings: ``respondent`` (an id shared by every record of one response), the generalized
attributes, and measure inputs (an answer value, or None where the question was skipped). Everything is counted in
distinct respondents: someone with several records is one respondent, so a cell's count never grows with the number
of questions a person answered, and two records that disagree about one person are refused rather than guessed at.

A measure's *base* is the set of respondents its numbers are computed over: everyone for a count, the respondents
who answered the question for a mean, a share or an NPS. Bases are what the engine protects; measures over the same
question share a base, so a mean and a share of one question publish the same counts and are hidden together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import product

RESPONDENT = "respondent"
RESPONDENTS = "respondents"
UNKNOWN = "unknown"
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6

Conditions = tuple[tuple[str, str], ...]
"""A group of respondents as (attribute, value) pairs sorted by attribute; () is everyone."""

Tally = tuple[int, float]
"""Respondents in a measure's base, and the measure's numerator over them."""


def conditions_of(pairs: Iterable[tuple[str, str]]) -> Conditions:
    return tuple(sorted(pairs))


def conditions_described(conditions: Conditions) -> str:
    """How an HR analyst would say the group: "department Sales and location Paris"."""
    if not conditions:
        return "everyone"
    return " and ".join(f"{attribute.replace('_', ' ')} {value}" for attribute, value in conditions)


class Kind(StrEnum):
    COUNT = "count"
    MEAN = "mean"
    SHARE = "share"
    NPS = "nps"
    CHOSEN = "chosen"


@dataclass(frozen=True)
class Measure:
    """What a table shows in each cell. Build one with ``count``, ``mean``, ``share`` or ``nps``.

    ``comment_derived`` measures (themes, keywords) are held to the higher comment threshold.
    """

    kind: Kind
    field: str | None = None
    values: frozenset[float] = frozenset()
    comment_derived: bool = False

    def __post_init__(self) -> None:
        if self.kind != Kind.COUNT and not self.field:
            raise ValueError(f"A {self.kind} needs the field it is computed from.")
        if self.kind in (Kind.SHARE, Kind.CHOSEN) and not self.values:
            raise ValueError("A share needs the answer values it counts, for example {4, 5} for agree.")

    @classmethod
    def count(cls, *, field: str | None = None, comment_derived: bool = False) -> Measure:
        """Respondents; with a field, the respondents who answered it."""
        return cls(kind=Kind.COUNT, field=field, comment_derived=comment_derived)

    @classmethod
    def mean(cls, field: str, *, comment_derived: bool = False) -> Measure:
        return cls(kind=Kind.MEAN, field=field, comment_derived=comment_derived)

    @classmethod
    def share(cls, field: str, values: Iterable[float], *, comment_derived: bool = False) -> Measure:
        """The fraction (0 to 1) of those who answered whose answer is one of ``values``."""
        return cls(kind=Kind.SHARE, field=field, values=frozenset(values), comment_derived=comment_derived)

    @classmethod
    def nps(cls, field: str, *, comment_derived: bool = False) -> Measure:
        """Promoters (9–10) minus detractors (0–6), in percent of those who answered."""
        return cls(kind=Kind.NPS, field=field, comment_derived=comment_derived)

    @classmethod
    def chosen(cls, field: str, option: int, *, comment_derived: bool = False) -> Measure:
        """The fraction of those who answered a several-choice question who ticked ``option``."""
        return cls(kind=Kind.CHOSEN, field=field, values=frozenset({option}), comment_derived=comment_derived)

    @property
    def base(self) -> str:
        return RESPONDENTS if self.field is None else f"answered {self.field}"

    def numerator(self, answer: float | None) -> float:
        """One base member's contribution; the cell's value is the numerator over the count."""
        if self.kind == Kind.COUNT:
            return 1.0
        if self.kind == Kind.MEAN:
            return float(answer)
        if self.kind == Kind.SHARE:
            return float(answer in self.values)
        if self.kind == Kind.CHOSEN:
            return float(any(option in self.values for option in answer))
        return float(answer >= PROMOTER_FROM) - float(answer <= DETRACTOR_UP_TO)

    def value(self, *, count: int, numerator: float) -> float:
        if self.kind == Kind.COUNT:
            return float(count)
        if self.kind == Kind.NPS:
            return 100 * numerator / count
        return numerator / count


@dataclass(frozen=True)
class Respondent:
    key: tuple[str, ...]
    answers: Mapping[str, float]


@dataclass(frozen=True)
class Population:
    """Distinct respondents and the sorted values each attribute takes among them."""

    attributes: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]]
    respondents: tuple[Respondent, ...]


def population_build(*, records: Iterable[Mapping[str, object]], attributes: Sequence[str]) -> Population:
    respondents = respondents_merge(records=records, attributes=attributes)
    values = {
        attribute: tuple(sorted({respondent.key[position] for respondent in respondents}))
        for position, attribute in enumerate(attributes)
    }
    return Population(attributes=tuple(attributes), values=values, respondents=respondents)


def respondents_merge(*, records: Iterable[Mapping[str, object]], attributes: Sequence[str]) -> tuple[Respondent, ...]:
    """One Respondent per distinct id, with the answers of all its records."""
    keys: dict[object, tuple[str, ...]] = {}
    answers: dict[object, dict[str, float]] = {}
    skip = {RESPONDENT, *attributes}
    for record in records:
        if RESPONDENT not in record:
            raise ValueError(f"Every record needs a {RESPONDENT!r} id, so that people are counted once.")
        respondent = record[RESPONDENT]
        key = tuple(str(record.get(attribute) or UNKNOWN) for attribute in attributes)
        if keys.setdefault(respondent, key) != key:
            raise ValueError("Two records of one respondent carry different attributes.")
        _answers_merge(answers.setdefault(respondent, {}), record, skip)
    return tuple(Respondent(key=keys[respondent], answers=answers[respondent]) for respondent in keys)


def _answers_merge(answers: dict[str, float], record: Mapping[str, object], skip: set[str]) -> None:
    for name, value in record.items():
        if name in skip or value is None:
            continue
        if answers.setdefault(name, value) != value:
            raise ValueError(f"Two records of one respondent give different answers to {name!r}.")


def finest_tally(*, population: Population, measure: Measure) -> dict[tuple[str, ...], Tally]:
    """The measure's count and numerator for each combination of attribute values that has respondents."""
    tally: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0.0])
    for respondent in population.respondents:
        answer = respondent.answers.get(measure.field) if measure.field else None
        if measure.field and answer is None:
            continue
        sums = tally[respondent.key]
        sums[0] += 1
        sums[1] += measure.numerator(answer)
    return {key: (int(count), numerator) for key, (count, numerator) in tally.items()}


def lattice_tally(
    *,
    population: Population,
    finest: Mapping[tuple[str, ...], Tally],
    attribute_sets: Iterable[tuple[str, ...]],
) -> dict[Conditions, Tally]:
    """Sum the finest tallies into every group over the given attribute sets, empty groups included."""
    tallies: dict[Conditions, Tally] = {}
    for attribute_set in attribute_sets:
        tallies.update(_groups_tally(population=population, finest=finest, attribute_set=attribute_set))
    return tallies


def _groups_tally(
    *, population: Population, finest: Mapping[tuple[str, ...], Tally], attribute_set: tuple[str, ...]
) -> dict[Conditions, Tally]:
    positions = [population.attributes.index(attribute) for attribute in attribute_set]
    sums: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0, 0.0])
    for key, (count, numerator) in finest.items():
        group = sums[tuple(key[position] for position in positions)]
        group[0] += count
        group[1] += numerator
    every_group = product(*(population.values[attribute] for attribute in attribute_set))
    return {
        tuple(zip(attribute_set, group, strict=True)): (int(sums[group][0]), sums[group][1])
        if group in sums
        else (0, 0.0)
        for group in every_group
    }
