"""The privacy step between the theme engine and anything HR sees (DESIGN.md, P3 and P5).

``themes_private`` takes the engine's output, the comments it came from and, for each comment, an
opaque id of its respondent, and returns themes in which:

- every theme has at least ``min_respondents`` distinct respondents; smaller ones join "other";
- every term or phrase was used in the theme's comments by at least ``min_respondents`` distinct
  respondents; rarer ones are dropped, so nobody's unusual wording is shown;
- an unseeded theme is renamed and re-keyed from its surviving terms only, and joins "other" if none
  survive (seed names are ours, not the comments', so seeded themes keep them);
- nothing but terms of at most three words, counts and per-comment theme ids is left: no sentence.

Respondent ids are used to count, never returned.
"""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy import sparse

from sentiment.themes import OTHER, Theme, Themes, other_theme
from sentiment.themes_text import key_from_terms, key_unique, name_from_terms, vectorizer

MAX_TERM_WORDS = 3


def themes_private(result: Themes, texts: Sequence[str], respondents: Sequence[str], *, min_respondents: int) -> Themes:
    if not len(texts) == len(respondents) == len(result.assignments):
        raise ValueError("themes_private needs one text and one respondent per assigned comment.")
    if min_respondents < 1:
        raise ValueError("min_respondents must be at least 1.")
    who = np.unique(np.asarray(respondents, dtype=str), return_inverse=True)[1]
    labels = np.asarray(result.assignments)
    labels = _small_themes_merge(labels, who, min_respondents)
    kept = _terms_by_respondents(result, labels, texts, who, min_respondents)
    themes, labels = _themes_rebuild(result, labels, who, kept)
    return replace(result, themes=themes, assignments=tuple(int(label) for label in labels))


def _respondents_per_theme(labels: np.ndarray, who: np.ndarray) -> dict[int, int]:
    pairs = np.unique(np.stack([labels, who]), axis=1)
    ids, counts = np.unique(pairs[0], return_counts=True)
    return dict(zip(ids.tolist(), counts.tolist(), strict=True))


def _small_themes_merge(labels: np.ndarray, who: np.ndarray, min_respondents: int) -> np.ndarray:
    counts = _respondents_per_theme(labels, who)
    small = [theme_id for theme_id, count in counts.items() if theme_id != OTHER and count < min_respondents]
    return np.where(np.isin(labels, small), OTHER, labels)


def _terms_by_respondents(
    result: Themes, labels: np.ndarray, texts: Sequence[str], who: np.ndarray, min_respondents: int
) -> dict[int, tuple[str, ...]]:
    """For each surviving theme, its terms used by at least ``min_respondents`` of its respondents."""
    live = [theme for theme in result.themes if not theme.is_other and np.any(labels == theme.id)]
    vocabulary = sorted({term for theme in live for term in theme.terms if len(term.split()) <= MAX_TERM_WORDS})
    if not vocabulary:
        return {theme.id: () for theme in live}
    present = vectorizer(vocabulary).transform(texts).tocsr()
    present.data[:] = 1
    column = {term: i for i, term in enumerate(vocabulary)}
    kept = {}
    for theme in live:
        rows = np.flatnonzero(labels == theme.id)
        by_respondent = sparse.csr_matrix((np.ones(len(rows)), (who[rows], np.arange(len(rows)))))
        users_per_term = np.asarray(((by_respondent @ present[rows]) > 0).sum(axis=0)).ravel()
        kept[theme.id] = tuple(
            term for term in theme.terms if term in column and users_per_term[column[term]] >= min_respondents
        )
    return kept


def _themes_rebuild(
    result: Themes, labels: np.ndarray, who: np.ndarray, kept: dict[int, tuple[str, ...]]
) -> tuple[tuple[Theme, ...], np.ndarray]:
    themes, keys = [], {theme.key for theme in result.themes if theme.seeded}
    for theme in result.themes:
        if theme.is_other or theme.id not in kept:
            continue
        terms = kept[theme.id]
        if not theme.seeded and not terms:
            labels = np.where(labels == theme.id, OTHER, labels)
            continue
        if not theme.seeded:
            theme = replace(theme, key=key_unique(key_from_terms(terms), keys), name=name_from_terms(terms))
            keys.add(theme.key)
        themes.append(replace(theme, terms=terms))
    counts = _respondents_per_theme(labels, who)
    sizes = {theme_id: int((labels == theme_id).sum()) for theme_id in counts}
    themes = [replace(theme, size=sizes[theme.id], respondents=counts[theme.id]) for theme in themes]
    themes.append(other_theme(sizes.get(OTHER, 0), respondents=counts.get(OTHER, 0)))
    return tuple(themes), labels
