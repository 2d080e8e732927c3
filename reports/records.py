"""A round's published responses as the engine's records: one per respondent, attributes and answers only.

Comments contribute through their theme (a person's comments in a theme become one sentiment, -1, 0 or 1);
their text never leaves the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from feedback.models import Answer, Comment, Response, Stream
from reports.disclosure_data import RESPONDENT, UNKNOWN
from reports.measures import question_field, sentiment_of, theme_field
from sentiment.models import Theme
from surveys.attributes import BUILTIN_ATTRIBUTES


def group_filter(*, round_id=None, period: str = "") -> dict:
    if round_id:
        return {"stream": Stream.ROUND, "round_id": round_id}
    return {"stream": Stream.OPEN, "period": period}


def group_attributes(responses: Iterable[dict]) -> tuple[str, ...]:
    """The attributes the responses carry: the built-in ones first, then the roster's own, alphabetically."""
    seen = {key for attributes in responses for key in attributes}
    builtin = [key for key in BUILTIN_ATTRIBUTES if key in seen]
    return (*builtin, *sorted(seen - set(builtin)))


def records_build(
    *, round_id=None, period: str = "", themes: Sequence[Theme], labels: str = "attributes"
) -> tuple[list[dict], tuple[str, ...]]:
    """(records, attributes) of a round or a month of always-open feedback, on the responses' ``labels`` (the
    answers' k-anonymous labels, or the comments' coarser ``comment_attributes``)."""
    group = group_filter(round_id=round_id, period=period)
    responses = dict(Response.objects.filter(**group).values_list("id", labels))
    attributes = group_attributes(responses.values())
    records = {
        response_id: {RESPONDENT: str(response_id), **{key: values.get(key, UNKNOWN) for key in attributes}}
        for response_id, values in responses.items()
    }
    _answers_add(records, group)
    _themes_add(records, group, themes)
    return list(records.values()), attributes


def _answers_add(records: dict, group: dict) -> None:
    rows = Answer.objects.filter(**{f"response__{key}": value for key, value in group.items()}).values_list(
        "response_id", "question_id", "value", "chosen"
    )
    for response_id, question_id, value, chosen in rows.iterator(chunk_size=5000):
        records[response_id][question_field(question_id)] = tuple(chosen) if chosen is not None else value


def _themes_add(records: dict, group: dict, themes: Sequence[Theme]) -> None:
    keys = {theme.id: theme.key for theme in themes if not theme.is_other}
    compounds: dict[tuple, list[float]] = defaultdict(list)
    rows = Comment.objects.filter(
        **{f"response__{key}": value for key, value in group.items()}, theme_id__in=list(keys)
    ).values_list("response_id", "theme_id", "compound")
    for response_id, theme_id, compound in rows.iterator(chunk_size=5000):
        compounds[(response_id, keys[theme_id])].append(compound or 0.0)
    for (response_id, key), values in compounds.items():
        records[response_id][theme_field(key)] = sentiment_of(values)
