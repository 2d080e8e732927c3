"""What the independent attacker (``reports.attacker``) is given about a publication: more than HR can read.

Every group the round's queries can reach and the publication shows, with its respondents and, for every field, the
histogram its shares give (which is at least as much as the means, shares and NPS on the pages); participation per
published group; the roster's cells, from the attributes frozen on the invitations, as HR knows them; and, on top,
every finest combination of labels the records carry with its histograms, which no page shows on its own. A
stronger attacker that finds nothing means the real one finds nothing either, and the finest combinations keep its
integer program small.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from reports.attacker import ANSWERS, COMMENTS, AttackInputs, AttackReport, PublishedGroup, RosterCell, attack
from reports.disclosure import Engine
from reports.disclosure_data import Kind, Measure
from reports.publication import Publication


def publication_attack(
    publication: Publication,
    *,
    invitees: Sequence[dict],
    names: Sequence[str],
    comment_threshold: int,
    finest: Sequence[PublishedGroup] = (),
) -> AttackReport:
    inputs = attack_inputs(
        publication, invitees=invitees, names=names, comment_threshold=comment_threshold, finest=finest
    )
    return attack(inputs)


def round_attack_inputs(round_id) -> AttackInputs:
    """The attacker's inputs for a published round, read back from the database (``manage.py audit_disclosure``)."""
    from reports.models import ReportSnapshot
    from reports.records import group_attributes, records_build
    from reports.snapshots import snapshot_engine
    from sentiment.models import Theme
    from surveys.models import Invitation, Round

    round = Round.objects.get(id=round_id)
    publication = snapshot_engine(ReportSnapshot.objects.get(round_id=round.id))
    invitees = list(Invitation.objects.filter(round=round).values_list("attributes", flat=True))
    themes = list(Theme.objects.filter(round_id=round.id))
    finest = []
    for labels, labelling, engine in (
        ("attributes", ANSWERS, publication.answers),
        ("comment_attributes", COMMENTS, publication.comments),
    ):
        if engine is not None:
            records, attributes = records_build(round_id=round.id, themes=themes, labels=labels)
            finest += finest_groups(records, attributes=attributes, engine=engine, labelling=labelling)
    names = group_attributes(invitees)
    return attack_inputs(
        publication, invitees=invitees, names=names, comment_threshold=round.comment_threshold, finest=finest
    )


def finest_groups(
    records: Iterable[dict], *, attributes: Sequence[str], engine: Engine, labelling: str
) -> list[PublishedGroup]:
    """Each combination of labels the records carry, with its respondents and its histograms binned as the
    engine's shares bin them."""
    fields = _histogram_measures(engine.measures)
    combinations: dict[tuple, list[dict]] = {}
    for record in records:
        combinations.setdefault(tuple((name, str(record[name])) for name in sorted(attributes)), []).append(record)
    return [
        PublishedGroup(
            conditions=conditions,
            n=len(members),
            histograms={field: _record_histogram(members, field, bins) for field, bins in fields.items()},
            labelling=labelling,
        )
        for conditions, members in combinations.items()
    ]


def _record_histogram(members: list[dict], field: str, bins: dict[int, Measure]) -> dict[int, int]:
    source, _, option = field.partition("#")
    histogram = dict.fromkeys(bins, 0) if not option else {1: 0, 0: 0}
    for record in members:
        answer = record.get(source)
        if answer is None:
            continue
        if option:
            histogram[int(int(option) in answer)] += 1
            continue
        for bin_, measure in bins.items():
            if answer in measure.values:
                histogram[bin_] += 1
    return histogram


def attack_inputs(
    publication: Publication,
    *,
    invitees: Sequence[dict],
    names: Sequence[str],
    comment_threshold: int,
    finest: Sequence[PublishedGroup] = (),
) -> AttackInputs:
    invited = {(group.attribute, group.value): group.invited for group in publication.participation}
    groups = [*_groups(publication.answers, ANSWERS, invited)]
    if publication.comments is not None:
        groups += _groups(publication.comments, COMMENTS, {})
    known = {(group.labelling, group.conditions) for group in groups}
    groups += [group for group in finest if (group.labelling, group.conditions) not in known]
    return AttackInputs(
        k=publication.k,
        comment_threshold=comment_threshold,
        roster=roster_cells(invitees, names),
        submitted_total=publication.participation[0].submitted,
        groups=tuple(groups),
        finest_complete=bool(finest),
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
