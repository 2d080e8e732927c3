"""Sentiment of comments: NLTK's VADER per sentence and clause, with Candor's domain layer.

A comment is split into units (sentences, and clauses around "but", "although", ";" and the like; see
``sentiment.splitting``). Each unit is scored on its own, so "the tool is great but the leaderboard is
toxic" shows one positive and one negative unit.

The comment's compound adds the units' raw VADER valences and normalizes the sum once, exactly as VADER
does for the words of one sentence. Survey comments are tweet-length, the length of text VADER's compound
was validated on, so we keep its accumulation (three negative sentences weigh more than one) instead of
averaging, which the VADER authors suggest for long documents. What changes is scope: negation,
"but" and punctuation rules stay inside the sentence or clause they belong to, instead of a "but" in
the last sentence halving every sentence before it. VADER's contrast rule is kept across units: the
asserted side of a contrast counts 1.5 times and the conceded side 0.5 times (VADER's own factors for
"but"), for "however", "although", "while" and the others too.
"""

import string
from dataclasses import dataclass
from functools import cache

from nltk.sentiment.vader import SentimentIntensityAnalyzer, SentiText, VaderConstants

from sentiment import domain
from sentiment.lexicon import analyzer
from sentiment.splitting import ASSERTED, CONCEDED, PLAIN, split_units

# The one place for label thresholds: VADER's conventional cut-offs for its compound score (both
# inclusive: -0.05 is negative, 0.05 positive). Anything between is neutral.
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05

ROLE_WEIGHTS = {PLAIN: 1.0, ASSERTED: 1.5, CONCEDED: 0.5}
VADER = VaderConstants()
PUNC_SET = frozenset(VADER.PUNC_LIST)


@dataclass(frozen=True)
class SentenceScore:
    start: int
    end: int
    compound: float
    label: str


@dataclass(frozen=True)
class CommentScore:
    compound: float
    label: str
    sentences: list[SentenceScore]


class LinearSentiText(SentiText):
    """NLTK's SentiText with the same tokens, found in linear time.

    NLTK maps a punctuated token to its word through a dictionary of every word of the sentence joined
    with every punctuation mark, rebuilt for each sentence; that was most of the scoring time. A word in
    VADER's sense has no punctuation, so the punctuation NLTK strips is the token's whole leading or
    trailing run, and checking that run directly gives the same tokens (tests compare them on a corpus).
    """

    def _words_and_emoticons(self):
        words = {word for word in self.REGEX_REMOVE_PUNCTUATION.sub("", self.text).split() if len(word) > 1}
        return [_word_of(token, words) for token in self.text.split() if len(token) > 1]


def _word_of(token: str, words: set[str]) -> str:
    body = token.rstrip(string.punctuation)
    if body != token and token[len(body) :] in PUNC_SET and body in words:
        return body
    body = token.lstrip(string.punctuation)
    if body != token and token[: len(token) - len(body)] in PUNC_SET and body in words:
        return body
    return token


class CandorAnalyzer(SentimentIntensityAnalyzer):
    """Stock VADER plus the domain layer; also reports the raw valence sum so that units can be added up."""

    def __init__(self):
        super().__init__()
        self.lexicon.update(domain.lexicon_entries())

    def polarity_scores(self, text):
        return self._vader_polarity_scores(domain.rewrite(text))

    def _vader_polarity_scores(self, text):
        """NLTK 3.10's ``polarity_scores``, line for line, except that it tokenizes with LinearSentiText."""
        sentitext = LinearSentiText(text, self.constants.PUNC_LIST, self.constants.REGEX_REMOVE_PUNCTUATION)
        sentiments = []
        words_and_emoticons = sentitext.words_and_emoticons
        first_index = {}
        for index, token in enumerate(words_and_emoticons):
            first_index.setdefault(token, index)
        for item in words_and_emoticons:
            i = first_index[item]
            if (
                i < len(words_and_emoticons) - 1
                and item.lower() == "kind"
                and words_and_emoticons[i + 1].lower() == "of"
            ) or item.lower() in self.constants.BOOSTER_DICT:
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words_and_emoticons, sentiments)
        return self.score_valence(sentiments, text)

    def score_valence(self, sentiments, text):
        scores = super().score_valence(sentiments, text)
        scores["valence"] = self._emphasized_sum(sentiments, text)
        return scores

    def valence(self, text: str) -> float:
        return self.polarity_scores(text)["valence"]

    def _emphasized_sum(self, sentiments, text) -> float:
        total = float(sum(sentiments))
        emphasis = self._punctuation_emphasis(total, text)
        if total > 0:
            return total + emphasis
        if total < 0:
            return total - emphasis
        return 0.0


@cache
def candor_analyzer() -> CandorAnalyzer:
    """Built once per process; the stock analyzer stays untouched for comparison."""
    analyzer()  # puts the NLTK data folder on the path, or says how to install the lexicon
    return CandorAnalyzer()


def label(compound: float) -> str:
    if compound <= NEGATIVE_BELOW:
        return "negative"
    if compound >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def score_comment(text: str) -> CommentScore:
    scorer = candor_analyzer()
    units = split_units(text)
    valences = [scorer.valence(text[unit.body_start : unit.end]) for unit in units]
    sentences = [_sentence_score(unit.start, unit.end, valence) for unit, valence in zip(units, valences, strict=True)]
    total = sum(ROLE_WEIGHTS[unit.role] * valence for unit, valence in zip(units, valences, strict=True))
    compound = _compound(total)
    return CommentScore(compound=compound, label=label(compound), sentences=sentences)


def compound_score(text: str) -> float:
    return score_comment(text).compound


def _sentence_score(start: int, end: int, valence: float) -> SentenceScore:
    compound = _compound(valence)
    return SentenceScore(start=start, end=end, compound=compound, label=label(compound))


def _compound(valence: float) -> float:
    return round(VADER.normalize(valence), 4) if valence else 0.0
