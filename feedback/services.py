"""Writes on the anonymous side: the sealed pool and its release into responses."""

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Q

from feedback.models import Answer, Comment, PoolEntry, Response

_shuffler = random.SystemRandom()


def pool_add(
    *, stream: str, round_id: uuid.UUID | None, period: str, payload: dict, dedupe_key: str, receipt_hash: str
) -> None:
    """Seal one submission. A repeated ``dedupe_key`` raises IntegrityError: nothing is stored twice."""
    PoolEntry.objects.create(
        stream=stream,
        round_id=round_id,
        period=period,
        payload=payload,
        dedupe_key=dedupe_key,
        receipt_hash=receipt_hash,
    )


def release_size(*, pooled: int, released: int, k: int, final: bool) -> int:
    """How many pooled submissions to release now; 0 means wait.

    Until the end, at least k stay in the pool, so the final release is again at least k. A release
    rewrites all of the group's rows, so batches grow with the group: the total rewriting stays
    proportional to the group's size, and every step HR can observe is still at least k.
    """
    if final:
        return pooled
    threshold = max(2 * k, released // 4 + k)
    return pooled - k if pooled >= threshold else 0


@dataclass(frozen=True)
class Released:
    """What one release moved out of the pool: how many responses, and the ids of their comments."""

    responses: int
    comment_ids: list[uuid.UUID]


@transaction.atomic
def pool_release(*, stream: str, round_id: uuid.UUID | None, period: str, k: int, final: bool, today: date):
    """Move a shuffled batch from the pool into responses, or nothing if the group must wait."""
    group = {"stream": stream, "round_id": round_id, "period": period}
    entries = list(PoolEntry.objects.select_for_update().filter(**group))
    released = Response.objects.filter(**group).count()
    size = release_size(pooled=len(entries), released=released, k=k, final=final)
    if size == 0:
        return Released(responses=0, comment_ids=[])
    batch = _shuffler.sample(entries, size)
    comment_ids = _responses_create(batch, today)
    PoolEntry.objects.filter(id__in=[entry.id for entry in batch]).delete()
    _rows_rewrite_shuffled(Response.objects.filter(**group))
    return Released(responses=size, comment_ids=comment_ids)


def _responses_create(entries: list[PoolEntry], today: date) -> list[uuid.UUID]:
    responses, answers, comments = [], [], []
    for entry in entries:
        response = Response(
            stream=entry.stream,
            round_id=entry.round_id,
            period=entry.period,
            released_on=today,
            attributes=entry.payload.get("attributes", {}),
            receipt_hash=entry.receipt_hash,
        )
        responses.append(response)
        answers += [_answer(response, item) for item in entry.payload.get("answers", [])]
        comments += [_comment(response, item) for item in entry.payload.get("comments", [])]
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    Comment.objects.bulk_create(comments)
    return [comment.id for comment in comments]


def _answer(response: Response, item: dict) -> Answer:
    return Answer(
        response=response, question_id=item["question_id"], value=item.get("value"), chosen=item.get("chosen")
    )


def _comment(response: Response, item: dict) -> Comment:
    return Comment(
        response=response, question_id=item.get("question_id"), topic=item.get("topic", ""), text=item["text"]
    )


def _rows_rewrite_shuffled(responses) -> None:
    """Write the group's rows again, in a random order, in this one transaction.

    Rows read back without ORDER BY then come out in an order unrelated to who submitted when, and
    PostgreSQL's xmin is the same for all of them, so it cannot single out the newest batch.
    """
    # Locking first means a scoring worker's update is never overwritten with the values read before it.
    response_rows = list(responses.select_for_update(of=("self",)))
    answer_rows = list(Answer.objects.select_for_update(of=("self",)).filter(response__in=response_rows))
    comment_rows = list(Comment.objects.select_for_update(of=("self",)).filter(response__in=response_rows))
    for rows in (response_rows, answer_rows, comment_rows):
        _shuffler.shuffle(rows)
    Response.objects.filter(id__in=[row.id for row in response_rows]).delete()
    Response.objects.bulk_create(response_rows)
    Answer.objects.bulk_create(answer_rows)
    Comment.objects.bulk_create(comment_rows)


def comment_groups_lock(comment_ids) -> list[uuid.UUID]:
    """Lock the responses of every group these comments belong to, and return their ids."""
    groups = (
        Response.objects.filter(comments__id__in=comment_ids)
        .order_by()
        .values_list("stream", "round_id", "period")
        .distinct()
    )
    return groups_lock(groups)


def groups_lock(groups) -> list[uuid.UUID]:
    """Lock the responses of these (stream, round_id, period) groups, and return their ids.

    A release locks a group's responses before its comments; whoever rewrites comments outside a release takes
    the same locks in the same order, so the two wait for each other instead of deadlocking.
    """
    matching = Q(pk__in=[])
    for stream, round_id, period in groups:
        matching |= Q(stream=stream, round_id=round_id, period=period)
    return list(Response.objects.select_for_update(of=("self",)).filter(matching).values_list("id", flat=True))


def comments_rewrite_shuffled(response_ids) -> None:
    """Write these responses' comments again, in a random order, in the caller's transaction.

    Scoring updates the newest batch's comments only: left as they are, those rows would sit after all the others,
    with an xmin of their own, and a backup would single out the comments of the last people to take part.
    """
    if connection.vendor != "postgresql":
        return  # SQLite updates a row in place, under the rowid its release gave it: there is nothing to hide.
    comment_rows = list(Comment.objects.select_for_update(of=("self",)).filter(response_id__in=response_ids))
    _shuffler.shuffle(comment_rows)
    Comment.objects.filter(id__in=[row.id for row in comment_rows]).delete()
    Comment.objects.bulk_create(comment_rows)


def receipt_code_new() -> str:
    """A code only the submitter sees: 20 random characters in groups of five."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))
