"""Writes on the anonymous side: a round's (or a month's) responses, written once when it is published."""

import random
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q

from feedback.models import Answer, Comment, Response

_shuffler = random.SystemRandom()
BATCH_SIZE = 2000


@dataclass(frozen=True)
class Publishable:
    """One opened submission with the labels it is published under."""

    payload: dict
    attributes: dict
    comment_attributes: dict


def responses_publish(
    *, stream: str, round_id: uuid.UUID | None, period: str, items: list[Publishable], today: date, comment_score
) -> list[Comment]:
    """Write a whole publication's responses at once, with fresh ids, in a random order, comments already scored.

    ``comment_score(text)`` gives the comment's scores as a dict of Comment fields. Written in one go, the rows'
    order, ids and (on PostgreSQL) xmin say nothing about who submitted when.
    """
    items = _shuffler.sample(items, len(items))
    responses, answers, comments = [], [], []
    for item in items:
        response = Response(
            stream=stream,
            round_id=round_id,
            period=period,
            released_on=today,
            attributes=item.attributes,
            comment_attributes=item.comment_attributes,
        )
        responses.append(response)
        answers += [_answer(response, answer) for answer in item.payload.get("answers", [])]
        comments += [_comment(response, comment, comment_score) for comment in item.payload.get("comments", [])]
    for rows in (answers, comments):
        _shuffler.shuffle(rows)
    Response.objects.bulk_create(responses, batch_size=BATCH_SIZE)
    Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
    Comment.objects.bulk_create(comments, batch_size=BATCH_SIZE)
    _statistics_refresh()
    return comments


def _statistics_refresh() -> None:
    """Tens of thousands of rows just written, read back in the same transaction: without fresh statistics
    PostgreSQL plans the publication's reads for the tables as they were, and a join that should take a second takes
    minutes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE feedback_response, feedback_answer, feedback_comment")


def _answer(response: Response, item: dict) -> Answer:
    return Answer(
        response=response, question_id=item["question_id"], value=item.get("value"), chosen=item.get("chosen")
    )


def _comment(response: Response, item: dict, comment_score) -> Comment:
    return Comment(
        response=response,
        question_id=item.get("question_id"),
        topic=item.get("topic", ""),
        text=item["text"],
        **comment_score(item["text"]),
    )


def groups_lock(groups) -> list[uuid.UUID]:
    """Lock the responses of these (stream, round_id, period) groups, and return their ids.

    Theming and retention both rewrite a group's comments; each takes these locks first, in the same order, so the
    two wait for each other instead of deadlocking or overwriting each other's writes.
    """
    matching = Q(pk__in=[])
    for stream, round_id, period in groups:
        matching |= Q(stream=stream, round_id=round_id, period=period)
    return list(Response.objects.select_for_update(of=("self",)).filter(matching).values_list("id", flat=True))
