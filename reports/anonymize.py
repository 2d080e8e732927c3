"""k-anonymizing a round's records at publication, knowing the roster as an attacker does.

The round's respondents are partitioned top-down, Mondrian style, by a decision tree over the reporting attributes
frozen when the round opened. A split on one attribute keeps each value that at least k respondents of the part
share as a part of its own, and sends every other value (seen or not) to a "rest" part whose label for that
attribute is ``OTHER``. Every leaf therefore holds at least k respondents, and every respondent's stored labels are
either their own value or ``OTHER``. Everything published is computed from those labels, so every number, and every
difference of numbers, sums whole leaves of at least k.

The tree also places every invitee, respondent or not, so participation per group is computed on the same leaves.
It knows the roster the way an HR analyst does: a split is refused when one of its parts would have every invitee
take part (unless everyone in the round did, which the overall count says anyway). Named with the roster in hand,
such a part would tell HR that each of its people took part, and if they all answered alike, what each answered.
Respondents of one roster cell (a finest combination of attributes) always share a leaf.

Why not a library: anjana (full-domain recoding) gives up an attribute for everyone as soon as one small group needs
it, and neither it nor anonypy can refuse a split because of people who did not respond; the tree is short, and the
independent attacker (``reports.attacker``) checks what it publishes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

OTHER = "other"

Attributes = Mapping[str, str]


@dataclass
class Part:
    """A node of the tree: its labels so far, and how it splits (a leaf when ``attribute`` is None)."""

    labels: dict[str, str]
    attribute: str | None = None
    kept: dict[str, Part] = field(default_factory=dict)
    rest: Part | None = None

    def leaf_of(self, raw: Attributes) -> Part:
        part = self
        while part.attribute is not None:
            part = part.kept.get(raw.get(part.attribute), part.rest)
        return part

    def labels_of(self, raw: Attributes) -> dict[str, str]:
        return dict(self.leaf_of(raw).labels)

    def leaves(self) -> list[Part]:
        if self.attribute is None:
            return [self]
        return [leaf for part in (*self.kept.values(), self.rest) for leaf in part.leaves()]


@dataclass(frozen=True)
class _People:
    """The respondents and invitees that reach one part, as raw attribute mappings."""

    respondents: tuple[Attributes, ...]
    invitees: tuple[Attributes, ...]


@dataclass(frozen=True)
class _Rules:
    attributes: tuple[str, ...]
    k: int
    everyone_counted: bool


def anonymize(
    *,
    respondents: Sequence[Attributes],
    invitees: Sequence[Attributes],
    attributes: Sequence[str],
    k: int,
    within: Part | None = None,
) -> Part:
    """The tree for ``respondents`` (a subset of ``invitees``, by their raw attributes) at threshold ``k``.

    With ``within`` (a coarser tree), each of its leaves is split further, so the new leaves nest in the old ones.
    """
    rules = _rules(respondents=respondents, invitees=invitees, attributes=attributes, k=k)
    if within is None:
        root = Part(labels=dict.fromkeys(attributes, OTHER))
        _grow(root, _People(tuple(respondents), tuple(invitees)), rules)
        return root
    root = _copy(within)
    leaves = {id(leaf): leaf for leaf in root.leaves()}
    respondents_by_leaf = _by_leaf(root, respondents)
    invitees_by_leaf = _by_leaf(root, invitees)
    for leaf_id, leaf in leaves.items():
        people = _People(tuple(respondents_by_leaf.get(leaf_id, ())), tuple(invitees_by_leaf.get(leaf_id, ())))
        _grow(leaf, people, rules)
    return root


def _by_leaf(root: Part, people: Sequence[Attributes]) -> dict[int, list[Attributes]]:
    grouped: dict[int, list[Attributes]] = {}
    for raw in people:
        grouped.setdefault(id(root.leaf_of(raw)), []).append(raw)
    return grouped


def _rules(*, respondents, invitees, attributes, k) -> _Rules:
    return _Rules(attributes=tuple(attributes), k=k, everyone_counted=len(respondents) in (0, len(invitees)))


def _copy(part: Part) -> Part:
    copied = Part(labels=dict(part.labels), attribute=part.attribute)
    copied.kept = {value: _copy(child) for value, child in part.kept.items()}
    copied.rest = _copy(part.rest) if part.rest is not None else None
    return copied


def _grow(part: Part, people: _People, rules: _Rules) -> None:
    _uniform_label(part, people, rules)
    # Attributes are tried in the order given (the built-in ones first): HR reads by department before any column.
    splits = (
        (attribute, _split(attribute, people, rules))
        for attribute in rules.attributes
        if part.labels[attribute] == OTHER
    )
    attribute, split = next(((attribute, split) for attribute, split in splits if split is not None), (None, None))
    if split is None:
        return
    kept, rest = split
    part.attribute = attribute
    for value, members in kept.items():
        part.kept[value] = Part(labels={**part.labels, attribute: value})
        _grow(part.kept[value], members, rules)
    part.rest = Part(labels=dict(part.labels))
    _grow(part.rest, rest, rules)


def _parts(split: tuple[dict[str, _People], _People]) -> int:
    kept, rest = split
    return len(kept) + bool(rest.invitees)


def _uniform_label(part: Part, people: _People, rules: _Rules) -> None:
    """Name an attribute's value when every invitee of the part shares it: that says nothing the roster does not."""
    for attribute in rules.attributes:
        values = {raw.get(attribute, "") for raw in people.invitees}
        if part.labels[attribute] == OTHER and len(values) == 1 and people.respondents:
            part.labels[attribute] = values.pop()


def _split(attribute: str, people: _People, rules: _Rules) -> tuple[dict[str, _People], _People] | None:
    """(kept values, rest) for a split on ``attribute``, or None when no split into two valid parts exists."""
    respondents = _bucket(people.respondents, attribute)
    invitees = _bucket(people.invitees, attribute)
    by_value = {
        value: _People(tuple(respondents.get(value, ())), tuple(members)) for value, members in invitees.items()
    }
    kept = sorted(
        (value for value, members in by_value.items() if _part_valid(members, rules)),
        key=lambda value: (len(by_value[value].respondents), value),
    )
    while kept:
        rest = _People(
            tuple(raw for value in by_value if value not in kept for raw in by_value[value].respondents),
            tuple(raw for value in by_value if value not in kept for raw in by_value[value].invitees),
        )
        if _part_valid(rest, rules, may_be_empty=True):
            split = ({value: by_value[value] for value in kept}, rest)
            return split if _parts(split) >= 2 else None
        kept.pop(0)  # the smallest kept value joins the rest
    return None


def _bucket(people: Sequence[Attributes], attribute: str) -> dict[str, list[Attributes]]:
    buckets: dict[str, list[Attributes]] = {}
    for raw in people:
        buckets.setdefault(raw.get(attribute, ""), []).append(raw)
    return buckets


def _part_valid(people: _People, rules: _Rules, *, may_be_empty: bool = False) -> bool:
    """At least k respondents, or (for a rest) nobody at all; and not everyone of its invitees took part."""
    if not people.respondents:
        return may_be_empty and not people.invitees
    if len(people.respondents) < rules.k:
        return False
    everyone_took_part = len(people.respondents) == len(people.invitees)
    return not everyone_took_part or rules.everyone_counted


def leaf_sizes(tree: Part, respondents: Sequence[Attributes]) -> Counter:
    """Respondents per leaf label combination: each one is at least k (a check for tests and the bench)."""
    return Counter(tuple(sorted(tree.labels_of(raw).items())) for raw in respondents)
