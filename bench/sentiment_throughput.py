"""Comments scored per second by the publication's inline scoring, next to the bare NLTK VADER loop.

    .venv/bin/python bench/sentiment_throughput.py [--comments 6000]

The publication (reports.pipeline) scores every comment as it writes the round's responses, with
``reports.pipeline._comment_score``: split into sentences, score each with the domain layer, weigh them into the
comment's compound and label, and keep each sentence's offsets and score. This times that function over generated
workplace comments. The baseline is stock VADER's ``polarity_scores`` on each sentence of the same comments, in the
same run, with nothing else. No database: the scoring is pure computation (the rows are written in bulk with the
responses, timed by bench/reports.py as part of the publication). The target ratio is at least 0.5.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.submit import COMMENT_OPENINGS, COMMENT_SENTENCES  # noqa: E402

TARGET_RATIO = 0.5


def comments_generate(count: int, rng: random.Random) -> list[str]:
    texts = []
    for _ in range(count):
        sentences = rng.sample(COMMENT_SENTENCES, k=rng.randint(1, 3))
        texts.append(" ".join(f"{rng.choice(COMMENT_OPENINGS)} {sentence}." for sentence in sentences))
    return texts


def bare_vader_seconds(texts: list[str]) -> float:
    from sentiment.lexicon import analyzer
    from sentiment.splitting import split_units

    stock = analyzer()
    sentences = [text[unit.start : unit.end] for text in texts for unit in split_units(text)]
    started = time.perf_counter()
    for sentence in sentences:
        stock.polarity_scores(sentence)
    return time.perf_counter() - started


def pipeline_seconds(texts: list[str]) -> float:
    from reports.pipeline import _comment_score

    started = time.perf_counter()
    scores = [_comment_score(text) for text in texts]
    seconds = time.perf_counter() - started
    if any(score["compound"] is None or not score["sentences"] for score in scores):
        raise SystemExit("some comments were not scored")
    return seconds


def django_configure(nltk_dir: Path) -> None:
    """The test settings (no server needed), the lexicon installed from the wheel into a folder of this run's."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["NLTK_DATA"] = str(nltk_dir)
    import django

    django.setup()
    from sentiment.lexicon import lexicon_install

    lexicon_install(nltk_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=6000)
    args = parser.parse_args()
    texts = comments_generate(args.comments, random.Random(11))
    with tempfile.TemporaryDirectory(prefix="candor-bench-sentiment-") as nltk_dir:
        django_configure(Path(nltk_dir))
        # Warm both paths: lexicons load once per process.
        bare_vader_seconds(texts[:200])
        pipeline_seconds(texts[:200])
        bare = bare_vader_seconds(texts)
        inline = pipeline_seconds(texts)

    ratio = bare / inline
    print(f"comments: {len(texts)}, cores: {len(os.sched_getaffinity(0))}")
    print(f"bare NLTK VADER over the same sentences:                {len(texts) / bare:8.0f} comments/s")
    print(f"publication's inline scoring (pipeline._comment_score): {len(texts) / inline:8.0f} comments/s")
    print(f"ratio inline / bare: {ratio:.2f} (target >= {TARGET_RATIO})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
