"""Comments scored per second end to end, next to the bare NLTK VADER loop over the same sentences.

    .venv/bin/python bench/sentiment_throughput.py [--comments 6000]

End to end means the Celery task as the worker runs it (``comments_score.apply``): read the comments
from the database, split, score with the domain layer, write compound, label and unit offsets back.
The baseline is stock VADER's ``polarity_scores`` on each sentence of the same comments, in the same run,
with nothing else. Uses DATABASE_URL when set (PostgreSQL), else an SQLite file; a throwaway test
database either way. The target ratio is at least 0.5.
"""

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench.submit import COMMENT_OPENINGS, COMMENT_SENTENCES  # noqa: E402
from sentiment.lexicon import analyzer  # noqa: E402
from sentiment.splitting import split_units  # noqa: E402

TARGET_RATIO = 0.5
CHUNK = 500


def comments_generate(count: int, rng: random.Random) -> list[str]:
    texts = []
    for _ in range(count):
        sentences = rng.sample(COMMENT_SENTENCES, k=rng.randint(1, 3))
        texts.append(" ".join(f"{rng.choice(COMMENT_OPENINGS)} {sentence}." for sentence in sentences))
    return texts


def bare_vader_seconds(texts: list[str]) -> float:
    stock = analyzer()
    sentences = [text[unit.start : unit.end] for text in texts for unit in split_units(text)]
    started = time.perf_counter()
    for sentence in sentences:
        stock.polarity_scores(sentence)
    return time.perf_counter() - started


def end_to_end_seconds(texts: list[str]) -> float:
    from feedback.models import Comment, Response
    from sentiment.tasks import comments_score

    response = Response.objects.create(stream="round", released_on=date.today(), receipt_hash="b" * 64)
    comments = Comment.objects.bulk_create([Comment(response=response, text=text) for text in texts])
    ids = [str(comment.id) for comment in comments]
    started = time.perf_counter()
    for start in range(0, len(ids), CHUNK):
        comments_score.apply(args=[ids[start : start + CHUNK]], throw=True)
    seconds = time.perf_counter() - started
    if Comment.objects.filter(compound__isnull=True).exists():
        raise SystemExit("some comments were not scored")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=6000)
    args = parser.parse_args()
    texts = comments_generate(args.comments, random.Random(11))

    from django.db import connection

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        analyzer()
        bare_vader_seconds(texts[:200])  # warm both paths: lexicons load once per process
        bare = bare_vader_seconds(texts)
        full = end_to_end_seconds(texts)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    ratio = bare / full
    print(f"database: {connection.vendor}, comments: {len(texts)}, cores: {os.cpu_count()}")
    print(f"bare NLTK VADER over the same sentences: {len(texts) / bare:8.0f} comments/s")
    print(f"end to end (task, read, score, write):   {len(texts) / full:8.0f} comments/s")
    print(f"ratio end to end / bare: {ratio:.2f} (target >= {TARGET_RATIO})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
