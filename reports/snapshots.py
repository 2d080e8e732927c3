"""Keeping a publication: compact JSON in the database, decoded once per process and version.

A publication is the answers' engine, the comments' engine (coarser groups) and the participation table. In each
engine groups are listed once; each base's counts and each measure's numerators are arrays in the groups' order, so
a round with thousands of groups and dozens of measures stays a few hundred kilobytes compressed. Only shown groups
are kept: a hidden group's numbers are stored nowhere.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict

from reports.disclosure import Engine, QuerySpace, engine_restore
from reports.disclosure_data import Kind, Measure
from reports.models import ReportSnapshot
from reports.publication import GroupParticipation, Publication

FORMAT = 2
DECODED_KEPT = 16


def publication_dump(publication: Publication) -> bytes:
    data = {
        "format": FORMAT,
        "answers": _engine_data(publication.answers),
        "comments": _engine_data(publication.comments) if publication.comments else None,
        "invited": publication.invited,
        "participation": [
            [group.attribute, group.value, group.invited, group.submitted] for group in publication.participation
        ],
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), level=6)


def publication_load(blob: bytes) -> Publication:
    data = json.loads(zlib.decompress(bytes(blob)))
    if data["format"] != FORMAT:
        raise ValueError("This snapshot was written by another version; publish the round again.")
    return Publication(
        answers=_engine_from(data["answers"]),
        comments=_engine_from(data["comments"]) if data["comments"] else None,
        invited=data["invited"],
        participation=tuple(GroupParticipation(*row) for row in data["participation"]),
    )


def _engine_data(engine: Engine) -> dict:
    # Hidden groups are dropped: a page shows them as hidden, and their numbers must not sit in the database.
    groups = [group for group in engine.tallies[Measure.count()] if group not in engine.hidden]
    hidden_comments = engine.hidden_comments - engine.hidden
    return {
        "space": [
            list(engine.space.attributes),
            list(engine.space.filterable),
            engine.space.max_filters,
            engine.space.max_breakdown,
        ],
        "k": engine.k,
        "comment_threshold": engine.comment_threshold,
        "values": {name: list(values) for name, values in engine.values.items()},
        "groups": [[list(pair) for pair in group] for group in groups],
        "measures": [_measure_dump(measure) for measure in engine.measures],
        "counts": {
            measure.base: [_hidden_zero(engine, measure, group)[0] for group in groups] for measure in engine.measures
        },
        "numerators": [[_hidden_zero(engine, measure, group)[1] for group in groups] for measure in engine.measures],
        "hidden_comments": sorted(position for position, group in enumerate(groups) if group in hidden_comments),
    }


def _hidden_zero(engine: Engine, measure: Measure, group) -> tuple[int, float]:
    if measure.comment_derived and group in engine.hidden_comments:
        return (0, 0.0)
    return engine.tallies[measure][group]


def _engine_from(data: dict) -> Engine:
    groups = [tuple(tuple(pair) for pair in group) for group in data["groups"]]
    measures = [_measure_load(item) for item in data["measures"]]
    shown = set(groups)
    tallies = {
        measure: _with_hidden(
            dict(zip(groups, zip(data["counts"][measure.base], numerators, strict=True), strict=True))
        )
        for measure, numerators in zip(measures, data["numerators"], strict=True)
    }
    attributes, filterable, max_filters, max_breakdown = data["space"]
    hidden = _HiddenOutside(shown)
    return engine_restore(
        space=QuerySpace(
            attributes=tuple(attributes),
            filterable=tuple(filterable),
            max_filters=max_filters,
            max_breakdown=max_breakdown,
        ),
        k=data["k"],
        comment_threshold=data["comment_threshold"],
        measures=measures,
        values={name: tuple(values) for name, values in data["values"].items()},
        tallies=tallies,
        hidden=hidden,
        hidden_comments=_HiddenOutside(shown - {groups[position] for position in data["hidden_comments"]}),
    )


class _with_hidden(dict):
    """Tallies of the shown groups; a hidden group reads as empty (its numbers were never stored)."""

    def __missing__(self, key):
        return (0, 0.0)


class _HiddenOutside:
    """Every group that is not among the shown ones: the hidden groups, answering ``in`` without listing them."""

    def __init__(self, shown) -> None:
        self.shown = frozenset(shown)

    def __contains__(self, group) -> bool:
        return group not in self.shown


def _measure_dump(measure: Measure) -> list:
    return [str(measure.kind), measure.field, sorted(measure.values), measure.comment_derived]


def _measure_load(item: list) -> Measure:
    kind, field, values, comment_derived = item
    return Measure(kind=Kind(kind), field=field, values=frozenset(values), comment_derived=comment_derived)


class _Decoded:
    """The last few publications this process decoded, by snapshot id and version."""

    def __init__(self) -> None:
        self._engines: OrderedDict[tuple, Publication] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, snapshot_id, version: int) -> Publication | None:
        with self._lock:
            engine = self._engines.get((snapshot_id, version))
            if engine is not None:
                self._engines.move_to_end((snapshot_id, version))
            return engine

    def put(self, snapshot_id, version: int, engine: Publication) -> None:
        with self._lock:
            self._engines[(snapshot_id, version)] = engine
            while len(self._engines) > DECODED_KEPT:
                self._engines.popitem(last=False)


_decoded = _Decoded()


def snapshot_engines(snapshots: list[ReportSnapshot]) -> dict:
    """Publications by snapshot id, reading the blobs this process has not decoded yet in one query."""
    engines = {snapshot.id: _decoded.get(snapshot.id, snapshot.version) for snapshot in snapshots}
    missing = [snapshot_id for snapshot_id, engine in engines.items() if engine is None]
    for snapshot_id, blob, version in ReportSnapshot.objects.filter(id__in=missing).values_list(
        "id", "engine", "version"
    ):
        engines[snapshot_id] = publication_load(blob)
        _decoded.put(snapshot_id, version, engines[snapshot_id])
    return engines


def snapshot_engine(snapshot: ReportSnapshot) -> Publication:
    """The snapshot's publication; ``snapshot`` may come with ``.defer("engine")``: the blob is read when needed."""
    engine = _decoded.get(snapshot.id, snapshot.version)
    if engine is None:
        blob, version = ReportSnapshot.objects.values_list("engine", "version").get(id=snapshot.id)
        engine = publication_load(blob)
        _decoded.put(snapshot.id, version, engine)
    return engine
