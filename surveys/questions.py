"""The question library: kinds, scale labels, and the default "AI tools and mandates" set."""

from django.db import transaction

from surveys.models import Question

Kind = Question.Kind
Indicator = Question.Indicator

LIKERT_LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
FREQUENCY_LABELS = ["Never", "Rarely", "Sometimes", "Often", "Very often"]
USAGE_LABELS = ["Never", "A few times a month", "Weekly", "Daily", "Several times a day"]
SCALE_KINDS = {Kind.LIKERT, Kind.FREQUENCY}
TEXT_MAX_LENGTH = 4000

DEFAULT_LIBRARY = [
    ("How often do you use AI tools in your work?", Kind.FREQUENCY, USAGE_LABELS, Indicator.USAGE),
    ("AI tools make me more productive.", Kind.LIKERT, [], Indicator.PRODUCTIVITY),
    ("The AI tools I am given are good enough for my work.", Kind.LIKERT, [], Indicator.TOOL_QUALITY),
    ("I feel pressure to use AI tools even when they don't help.", Kind.LIKERT, [], Indicator.PRESSURE),
    (
        "I have used AI tools mainly to show usage or to meet a target.",
        Kind.FREQUENCY,
        FREQUENCY_LABELS,
        Indicator.USAGE_THEATRE,
    ),
    ("I believe my AI usage is monitored and affects how I am evaluated.", Kind.LIKERT, [], Indicator.MONITORING),
    ("I have had enough guidance on when and how to use AI tools well.", Kind.LIKERT, [], Indicator.GUIDANCE),
    ("I worry that AI will make my job less secure.", Kind.LIKERT, [], Indicator.JOB_SECURITY),
    ("How likely are you to recommend our AI tools to a colleague?", Kind.RECOMMEND, [], Indicator.NPS),
    ("What is one thing about AI tools or AI policies here that you would change?", Kind.TEXT, [], Indicator.NONE),
    ("Anything else you want leadership to hear?", Kind.TEXT, [], Indicator.NONE),
]


def scale_labels(kind: str, choices: list[str]) -> list[str]:
    """The labels of a 1–5 scale, lowest first."""
    if kind == Kind.LIKERT:
        return choices or LIKERT_LABELS
    return choices or FREQUENCY_LABELS


def answer_range(kind: str, choices: list[str]) -> range | None:
    """Allowed numeric values for a question, or None for free text and several-choice questions."""
    if kind in SCALE_KINDS:
        return range(1, 6)
    if kind == Kind.RECOMMEND:
        return range(0, 11)
    if kind == Kind.SINGLE:
        return range(len(choices))
    return None


@transaction.atomic
def question_library_seed() -> int:
    """Add the default questions that the library does not have yet (matched by text)."""
    existing = set(Question.objects.values_list("text", flat=True))
    added = 0
    for position, (text, kind, choices, indicator) in enumerate(DEFAULT_LIBRARY):
        if text in existing:
            continue
        Question.objects.create(
            text=text, kind=kind, choices=choices, indicator=indicator, position=position, required=False
        )
        added += 1
    return added
