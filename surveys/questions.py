"""The question library: kinds, scale labels, and the default "AI tools and mandates" set."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

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


# --- the library as admins edit it --------------------------------------------------------

CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE}
FIXED_KINDS = {Kind.RECOMMEND, Kind.TEXT}
MIN_CHOICES = 2
MAX_CHOICES = 20
CHOICE_MAX_LENGTH = 200
SCALE_SIZE = 5


def choices_clean(kind: str, choices: list[str]) -> list[str]:
    """The choices to store for a question of this kind, or ValidationError saying what is wrong."""
    choices = [str(choice).strip() for choice in choices]
    if kind in FIXED_KINDS:
        if choices:
            raise ValidationError(f"{Kind(kind).label} questions have fixed answers: leave the choices empty.")
        return []
    if kind in SCALE_KINDS:
        return _scale_choices_clean(kind, choices)
    if kind in CHOICE_KINDS:
        _labels_check(choices)
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            raise ValidationError(
                f"Give between {MIN_CHOICES} and {MAX_CHOICES} choices, one per line (you gave {len(choices)})."
            )
        return choices
    raise ValidationError(f"Unknown kind of question: {kind!r}.")


def _scale_choices_clean(kind: str, choices: list[str]) -> list[str]:
    if not choices:
        # Likert keeps [] so the standard agree–disagree labels apply; frequency stores its labels.
        return [] if kind == Kind.LIKERT else list(FREQUENCY_LABELS)
    _labels_check(choices)
    if len(choices) != SCALE_SIZE:
        raise ValidationError(
            f"A 1–5 scale needs exactly {SCALE_SIZE} labels, lowest first (you gave {len(choices)}), "
            "or none for the standard labels."
        )
    return choices


def _labels_check(choices: list[str]) -> None:
    if any(not choice for choice in choices):
        raise ValidationError("Every choice needs some text: remove the empty ones.")
    too_long = [choice for choice in choices if len(choice) > CHOICE_MAX_LENGTH]
    if too_long:
        raise ValidationError(f"Keep each choice under {CHOICE_MAX_LENGTH} characters.")
    seen: set[str] = set()
    for choice in choices:
        if choice.casefold() in seen:
            raise ValidationError(f"“{choice}” is listed twice: each choice must be different.")
        seen.add(choice.casefold())


def _text_clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the question."})
    return text


def question_create(
    *, text: str, kind: str, choices: Sequence[str] = (), required: bool = False, indicator: str = ""
) -> Question:
    """Add a question at the end of the library."""
    text = _text_clean(text)
    choices = _choices_for_field(kind, list(choices))
    last = Question.objects.aggregate(last=Max("position"))["last"]
    return Question.objects.create(
        text=text,
        kind=kind,
        choices=choices,
        required=required,
        indicator=indicator,
        position=0 if last is None else last + 1,
    )


def question_update(
    question: Question, *, text: str, kind: str, choices: Sequence[str], required: bool, indicator: str
) -> Question:
    """Change a library question. Rounds keep the copy they took, so this never changes a round."""
    question.text = _text_clean(text)
    question.choices = _choices_for_field(kind, list(choices))
    question.kind = kind
    question.required = required
    question.indicator = indicator
    question.save(update_fields=["text", "kind", "choices", "required", "indicator"])
    return question


def _choices_for_field(kind: str, choices: list[str]) -> list[str]:
    try:
        return choices_clean(kind, choices)
    except ValidationError as error:
        raise ValidationError({"choices": error.messages}) from None


@transaction.atomic
def question_move(question: Question, direction: str) -> bool:
    """Swap a question with its neighbour among the questions in use. False when it is already at that end.

    Positions are renumbered 0..n-1 on the way, so ties left by older data cannot block a move.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    ordered = list(Question.objects.select_for_update().filter(archived=False).order_by("position", "text", "id"))
    index = next(i for i, item in enumerate(ordered) if item.id == question.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    Question.objects.bulk_update(ordered, ["position"])
    return True


def question_archive(question: Question) -> None:
    """Take a question out of the picker. Rounds that asked it keep their copy."""
    question.archived = True
    question.save(update_fields=["archived"])


def question_unarchive(question: Question) -> None:
    """Bring a question back, at the end of the library."""
    last = Question.objects.filter(archived=False).aggregate(last=Max("position"))["last"]
    question.archived = False
    question.position = 0 if last is None else last + 1
    question.save(update_fields=["archived", "position"])
