"""Quality of Candor's sentiment scorer next to stock NLTK VADER, on VADER's own human-rated ground truth.

    .venv/bin/python bench/sentiment_quality.py [--data ../shared/data/vader_groundtruth]

For each corpus (tweets, movie reviews, Amazon reviews, NYT editorials): Pearson r between the compound
score and the mean human rating, and 3-class macro-F1 (a mean rating below -0.5 is negative, above 0.5
positive, else neutral; predictions use the label thresholds in sentiment/scoring.py). The domain layer
was written from the meaning of words, never tuned on these files; this script only guards against it
hurting general English: it FAILs (exit code 1) if Candor's r is more than 0.01 below stock on any corpus.

Needs the VADER lexicon in the test settings' NLTK folder (`make test`, or
`.venv/bin/python manage.py install_vader_lexicon --settings=config.settings.test`).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "vader_groundtruth"
CORPORA = {
    "tweets": ("tweets_GroundTruth.txt", 0.881),
    "movie": ("movieReviewSnippets_GroundTruth.txt", 0.451),
    "amazon": ("amazonReviewSnippets_GroundTruth.txt", 0.565),
    "nyt": ("nytEditorialSnippets_GroundTruth.txt", 0.492),
}
LABELS = ("negative", "neutral", "positive")
HUMAN_NEUTRAL_BAND = 0.5
MAX_R_DROP = 0.01

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from sentiment.lexicon import analyzer  # noqa: E402
from sentiment.scoring import compound_score, label  # noqa: E402


@dataclass(frozen=True)
class Row:
    rating: float
    text: str


@dataclass(frozen=True)
class Result:
    r: float
    macro_f1: float
    seconds: float


def rows_read(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.strip():
            _id, rating, text = line.split("\t", 2)
            rows.append(Row(float(rating), text))
    return rows


def human_label(rating: float) -> str:
    if rating < -HUMAN_NEUTRAL_BAND:
        return "negative"
    if rating > HUMAN_NEUTRAL_BAND:
        return "positive"
    return "neutral"


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for name in LABELS:
        true_positive = sum(g == name and p == name for g, p in zip(gold, predicted, strict=True))
        predicted_count, gold_count = predicted.count(name), gold.count(name)
        if true_positive == 0:
            scores.append(0.0)
            continue
        precision, recall = true_positive / predicted_count, true_positive / gold_count
        scores.append(2 * precision * recall / (precision + recall))
    return sum(scores) / len(scores)


def evaluate(rows: list[Row], score: Callable[[str], float]) -> Result:
    started = time.perf_counter()
    compounds = [score(row.text) for row in rows]
    seconds = time.perf_counter() - started
    ratings = [row.rating for row in rows]
    gold = [human_label(rating) for rating in ratings]
    return Result(statistics.correlation(compounds, ratings), macro_f1(gold, [label(c) for c in compounds]), seconds)


def stock_score(text: str) -> float:
    return analyzer().polarity_scores(text)["compound"]


def report(data: Path) -> bool:
    print(f"VADER ground truth from {data}")
    print(f"{'corpus':8} {'n':>6} | {'r published':>11} {'r stock':>8} {'r candor':>8} {'diff':>7} |", end="")
    print(f" {'F1 stock':>8} {'F1 candor':>9} {'diff':>7} | {'stock/s':>8} {'candor/s':>8}")
    stock_score(""), compound_score("")  # load both analyzers before timing
    passed = True
    for name, (filename, published) in CORPORA.items():
        rows = rows_read(data / filename)
        stock, candor = evaluate(rows, stock_score), evaluate(rows, compound_score)
        passed &= candor.r >= stock.r - MAX_R_DROP
        print(
            f"{name:8} {len(rows):>6} | {published:>11.3f}"
            f" {stock.r:>8.3f} {candor.r:>8.3f} {candor.r - stock.r:>+7.3f} |"
            f" {stock.macro_f1:>8.3f} {candor.macro_f1:>9.3f} {candor.macro_f1 - stock.macro_f1:>+7.3f} |"
            f" {len(rows) / stock.seconds:>8.0f} {len(rows) / candor.seconds:>8.0f}"
        )
    print("r published: Hutto & Gilbert (2014), VADER's compound against the mean human rating.")
    outcome = f"at most {MAX_R_DROP} below stock VADER on every corpus" if passed else f"more than {MAX_R_DROP} below"
    print(f"{'PASS' if passed else 'FAIL'}: Candor's Pearson r is {outcome}" + ("" if passed else " on some corpus"))
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the *_GroundTruth.txt files")
    arguments = parser.parse_args()
    if not arguments.data.is_dir():
        print(f"No ground-truth folder at {arguments.data}; pass --data DIR.", file=sys.stderr)
        return 2
    return 0 if report(arguments.data) else 1


if __name__ == "__main__":
    sys.exit(main())
