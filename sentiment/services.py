import logging
from dataclasses import asdict

from django.db import transaction

from feedback.models import Comment
from feedback.services import comment_groups_lock, comments_rewrite_shuffled
from sentiment.scoring import score_comment

logger = logging.getLogger(__name__)
BATCH_SIZE = 500


def comments_score(comment_ids: list[str]) -> int:
    """Score the given comments that are not scored yet; running it twice changes nothing.

    Each unit is stored as offsets into the comment and its score, never as a copy of its text.
    """
    with transaction.atomic():
        # Locked in a release's order (responses, then comments), so the rewrite below never deadlocks with one.
        # Two workers given the same ids (a redelivered message, the sweeper) take turns and the second finds them
        # scored; a release rewriting these rows waits until the scores are stored.
        group_responses = comment_groups_lock(comment_ids)
        unscored = Comment.objects.filter(id__in=comment_ids, compound__isnull=True, text_deleted_on__isnull=True)
        locked = unscored.select_for_update(skip_locked=True, of=("self",))
        comments = list(locked)
        for comment in comments:
            score = score_comment(comment.text)
            comment.compound = score.compound
            comment.sentiment = score.label
            comment.sentences = [asdict(sentence) for sentence in score.sentences]
        # One INSERT ... ON CONFLICT UPDATE per batch: several times faster than bulk_update's CASE per row.
        # The rows are locked above, so none can have been deleted in between and come back.
        Comment.objects.bulk_create(
            comments,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["compound", "sentiment", "sentences"],
        )
        if comments:
            comments_rewrite_shuffled(group_responses)
    logger.info("scored %d comments", len(comments))
    return len(comments)
