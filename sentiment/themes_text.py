"""Words of comments: one shared vocabulary, and the terms that name a theme (class-based TF-IDF).

Terms are unigrams and bigrams with English stop words removed. Redaction placeholders ([name],
[email], ...) are cut out before tokenizing, so they can never become a term.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

PLACEHOLDER = re.compile(r"\[(?:name|email|link|phone|handle)\]", re.IGNORECASE)
# What the tokenizer leaves of contractions ("don't" -> "don"), and filler that names nothing.
EXTRA_STOP_WORDS = frozenset(
    "don doesn didn isn aren wasn weren won wouldn shouldn couldn haven hasn ve ll re im ive just really".split()
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS)
# A word starts with a letter: numbers (ticket ids, room numbers) say nothing about a theme.
WORD = re.compile(r"\b[^\W\d_]\w+\b")
# Phrases never span a sentence, a clause or a placeholder.
PHRASE_BREAK = re.compile(r"[.,;:!?()\[\]\n\r\"]+|\s-\s")
MIN_DF = 2
MAX_FEATURES = 50_000
TERMS_PER_THEME = 8
# A term must come from at least this many comments of its theme before it can name it.
MIN_TERM_SUPPORT = 2
KEY_PREFIX = "t-"


@dataclass(frozen=True)
class Corpus:
    """Comment-term counts, once for the whole input: clustering, naming and seeds all read it."""

    counts: sparse.csr_matrix  # comments x terms (MIN_DF and MAX_FEATURES applied)
    terms: np.ndarray
    all_counts: sparse.csr_matrix  # comments x every term seen, for seed keywords used only once
    all_terms: np.ndarray


def text_terms(text: str) -> list[str]:
    """Unigrams and bigrams of a comment, stop words and placeholders left out."""
    terms = []
    for segment in PHRASE_BREAK.split(PLACEHOLDER.sub(".", text).lower()):
        words = [word for word in WORD.findall(segment) if word not in STOP_WORDS]
        terms += words
        terms += [f"{first} {second}" for first, second in itertools.pairwise(words)]
    return terms


def vectorizer(vocabulary: Sequence[str] | None = None) -> CountVectorizer:
    return CountVectorizer(analyzer=text_terms, vocabulary=vocabulary, dtype=np.float32)


def corpus_build(texts: Sequence[str]) -> Corpus:
    try:
        vec = vectorizer()
        all_counts = vec.fit_transform(texts).tocsr()
        all_terms = vec.get_feature_names_out()
    except ValueError:  # nothing but stop words and placeholders
        all_counts = sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        all_terms = np.array([], dtype=object)
    keep = _columns_keep(all_counts)
    return Corpus(all_counts[:, keep], all_terms[keep], all_counts, all_terms)


def _columns_keep(counts: sparse.csr_matrix) -> np.ndarray:
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    frequent = np.flatnonzero(document_frequency >= MIN_DF)
    if len(frequent) <= MAX_FEATURES:
        return frequent
    order = np.argsort(-document_frequency[frequent], kind="stable")
    return np.sort(frequent[order[:MAX_FEATURES]])


def class_counts(counts: sparse.csr_matrix, labels: np.ndarray, n_classes: int) -> sparse.csr_matrix:
    """How many comments of each class contain each term (classes x terms)."""
    present = counts.copy()
    present.data[:] = 1
    members = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))), shape=(n_classes, len(labels))
    )
    return (members @ present).tocsr()


def ctfidf(per_class: sparse.csr_matrix, class_sizes: np.ndarray) -> sparse.csr_matrix:
    """c-TF-IDF (Grootendorst, 2022): a term's share of a class times log(1 + average class mass / its mass)."""
    term_mass = np.asarray(per_class.sum(axis=0)).ravel()
    average_mass = per_class.sum() / max(per_class.shape[0], 1)
    idf = np.log1p(average_mass / np.maximum(term_mass, 1))
    share = sparse.diags(1.0 / np.maximum(class_sizes, 1)) @ per_class
    return (share @ sparse.diags(idf)).tocsr()


def top_terms(scores: sparse.csr_matrix, support: sparse.csr_matrix, row: int, terms: np.ndarray) -> tuple[str, ...]:
    """The class's most distinctive terms, skipping a term whose words the chosen ones already cover."""
    start, end = scores.indptr[row], scores.indptr[row + 1]
    columns, values = scores.indices[start:end], scores.data[start:end]
    supported = np.asarray(support[row, columns].todense()).ravel() >= MIN_TERM_SUPPORT
    columns, values = columns[supported], values[supported]
    chosen: list[str] = []
    for column in columns[np.lexsort((columns, -values))]:
        _term_add(chosen, terms[column])
        if len(chosen) == TERMS_PER_THEME:
            break
    return tuple(chosen)


def _term_add(chosen: list[str], term: str) -> None:
    """Add a term unless its words are already shown; a phrase takes the place of a word it contains."""
    words = term.split()
    if term_words(chosen).issuperset(words):
        return
    inside = [i for i, other in enumerate(chosen) if other in words]
    if inside:
        chosen[inside[0]] = term
        for i in reversed(inside[1:]):
            del chosen[i]
    else:
        chosen.append(term)


def name_from_terms(terms: Sequence[str]) -> str:
    return ", ".join(terms[:3])


def key_from_terms(terms: Sequence[str]) -> str:
    """Order-free, so that two rounds whose top two terms swap places still agree."""
    words = sorted({word for term in terms[:2] for word in term.split()})
    return KEY_PREFIX + "-".join(words)


def key_unique(key: str, taken: set[str]) -> str:
    candidate, suffix = key, 2
    while candidate in taken:
        candidate, suffix = f"{key}-{suffix}", suffix + 1
    return candidate


def term_words(terms: Sequence[str]) -> set[str]:
    return {word for term in terms for word in term.split()}
