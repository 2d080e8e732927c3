"""What the independent attacker (``reports.attacker``) is given about a publication: everything HR can read.

Every group the round's queries can reach and the publication shows, with its respondents and, for every field, the
histogram its shares give (which is at least as much as the means, shares and NPS on the pages); participation per
published group; and the roster's cells, from the attributes frozen on the invitations, as HR knows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from reports.attacker import ANSWERS, COMMENTS, AttackInputs, AttackReport, PublishedGroup, RosterCell, attack
from reports.disclosure import Engine
from reports.disclosure_data import Kind, Measure
from reports.publication import Publication


def publication_attack(
    publication: Publication, *, invitees: Sequence[dict], names: Sequence[str], comment_threshold: int
) -> AttackReport:
    return attack(attack_inputs(publication, invitees=invitees, names=names, comment_threshold=comment_threshold))


def attack_inputs(
    publication: Publication, *, invitees: Sequence[dict], names: Sequence[str], comment_threshold: int
) -> AttackInputs:
    invited = {(group.attribute, group.value): group.invited for group in publication.participation}
    groups = [*_groups(publication.answers, ANSWERS, invited)]
    if publication.comments is not None:
        groups += _groups(publication.comments, COMMENTS, {})
    return AttackInputs(
        k=publication.k,
        comment_threshold=comment_threshold,
        roster=roster_cells(invitees, names),
        submitted_total=publication.participation[0].submitted,
        groups=tuple(groups),
    )


def roster_cells(invitees: Iterable[dict], names: Sequence[str]) -> tuple[RosterCell, ...]:
    sizes = Counter(tuple((name, str(attributes.get(name, ""))) for name in names) for attributes in invitees)
    return tuple(RosterCell(attributes=cell, size=size) for cell, size in sorted(sizes.items()))


def _groups(engine: Engine, labelling: str, invited: dict) -> list[PublishedGroup]:
    fields = _histogram_measures(engine.measures)
    found = []
    for group, (count, _) in engine.tallies[Measure.count()].items():
        if group in engine.hidden or not count:
            continue
        hidden_here = engine.hidden_comments if labelling == COMMENTS else engine.hidden
        histograms = (
            {field: _histogram(engine, group, bins) for field, bins in fields.items()}
            if (group not in hidden_here)
            else {}
        )
        single = invited.get(group[0]) if len(group) == 1 else invited.get(("", "")) if not group else None
        found.append(
            PublishedGroup(conditions=group, n=count, histograms=histograms, labelling=labelling, invited=single)
        )
    return found


def _histogram(engine: Engine, group, bins: dict[int, Measure]) -> dict[int, int]:
    histogram = {bin_: round(engine.tallies[measure][group][1]) for bin_, measure in bins.items()}
    measure = next(iter(bins.values()))
    if measure.kind == Kind.CHOSEN:  # ticked, and answered without ticking
        answered = engine.tallies[measure][group][0]
        histogram = {1: histogram[next(iter(bins))], 0: answered - histogram[next(iter(bins))]}
    return histogram


def _histogram_measures(measures: Iterable[Measure]) -> dict[str, dict[int, Measure]]:
    """Per field, disjoint shares that split its answers into bins (one value, or an NPS group), keyed by the bin's
    smallest value; a several-choice option becomes a field of its own (ticked or not)."""
    by_field: dict[str, list[Measure]] = {}
    for measure in measures:
        if measure.kind == Kind.SHARE:
            by_field.setdefault(measure.field, []).append(measure)
        elif measure.kind == Kind.CHOSEN:
            option = next(iter(measure.values))
            by_field.setdefault(f"{measure.field}#{option}", []).append(measure)
    histograms = {}
    for field, shares in by_field.items():
        singles = [share for share in shares if len(share.values) == 1]
        chosen = singles if len(singles) > 1 or shares[0].kind == Kind.CHOSEN else _disjoint(shares)
        histograms[field] = {int(min(share.values)): share for share in chosen}
    return histograms


def _disjoint(shares: list[Measure]) -> list[Measure]:
    kept, seen = [], set()
    for share in sorted(shares, key=lambda share: min(share.values)):
        if seen.isdisjoint(share.values):
            kept.append(share)
            seen |= share.values
    return kept
