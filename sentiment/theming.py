"""Building a group's themes from its published comments and storing what passed the privacy step."""

import logging
import uuid
from collections.abc import Sequence
from datetime import date

from django.db import transaction

from feedback.models import Comment
from feedback.services import groups_lock
from sentiment import themes as engine
from sentiment.models import Theme
from sentiment.themes_privacy import themes_private

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


def themes_rebuild(
    *, stream: str, round_id, period: str, min_respondents: int, previous: Sequence[Theme] = (), today: date
) -> list[Theme]:
    """Rebuild the themes of one group. Deterministic, so running it twice stores the same themes."""
    group = {"stream": stream, "round_id": round_id, "period": period}
    of_group = Comment.objects.filter(**{f"response__{key}": value for key, value in group.items()})
    if of_group.filter(text_deleted_on__isnull=False).exists():
        # Rebuilt from emptied texts, the published themes would be lost; they stay as they were built.
        logger.info("themes kept: the group's comment text was deleted under the retention setting")
        return list(Theme.objects.filter(**group))
    comments = list(of_group.order_by("id").values_list("id", "text", "response_id", "sentences"))
    result = _themes_find(comments, min_respondents=min_respondents, previous=previous)
    with transaction.atomic():
        # Retention empties a group's comments under this lock; taking it first keeps the two from interleaving.
        groups_lock([(stream, round_id, period)])
        Theme.objects.filter(**group).delete()
        rows = _theme_rows(result, comments, group=group, today=today)
        Theme.objects.bulk_create(rows.values())
        _assignments_store(comments, result, rows)
    logger.info("themes rebuilt: %d themes over %d comments", len(rows), len(comments))
    return list(rows.values())


def _themes_find(comments: list, *, min_respondents: int, previous: Sequence[Theme]) -> engine.Themes:
    texts = [text for _, text, _, _ in comments]
    if len(comments) < min_respondents:
        # Too few to say anything that would not point at someone: everything is "other".
        other = engine.other_theme(size=len(comments))
        return engine.Themes(themes=(other,), assignments=(engine.OTHER,) * len(comments), backend="none", k=0)
    found = engine.themes_build(texts)
    respondents = [str(response) for _, _, response, _ in comments]
    found = themes_private(found, texts, respondents, min_respondents=min_respondents)
    return engine.themes_carry_over([_as_engine_theme(theme) for theme in previous if not theme.is_other], found)


def _as_engine_theme(theme: Theme) -> engine.Theme:
    return engine.Theme(
        id=0, key=theme.key, name=theme.name, terms=tuple(theme.terms), size=theme.comments, seeded=theme.seeded
    )


def _theme_rows(result: engine.Themes, comments: list, *, group: dict, today: date) -> dict[int, Theme]:
    rows = {}
    for position, found in enumerate(result.themes):
        members = [comments[i] for i, theme_id in enumerate(result.assignments) if theme_id == found.id]
        sentences = [unit for _, _, _, units in members for unit in (units or [])]
        rows[found.id] = Theme(
            id=uuid.uuid4(),
            **group,
            key=found.key,
            name=found.name,
            terms=list(found.terms),
            seeded=found.seeded,
            is_other=found.id == engine.OTHER,
            position=position,
            comments=len(members),
            respondents=len({response for _, _, response, _ in members}),
            compound=_mean([unit["compound"] for unit in sentences]),
            negative=sum(unit["label"] == "negative" for unit in sentences),
            neutral=sum(unit["label"] == "neutral" for unit in sentences),
            positive=sum(unit["label"] == "positive" for unit in sentences),
            built_on=today,
        )
    return rows


def _assignments_store(comments: list, result: engine.Themes, rows: dict[int, Theme]) -> None:
    updates = [
        Comment(id=comment_id, theme_id=rows[theme_id].id)
        for (comment_id, _, _, _), theme_id in zip(comments, result.assignments, strict=True)
    ]
    Comment.objects.bulk_update(updates, ["theme_id"], batch_size=BATCH_SIZE)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
