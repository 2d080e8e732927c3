"""Candor's theme engine: cluster a set of comments into named themes, with an "other" bucket.

Pure Python over scikit-learn and SciPy; no models, no database. The pipeline:

1. ``corpus_build``: one count matrix of unigrams and bigrams (stop words and placeholders removed).
2. A backend turns comments into vectors (TF-IDF + LSA by default, sentence embeddings if installed).
3. ``partition``: Ward clustering, the number of clusters chosen by silhouette, outliers set aside.
4. Seeds: a cluster whose comments mostly use a seed's words takes the seed's key and name; clusters
   that match the same seed become one theme.
5. Other clusters are named by their most distinctive terms (c-TF-IDF), keyed by their top two terms.

What leaves this module is not yet fit for HR. In order:

    result = themes_build(texts)                                          # backend from CANDOR_THEMES_BACKEND
    result = themes_private(result, texts, respondents, min_respondents=2 * k)  # themes_privacy.py
    result = themes_carry_over(previous_round_themes, result)             # names kept across rounds
    sentiment = theme_sentiments(result, comment_scores)                  # mean of the caller's scores

``respondents`` holds one opaque id per comment (the response it came from); it is used to count
distinct people and is never returned.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from sentiment.themes_backends import Backend, backend_get
from sentiment.themes_partition import MAX_THEMES, MIN_THEME_SIZE, OTHER, partition
from sentiment.themes_seeds import SEEDS, Seed, seed_hits, seed_moves, seed_per_cluster
from sentiment.themes_text import (
    class_counts,
    corpus_build,
    ctfidf,
    key_from_terms,
    key_unique,
    name_from_terms,
    term_words,
    top_terms,
)

OTHER_KEY = "other"
OTHER_NAME = "other"
# Two unseeded themes from different rounds are the same theme when a third of their words are shared.
MATCH_MIN_OVERLAP = 1 / 3


@dataclass(frozen=True)
class Theme:
    id: int  # position in this result; OTHER (-1) for the "other" bucket
    key: str  # stable across rounds: the seed's key, or derived from the top terms
    name: str
    terms: tuple[str, ...]  # distinctive terms and phrases, one or two words each
    size: int  # comments
    seeded: bool = False
    respondents: int | None = None  # distinct respondents, set by themes_private

    @property
    def is_other(self) -> bool:
        return self.id == OTHER

    def as_dict(self) -> dict:
        return {**asdict(self), "terms": list(self.terms)}


@dataclass(frozen=True)
class Themes:
    themes: tuple[Theme, ...]  # largest first, "other" last
    assignments: tuple[int, ...]  # theme id per comment, in input order; OTHER for "other"
    backend: str
    k: int  # clusters cut before seeds merged and small clusters went to "other"

    def theme(self, theme_id: int) -> Theme:
        return next(theme for theme in self.themes if theme.id == theme_id)


def themes_build(
    texts: Sequence[str],
    *,
    k: int | None = None,
    backend: Backend | str | None = None,
    seeds: Sequence[Seed] = SEEDS,
    random_state: int = 0,
    max_themes: int = MAX_THEMES,
    min_theme_size: int = MIN_THEME_SIZE,
) -> Themes:
    """Themes of ``texts``; ``k`` fixes the number of clusters, otherwise it is chosen by silhouette."""
    backend = backend if backend is not None and not isinstance(backend, str) else backend_get(backend)
    texts = list(texts)
    corpus = corpus_build(texts)
    vectors = backend.vectors(texts, corpus, random_state=random_state)
    found = partition(
        vectors,
        k=k,
        random_state=random_state,
        max_themes=max_themes,
        min_size=min_theme_size,
        outlier_floor=backend.outlier_floor,
    )
    hits = seed_hits(corpus, seeds)
    groups, group_seeds = _groups_from_seeds(found.labels, seed_per_cluster(hits, found.labels, found.k))
    groups, group_seeds = seed_moves(groups, group_seeds, hits, min_theme_size)
    groups = _small_groups_drop(groups, min_theme_size)
    themes, assignments = _themes_name(corpus, groups, [seeds[i] if i is not None else None for i in group_seeds])
    return Themes(themes=themes, assignments=assignments, backend=backend.name, k=found.k)


def _groups_from_seeds(labels: np.ndarray, seed_of_cluster: list[int | None]) -> tuple[np.ndarray, list[int | None]]:
    """Clusters on the same seed's subject become one group; every other cluster is a group of its own."""
    group_of_cluster: dict[int, int] = {}
    group_seeds: list[int | None] = []
    group_of_seed: dict[int, int] = {}
    for cluster, seed in enumerate(seed_of_cluster):
        if seed is not None and seed in group_of_seed:
            group_of_cluster[cluster] = group_of_seed[seed]
            continue
        group_of_cluster[cluster] = len(group_seeds)
        group_seeds.append(seed)
        if seed is not None:
            group_of_seed[seed] = group_of_cluster[cluster]
    lookup = np.array([group_of_cluster[c] for c in range(len(seed_of_cluster))] + [OTHER])
    return lookup[labels], group_seeds


