"""Sentiment of comments with NLTK's VADER. (Refined with sentences and a domain layer later.)"""

from sentiment.lexicon import analyzer

NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05


def label(compound: float) -> str:
    if compound <= NEGATIVE_BELOW:
        return "negative"
    if compound >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def compound_score(text: str) -> float:
    return analyzer().polarity_scores(text)["compound"]
