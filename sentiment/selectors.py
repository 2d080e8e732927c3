"""Reads for the analysis pipeline: what is still to be scored or themed."""

from feedback.models import Comment

SWEEP_LIMIT = 20_000


def unscored_comment_ids(limit: int = SWEEP_LIMIT) -> list[str]:
    unscored = Comment.objects.filter(compound__isnull=True, text_deleted_on__isnull=True)
    ids = unscored.order_by().values_list("id", flat=True)[:limit]
    return [str(comment_id) for comment_id in ids]


def unthemed_groups() -> list[tuple[str, str | None, str]]:
    """(stream, round_id, period) of every group with comments that no theme build has seen yet.

    Comments whose text was deleted under the retention setting are never themed again, so they never count.
    """
    rows = (
        Comment.objects.filter(theme_id__isnull=True, text_deleted_on__isnull=True)
        .order_by()
        .values_list("response__stream", "response__round_id", "response__period")
        .distinct()
    )
    return [(stream, str(round_id) if round_id else None, period) for stream, round_id, period in rows]