def _small_groups_drop(groups: np.ndarray, min_size: int) -> np.ndarray:
    sizes = np.bincount(groups[groups >= 0], minlength=1)
    return np.where((groups >= 0) & (sizes[np.maximum(groups, 0)] < min_size), OTHER, groups)


def _themes_name(corpus, groups: np.ndarray, group_seeds: list[Seed | None]) -> tuple[tuple[Theme, ...], tuple]:
    n_groups = len(group_seeds)
    classes = np.where(groups >= 0, groups, n_groups)  # "other" is a class too, for the idf
    per_class = class_counts(corpus.counts, classes, n_groups + 1)
    sizes = np.bincount(classes, minlength=n_groups + 1)
    scores = ctfidf(per_class, sizes)
    drafts = []
    for group, seed in enumerate(group_seeds):
        terms = top_terms(scores, per_class, group, corpus.terms)
        if sizes[group] and (seed is not None or terms):
            drafts.append((group, seed, terms))
    return _themes_number(drafts, groups, sizes)


def _themes_number(drafts: list, groups: np.ndarray, sizes: np.ndarray) -> tuple[tuple[Theme, ...], tuple]:
    """Ids by size, largest first; a group that could not be named goes to "other"."""
    drafts.sort(key=lambda draft: (-sizes[draft[0]], draft[0]))
    new_id = np.full(len(sizes), OTHER)
    themes, keys = [], set()
    for theme_id, (group, seed, terms) in enumerate(drafts):
        new_id[group] = theme_id
        key = seed.key if seed else key_unique(key_from_terms(terms), keys)
        keys.add(key)
        name = seed.name if seed else name_from_terms(terms)
        themes.append(Theme(theme_id, key, name, terms, int(sizes[group]), seeded=seed is not None))
    assignments = np.where(groups >= 0, new_id[np.maximum(groups, 0)], OTHER)
    themes.append(other_theme(int((assignments == OTHER).sum())))
    return tuple(themes), tuple(int(a) for a in assignments)


def other_theme(size: int, respondents: int | None = None) -> Theme:
    return Theme(OTHER, OTHER_KEY, OTHER_NAME, (), size, respondents=respondents)


def theme_match(
    previous: Sequence[Theme], new: Sequence[Theme], *, min_overlap: float = MATCH_MIN_OVERLAP
) -> dict[int, Theme]:
    """Map new theme ids to the earlier themes they continue.

    Same key first (seeds always keep theirs). Unseeded themes left over are paired one to one by the
    Jaccard overlap of their terms' words, best pairs first (Hungarian assignment), if at least
    ``min_overlap``. Centroids are not compared: TF-IDF spaces differ between rounds, and a centroid
    would carry more of the comments than HR may see.
    """
    previous = [theme for theme in previous if not theme.is_other]
    new = [theme for theme in new if not theme.is_other]
    by_key = {theme.key: theme for theme in previous}
    matched = {theme.id: by_key[theme.key] for theme in new if theme.key in by_key}
    taken = {theme.key for theme in matched.values()}
    old_open = [theme for theme in previous if theme.key not in taken and not theme.seeded]
    new_open = [theme for theme in new if theme.id not in matched and not theme.seeded]
    matched.update(_match_by_terms(old_open, new_open, min_overlap))
    return matched


def _match_by_terms(previous: list[Theme], new: list[Theme], min_overlap: float) -> dict[int, Theme]:
    if not previous or not new:
        return {}
    overlap = np.array([[_jaccard(term_words(n.terms), term_words(p.terms)) for p in previous] for n in new])
    rows, columns = linear_sum_assignment(-overlap)
    return {new[r].id: previous[c] for r, c in zip(rows, columns, strict=True) if overlap[r, c] >= min_overlap}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def themes_carry_over(previous: Sequence[Theme], result: Themes) -> Themes:
    """``result`` with each theme that continues an earlier one renamed to that theme's key and name."""
    matches = theme_match(previous, result.themes)
    themes = tuple(
        replace(theme, key=matches[theme.id].key, name=matches[theme.id].name) if theme.id in matches else theme
        for theme in result.themes
    )
    return replace(result, themes=themes)


def theme_sentiments(result: Themes, scores: Sequence[float | None]) -> Mapping[int, float | None]:
    """Mean score per theme id, from one score per comment (None for a comment without one)."""
    totals: dict[int, list[float]] = {theme.id: [] for theme in result.themes}
    for theme_id, score in zip(result.assignments, scores, strict=True):
        if score is not None:
            totals[theme_id].append(score)
    return {theme_id: (float(np.mean(values)) if values else None) for theme_id, values in totals.items()}
