"""How report numbers read: percentages, means, the NPS, "fewer than k", changes between rounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from reports.anonymize import OTHER
from reports.disclosure import Cell, Filter
from reports.disclosure_data import Kind, Measure
from reports.presentation import Figure
from surveys.models import Question, Round

LEVELS = 5
NOT_SHOWN_SEPARATELY = "Not shown separately (groups too small)"


def value_label(value: str) -> str:
    """A group's value as HR reads it: ``other`` gathers everyone whose own group was too small to show."""
    return NOT_SHOWN_SEPARATELY if value == OTHER else value


def measure_figure(cell: Cell, measure: Measure, threshold: int, *, shaded: bool = False) -> Figure:
    if cell.suppressed:
        return Figure.hidden(threshold)
    value = cell.value
    if measure.kind in (Kind.SHARE, Kind.CHOSEN):
        text, position = f"{round(100 * value)}%", value
    elif measure.kind == Kind.NPS:
        text, position = f"{value:+.0f}" if round(value) else "0", (value + 100) / 200
    elif measure.kind == Kind.MEAN:
        text, position = f"{value:.1f}", (value - 1) / 4
    else:
        text, position = str(int(value)), None
    return Figure(text=text, value=value, count=cell.count, level=_level(position) if shaded else None)


def count_figure(cell: Cell, threshold: int) -> Figure:
    if cell.suppressed:
        return Figure.hidden(threshold)
    return Figure(text=str(cell.count), value=float(cell.count), count=cell.count)


def ratio_figure(part: Cell, whole: Cell | None, threshold: int, *, shaded: bool = False) -> Figure:
    """``part`` as a share of ``whole``: both published counts, so the share tells nothing either does not."""
    if part.suppressed or whole is None or whole.suppressed or not whole.count:
        return Figure.hidden(threshold)
    value = part.count / whole.count
    return Figure(text=f"{round(100 * value)}%", value=value, count=part.count, level=_level(value) if shaded else None)


def people_of(figure: Figure) -> Figure:
    if figure.suppressed:
        return figure
    if figure.count is None:
        return Figure.blank()
    return Figure(text=str(figure.count), value=float(figure.count), count=figure.count)


def change(now: Figure, before: Figure | None, unit: str) -> Figure:
    """The difference between two published numbers; "—" when either is missing or hidden."""
    if before is None or now.value is None or before.value is None or now.suppressed or before.suppressed:
        return Figure.blank()
    if unit == "%":
        points = round(100 * now.value) - round(100 * before.value)
        return Figure(text=f"{points:+d} points" if points else "no change", value=points / 100)
    difference = round(now.value) - round(before.value)
    return Figure(text=f"{difference:+d}" if difference else "no change", value=float(difference))


def _level(position: float | None) -> int | None:
    if position is None:
        return None
    return min(LEVELS, max(1, 1 + int(position * LEVELS)))


def round_subtitle(round: Round, *, respondents: Figure) -> str:
    if round.state == Round.State.CLOSED and round.closes_at:
        state = f"Closed {round.closes_at:%-d %B %Y}"
    elif round.state == Round.State.OPEN and round.closes_at:
        state = f"Open until {round.closes_at:%-d %B %Y}"
    else:
        state = round.get_state_display()
    if round.state == Round.State.OPEN:
        return f"{state}; results are published once, when the round closes."
    people = "nothing published" if respondents.text == "—" else f"{respondents.text} respondents"
    return f"{state}; {people}."


def filters_described(filters: Sequence[Filter], labels: Mapping[str, str]) -> str:
    return " and ".join(f"{labels.get(chosen.attribute, chosen.attribute)}: {chosen.value}" for chosen in filters)


def distribution_title(kind: str, questions: int) -> str:
    titles = {
        Question.Kind.LIKERT: "Agree or disagree",
        Question.Kind.FREQUENCY: "How often",
        Question.Kind.RECOMMEND: "Would recommend our AI tools",
        Question.Kind.SINGLE: "One choice",
        Question.Kind.MULTIPLE: "Several choices",
    }
    title = titles.get(kind, "Answers")
    return (
        title
        if questions == 1 or kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        else f"{title}: {questions} questions"
    )


def month_name(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, 1).strftime("%B %Y")
