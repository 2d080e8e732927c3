"""Forms of the survey administration pages. They parse what the admin typed; the rules live in services."""

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from surveys import questions
from surveys.models import MIN_K, Question, Round, RoundQuestion
from surveys.rounds import AudienceOverview

AUDIENCE_PREFIX = "audience__"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class ManageForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def errors_add(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names, the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.error_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class QuestionForm(ManageForm):
    text = forms.CharField(label="Question", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label="Kind of answer", choices=Question.Kind.choices)
    choices = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "One per line. One choice and several choices: 2 to 20 different labels. "
            "How often: 5 labels, lowest first (empty for Never … Very often). "
            "Agree–disagree: empty for the standard labels, or 5 labels. 0–10 and free text: leave empty."
        ),
    )
    required = forms.BooleanField(label="People must answer this question", required=False)
    indicator = forms.ChoiceField(
        label="Headline indicator",
        choices=Question.Indicator.choices,
        required=False,
        help_text="Which headline number HR sees this question in, if any.",
    )

    @classmethod
    def for_question(cls, question: Question, data=None) -> "QuestionForm":
        initial = {
            "text": question.text,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "required": question.required,
            "indicator": question.indicator,
        }
        return cls(data, initial=initial)

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned and "choices" in cleaned:
            lines = [line.strip() for line in cleaned["choices"].splitlines() if line.strip()]
            try:
                cleaned["choices"] = questions.choices_clean(cleaned["kind"], lines)
            except ValidationError as error:
                self.add_error("choices", error)
        return cleaned


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=f"Time zone: {settings.TIME_ZONE}.",
    )


class RoundForm(ManageForm):
    """A round's settings. Once the round is open, its opening time and audience are not offered."""

    title = forms.CharField(label="Title", max_length=200)
    intro = forms.CharField(
        label="Introduction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to people above the questions.",
    )
    opens_at = _datetime_field("Opens at")
    closes_at = _datetime_field("Closes at")
    k = forms.IntegerField(
        label="k (smallest group shown)",
        initial=5,
        max_value=1000,
        widget=forms.NumberInput(attrs={"min": MIN_K}),
        help_text=f"No number about fewer than k people is ever shown. At least {MIN_K}; once the round is open, "
        "k can only be raised.",
    )
    comment_threshold = forms.IntegerField(
        label="Comment threshold",
        required=False,
        max_value=1000,
        widget=forms.NumberInput(attrs={"min": MIN_K}),
        help_text="Themes and keywords from comments need at least this many people. At least k; "
        "leave empty for twice k.",
    )
    reminder_every_days = forms.IntegerField(
        label="Remind everyone invited every … days",
        initial=0,
        min_value=0,
        max_value=365,
        help_text="0 sends no reminders.",
    )

    def __init__(self, data=None, *, round: Round | None = None, overview: AudienceOverview | None = None):
        super().__init__(data, initial=_round_initial(round) if round else None)
        self.audience_keys = []
        if round is not None and round.state not in (Round.State.DRAFT, Round.State.SCHEDULED):
            del self.fields["opens_at"]
            return
        for key, values in (overview.values if overview else {}).items():
            name = AUDIENCE_PREFIX + key
            self.fields[name] = forms.MultipleChoiceField(
                label=overview.labels[key],
                required=False,
                choices=[(value, value) for value in values],
                widget=forms.CheckboxSelectMultiple,
                initial=(round.audience.get(key, []) if round else []),
                help_text=_young_column_help(overview.usable_from.get(key)),
            )
            self.audience_keys.append(key)

    @property
    def audience_fields(self) -> list[forms.BoundField]:
        return [self[AUDIENCE_PREFIX + key] for key in self.audience_keys]

    @property
    def settings_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(AUDIENCE_PREFIX)]

    def round_settings(self) -> dict:
        """The cleaned values, named as round_create and round_update take them."""
        values = {name: value for name, value in self.cleaned_data.items() if not name.startswith(AUDIENCE_PREFIX)}
        if self.audience_keys:
            values["audience"] = {key: self.cleaned_data[AUDIENCE_PREFIX + key] for key in self.audience_keys}
        return values


def _young_column_help(usable_from: date | None) -> str:
    if usable_from is None:
        return ""
    return (
        f"This roster column is new: it can choose an audience from {date_format(usable_from, 'j F Y')}, "
        "30 days after it was added."
    )


def _round_initial(round: Round) -> dict:
    return {
        "title": round.title,
        "intro": round.intro,
        "opens_at": round.opens_at,
        "closes_at": round.closes_at,
        "k": round.k,
        "comment_threshold": round.comment_threshold,
        "reminder_every_days": round.reminder_every_days,
    }


class RoundQuestionsForm(ManageForm):
    """Tick library questions and, if wanted, number them; unnumbered ones follow in library order."""

    def __init__(self, data=None, *, library: list[Question], chosen: list[RoundQuestion]):
        super().__init__(data)
        self.library = library
        picked = {str(item.source_id): item.position + 1 for item in chosen if item.source_id}
        self.fields["questions"] = forms.MultipleChoiceField(
            label="Questions to ask",
            required=False,
            choices=[(str(question.id), question.text) for question in library],
            widget=forms.CheckboxSelectMultiple,
            initial=list(picked),
        )
        for question in library:
            self.fields[f"order_{question.id}"] = forms.IntegerField(
                label=f"Order of “{question.text}”",
                required=False,
                min_value=1,
                max_value=999,
                initial=picked.get(str(question.id)),
            )

    @property
    def rows(self) -> list[tuple[Question, forms.boundfield.BoundWidget, forms.BoundField]]:
        checkboxes = self["questions"].subwidgets
        return [
            (question, checkbox, self[f"order_{question.id}"])
            for question, checkbox in zip(self.library, checkboxes, strict=True)
        ]

    def ordered_ids(self) -> list[str]:
        chosen = set(self.cleaned_data["questions"])
        positions = [
            (self.cleaned_data.get(f"order_{question.id}") or 10_000, index, str(question.id))
            for index, question in enumerate(self.library)
            if str(question.id) in chosen
        ]
        return [question_id for *_, question_id in sorted(positions)]
