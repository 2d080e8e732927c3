"""Keeping a built engine: compact JSON in the database, decoded once per process and version.

Groups are listed once; each base's counts and each measure's numerators are arrays in the groups' order, so a
round with thousands of groups and dozens of measures stays a few hundred kilobytes compressed.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict

from reports.disclosure import Engine, QuerySpace, engine_restore
from reports.disclosure_data import Kind, Measure
from reports.models import ReportSnapshot

FORMAT = 1
DECODED_KEPT = 16


def engine_dump(engine: Engine) -> bytes:
    groups = list(engine.tallies[Measure.count()])
    index = {group: position for position, group in enumerate(groups)}
    data = {
        "format": FORMAT,
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
            measure.base: [engine.tallies[measure][group][0] for group in groups] for measure in engine.measures
        },
        "numerators": [[engine.tallies[measure][group][1] for group in groups] for measure in engine.measures],
        "hidden": sorted(index[group] for group in engine.hidden),
        "hidden_comments": sorted(index[group] for group in engine.hidden_comments),
    }
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), level=6)


def engine_load(blob: bytes) -> Engine:
    data = json.loads(zlib.decompress(bytes(blob)))
    if data["format"] != FORMAT:
        raise ValueError("This snapshot was written by another version; rebuild it.")
    groups = [tuple(tuple(pair) for pair in group) for group in data["groups"]]
    measures = [_measure_load(item) for item in data["measures"]]
    tallies = {
        measure: dict(zip(groups, zip(data["counts"][measure.base], numerators, strict=True), strict=True))
        for measure, numerators in zip(measures, data["numerators"], strict=True)
    }
    attributes, filterable, max_filters, max_breakdown = data["space"]
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
        hidden=frozenset(groups[position] for position in data["hidden"]),
        hidden_comments=frozenset(groups[position] for position in data["hidden_comments"]),
    )


def _measure_dump(measure: Measure) -> list:
    return [str(measure.kind), measure.field, sorted(measure.values), measure.comment_derived]


def _measure_load(item: list) -> Measure:
    kind, field, values, comment_derived = item
    return Measure(kind=Kind(kind), field=field, values=frozenset(values), comment_derived=comment_derived)


class _Decoded:
    """The last few engines this process decoded, by snapshot id and version."""

    def __init__(self) -> None:
        self._engines: OrderedDict[tuple, Engine] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, snapshot_id, version: int) -> Engine | None:
        with self._lock:
            engine = self._engines.get((snapshot_id, version))
            if engine is not None:
                self._engines.move_to_end((snapshot_id, version))
            return engine

    def put(self, snapshot_id, version: int, engine: Engine) -> None:
        with self._lock:
            self._engines[(snapshot_id, version)] = engine
            while len(self._engines) > DECODED_KEPT:
                self._engines.popitem(last=False)


_decoded = _Decoded()


def snapshot_engines(snapshots: list[ReportSnapshot]) -> dict:
    """Engines by snapshot id, reading the blobs this process has not decoded yet in one query."""
    engines = {snapshot.id: _decoded.get(snapshot.id, snapshot.version) for snapshot in snapshots}
    missing = [snapshot_id for snapshot_id, engine in engines.items() if engine is None]
    for snapshot_id, blob, version in ReportSnapshot.objects.filter(id__in=missing).values_list(
        "id", "engine", "version"
    ):
        engines[snapshot_id] = engine_load(blob)
        _decoded.put(snapshot_id, version, engines[snapshot_id])
    return engines


def snapshot_engine(snapshot: ReportSnapshot) -> Engine:
    """The snapshot's engine; ``snapshot`` may come with ``.defer("engine")``: the blob is read only when needed."""
    engine = _decoded.get(snapshot.id, snapshot.version)
    if engine is None:
        blob, version = ReportSnapshot.objects.values_list("engine", "version").get(id=snapshot.id)
        engine = engine_load(blob)
        _decoded.put(snapshot.id, version, engine)
    return engine
