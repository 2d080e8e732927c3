"""Which measures a round's report shows, question by question and theme by theme.

Every measure here goes into the round's engine, so the pattern that protects it is decided once, at build time.
Measures of one question share a base (the people who answered it); a theme's measures share the base of the
people whose comments fall in that theme.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.disclosure_data import Measure
from surveys.models import Question, RoundQuestion
from surveys.questions import scale_labels

Kind = Question.Kind
SCALE_KINDS = (Kind.LIKERT, Kind.FREQUENCY)
HIGH_ANSWERS = frozenset({4, 5})
NPS_GROUPS = (("Detractors (0–6)", range(0, 7)), ("Passives (7–8)", range(7, 9)), ("Promoters (9–10)", range(9, 11)))
SENTIMENTS = (("Negative", -1), ("Neutral", 0), ("Positive", 1))
# Of a person's comments in one theme, the mean compound score sorted into three.
SENTIMENT_CUT = 0.05


@dataclass(frozen=True)
class Option:
    label: str
    measure: Measure


@dataclass(frozen=True)
class Headline:
    """The one number that sums a question up: the share agreeing, the share often or always, or the NPS."""

    label: str
    measure: Measure
    unit: str  # "%" for shares (shown ×100), "" for the NPS


def question_field(question_id) -> str:
    return f"q:{question_id}"


def theme_field(key: str) -> str:
    return f"theme:{key}"


def question_options(question: RoundQuestion) -> list[Option]:
    """A question's distribution: one share per answer (or per NPS group, or per ticked option)."""
    field = question_field(question.id)
    if question.kind in SCALE_KINDS:
        labels = scale_labels(question.kind, question.choices)
        return [Option(label, Measure.share(field, {value})) for value, label in enumerate(labels, start=1)]
    if question.kind == Kind.RECOMMEND:
        return [Option(label, Measure.share(field, set(values))) for label, values in NPS_GROUPS]
    if question.kind == Kind.SINGLE:
        return [Option(label, Measure.share(field, {index})) for index, label in enumerate(question.choices)]
    if question.kind == Kind.MULTIPLE:
        return [Option(label, Measure.chosen(field, index)) for index, label in enumerate(question.choices)]
    return []


def question_headline(question: RoundQuestion) -> Headline | None:
    field = question_field(question.id)
    if question.kind == Kind.RECOMMEND:
        return Headline("Net promoter score", Measure.nps(field), unit="")
    if question.kind in SCALE_KINDS:
        high = " or ".join(label.lower() for label in scale_labels(question.kind, question.choices)[3:])
        return Headline(f"Share answering {high}", _high(field), unit="%")
    return None


def _high(field: str) -> Measure:
    return Measure.share(field, HIGH_ANSWERS)


def question_measures(question: RoundQuestion) -> list[Measure]:
    headline = question_headline(question)
    measures = [option.measure for option in question_options(question)]
    if question.kind in SCALE_KINDS:
        measures.append(Measure.mean(question_field(question.id)))
    return measures + ([headline.measure] if headline else [])


def theme_people(key: str) -> Measure:
    return Measure.count(field=theme_field(key), comment_derived=True)


def theme_sentiments(key: str) -> list[Option]:
    field = theme_field(key)
    return [Option(label, Measure.share(field, {value}, comment_derived=True)) for label, value in SENTIMENTS]


def theme_measures(key: str) -> list[Measure]:
    return [theme_people(key), *(option.measure for option in theme_sentiments(key))]


def sentiment_of(compounds: list[float]) -> int:
    mean = sum(compounds) / len(compounds)
    return -1 if mean <= -SENTIMENT_CUT else 1 if mean >= SENTIMENT_CUT else 0
