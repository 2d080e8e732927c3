"""Quality of the theme engine's clustering on banking77: NMI and ARI against 77 human-labelled intents.

    .venv/bin/python bench/themes_quality.py [--data PATH] [--backends tfidf,embeddings] [--random-state 0]

For each available backend, the engine's own steps run on every text: the shared term counts, the
backend's vectors, then ``partition`` with k given (the number of labels) and with k chosen by the
engine (silhouette with the one-standard-error rule over 2 .. min(100, sqrt(n))). Nothing here is
tuned to these labels.

Scoring is explicit about the "other" bucket: the headline NMI/ARI put every text in its nearest
cluster (``Partition.nearest``: outliers join the cluster whose centroid is closest); the last columns
count the outliers the engine would set aside and score with them as one extra "other" cluster.
Seeds and naming are not involved: they do not change which comments cluster together here.
"""

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from sentiment.themes_backends import EmbeddingsBackend, TfidfBackend, embeddings_installed  # noqa: E402
from sentiment.themes_partition import partition  # noqa: E402
from sentiment.themes_text import corpus_build  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "banking77" / "train.csv"


def rows_read(path: Path) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["category"] for row in rows]


def backends_get(names: str | None) -> list:
    available = [TfidfBackend()] + ([EmbeddingsBackend()] if embeddings_installed() else [])
    if names is None:
        return available
    chosen = [backend for backend in available if backend.name in names.split(",")]
    missing = set(names.split(",")) - {backend.name for backend in chosen}
    if missing:
        sys.exit(f"not available: {', '.join(sorted(missing))} (pip install -r requirements-embeddings.txt)")
    return chosen


def backend_score(backend, texts: list[str], labels: list[str], random_state: int) -> list[dict]:
    start = time.perf_counter()
    vectors = backend.vectors(texts, corpus_build(texts), random_state=random_state)
    vector_seconds = time.perf_counter() - start
    rows = []
    for mode, k in (("given", len(set(labels))), ("chosen", None)):
        start = time.perf_counter()
        found = partition(vectors, k=k, random_state=random_state, outlier_floor=backend.outlier_floor)
        rows.append(
            _row(backend.name, mode, found, labels, vector_seconds, time.perf_counter() - start),
        )
    return rows


def _row(backend: str, mode: str, found, labels: list[str], vector_seconds: float, cluster_seconds: float) -> dict:
    return {
        "backend": backend,
        "k": f"{found.k} {mode}",
        "nmi": normalized_mutual_info_score(labels, found.nearest),
        "ari": adjusted_rand_score(labels, found.nearest),
        "other": (found.labels == -1).mean(),
        "nmi_other": normalized_mutual_info_score(labels, found.labels),
        "ari_other": adjusted_rand_score(labels, found.labels),
        "vector_seconds": vector_seconds,
        "cluster_seconds": cluster_seconds,
    }


def table_print(rows: list[dict]) -> None:
    print(
        "| backend | k | NMI | ARI | other | NMI, other as a cluster | ARI, other as a cluster "
        "| s vectors | s cluster |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['backend']} | {r['k']} | {r['nmi']:.3f} | {r['ari']:.3f} | {r['other']:.1%} | {r['nmi_other']:.3f} "
            f"| {r['ari_other']:.3f} | {r['vector_seconds']:.1f} | {r['cluster_seconds']:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--backends", help="comma-separated: tfidf,embeddings (default: all installed)")
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    texts, labels = rows_read(args.data)
    print(f"{args.data}: {len(texts):,} texts, {len(set(labels))} labels")
    rows = []
    for backend in backends_get(args.backends):
        rows += backend_score(backend, texts, labels, args.random_state)
    table_print(rows)


if __name__ == "__main__":
    main()
