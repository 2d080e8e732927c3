"""Split comment vectors into clusters, choosing how many, and set aside the ones that fit nowhere.

Method: Ward agglomerative clustering of a random sample (all comments when there are few), then every
comment joins the nearest cluster centroid by cosine similarity. One tree gives every possible k at
once, so choosing k costs a cut and a silhouette per candidate rather than a clustering per candidate;
assigning the rest is O(n * k), which keeps large inputs linear in n without k-means iterations.

Choosing k: the mean silhouette (Rousseeuw, 1987) of each cut k = 2 .. min(max_themes, sqrt(n)), on a
sub-sample with one precomputed distance matrix. Silhouette often keeps creeping up with k on real
text, so the one-standard-error rule (as in the gap statistic of Tibshirani et al., 2001) takes the
fewest clusters whose silhouette is within one standard error of the best. The sqrt(n) ceiling is the
usual upper bound for the search (a theme then averages at least sqrt(n) comments).

Outliers ("other"): a comment with an empty vector; a comment whose cosine similarity to its cluster's
centroid is below the backend's floor (it shares next to nothing with the theme); every comment of a
cluster smaller than min_size.
"""

from dataclasses import dataclass
from math import isqrt

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import pairwise_distances, silhouette_samples

TREE_SAMPLE = 6000
SILHOUETTE_SAMPLE = 3000
MAX_THEMES = 100
MIN_THEME_SIZE = 3
ASSIGN_CHUNK = 20_000
OTHER = -1


@dataclass(frozen=True)
class Partition:
    labels: np.ndarray  # cluster per comment, OTHER for outliers and empty comments
    nearest: np.ndarray  # cluster per comment before the outlier rules (OTHER only for empty comments)
    k: int  # number of clusters cut from the tree


def partition(
    vectors: np.ndarray,
    *,
    k: int | None = None,
    random_state: int = 0,
    max_themes: int = MAX_THEMES,
    min_size: int = MIN_THEME_SIZE,
    outlier_floor: float = 0.0,
) -> Partition:
    filled = np.flatnonzero(np.abs(vectors).sum(axis=1) > 0)
    nearest = np.full(len(vectors), OTHER)
    if len(filled) < 2:
        nearest[filled] = 0
        return _outliers_apply(vectors, nearest, len(filled), min_size, outlier_floor)
    rng = np.random.RandomState(random_state)
    sample = np.sort(rng.choice(filled, min(len(filled), TREE_SAMPLE), replace=False))
    tree = linkage(vectors[sample].astype(np.float64), method="ward")
    if k is None:
        k = k_choose(tree, vectors[sample], rng, k_max=min(max_themes, isqrt(len(filled))))
    k = max(1, min(k, len(sample)))
    sample_labels = fcluster(tree, k, criterion="maxclust") - 1
    centroids = _centroids(vectors[sample], sample_labels, k)
    nearest[filled] = _nearest(vectors[filled], centroids)
    nearest[sample] = sample_labels
    return _outliers_apply(vectors, nearest, k, min_size, outlier_floor)


def k_choose(tree: np.ndarray, sample_vectors: np.ndarray, rng: np.random.RandomState, *, k_max: int) -> int:
    size = min(len(sample_vectors), SILHOUETTE_SAMPLE)
    subset = np.sort(rng.choice(len(sample_vectors), size, replace=False))
    distances = pairwise_distances(sample_vectors[subset].astype(np.float64)).astype(np.float32)
    np.fill_diagonal(distances, 0)
    scores = {}
    for k in range(2, min(k_max, size - 1) + 1):
        labels = fcluster(tree, k, criterion="maxclust")[subset]
        if len(np.unique(labels)) < 2:
            continue
        values = silhouette_samples(distances, labels, metric="precomputed")
        scores[k] = (values.mean(), values.std(ddof=1) / np.sqrt(size))
    if not scores:
        return 1
    best_mean, best_error = max(scores.values(), key=lambda score: score[0])
    return min(k for k, (mean, _) in scores.items() if mean >= best_mean - best_error)


def _centroids(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).astype(np.float32)


def _nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    starts = range(0, len(vectors), ASSIGN_CHUNK)
    return np.concatenate([np.argmax(vectors[i : i + ASSIGN_CHUNK] @ centroids.T, axis=1) for i in starts])


def _outliers_apply(vectors: np.ndarray, nearest: np.ndarray, k: int, min_size: int, floor: float) -> Partition:
    labels = nearest.copy()
    filled = nearest >= 0
    if filled.any():
        centroids = _centroids(vectors[filled], nearest[filled], k)
        similarity = np.zeros(len(vectors), dtype=np.float32)
        similarity[filled] = np.einsum("ij,ij->i", vectors[filled], centroids[nearest[filled]])
        labels[filled & (similarity < floor)] = OTHER
    sizes = np.bincount(labels[labels >= 0], minlength=max(k, 1))
    labels[(labels >= 0) & (sizes[np.maximum(labels, 0)] < min_size)] = OTHER
    return Partition(labels=labels, nearest=nearest, k=k)
