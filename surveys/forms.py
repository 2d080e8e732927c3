"""The employee's answer forms. They parse and check input; the submission service does the rest."""

from django import forms
from django.core.exceptions import ValidationError

from feedback.redaction import text_clean
from surveys.models import Question, RoundQuestion
from surveys.questions import TEXT_MAX_LENGTH, answer_range, scale_labels

Kind = Question.Kind
FIELD_PREFIX = "q_"
OPEN_FEEDBACK_TOPICS = [
    ("", "No particular topic"),
    ("tools", "AI tools themselves"),
    ("targets", "Usage targets, dashboards and leaderboards"),
    ("monitoring", "Monitoring and trust"),
    ("training", "Training and guidance"),
    ("workload", "Workload and job security"),
    ("other", "Something else"),
]


class CommentField(forms.CharField):
    """Free text: control characters removed, length checked after cleaning."""

    def __init__(self, **kwargs):
        super().__init__(max_length=TEXT_MAX_LENGTH, strip=True, **kwargs)
        self.widget = forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX_LENGTH, "data-counter": ""})

    def to_python(self, value):
        return text_clean(super().to_python(value) or "")


def field_name(question: RoundQuestion) -> str:
    return f"{FIELD_PREFIX}{question.id.hex}"


def _field_for(question: RoundQuestion) -> forms.Field:
    common = {"label": question.text, "required": question.required}
    if question.kind == Kind.TEXT:
        return CommentField(**common)
    if question.kind == Kind.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            choices=list(enumerate(question.choices)), coerce=int, widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == Kind.SINGLE:
        choices = list(enumerate(question.choices))
    elif question.kind == Kind.RECOMMEND:
        choices = [(value, str(value)) for value in answer_range(question.kind, question.choices)]
    else:
        labels = scale_labels(question.kind, question.choices)
        choices = list(zip(answer_range(question.kind, question.choices), labels, strict=True))
    return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, widget=forms.RadioSelect, **common)


class RoundAnswerForm(forms.Form):
    """One field per question of the round, named by the question's id."""

    def __init__(self, *args, questions: list[RoundQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = _field_for(question)

    def clean(self):
        cleaned = super().clean()
        unknown = [key for key in (self.data or {}) if key.startswith(FIELD_PREFIX) and key not in self.fields]
        if unknown:
            raise ValidationError(
                "This form has answers to questions that are not in this round. Reload the page and try again."
            )
        if not any(_is_answered(cleaned.get(field_name(question))) for question in self.questions):
            raise ValidationError("Answer at least one question before you submit.")
        return cleaned

    def answers(self) -> list[tuple[RoundQuestion, object]]:
        """(question, value) for every answered question, in the round's order."""
        pairs = [(question, self.cleaned_data.get(field_name(question))) for question in self.questions]
        return [(question, value) for question, value in pairs if _is_answered(value)]


class OpenFeedbackForm(forms.Form):
    topic = forms.ChoiceField(choices=OPEN_FEEDBACK_TOPICS, required=False, label="Topic (optional)")
    text = CommentField(label="What do you want to say?", required=True)


def _is_answered(value) -> bool:
    return value not in (None, "", [])
