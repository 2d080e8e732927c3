from feedback.models import Comment
from sentiment.scoring import compound_score, label


def comments_score(comment_ids: list[str]) -> int:
    """Score the given comments that are not scored yet; running it twice changes nothing."""
    comments = list(Comment.objects.filter(id__in=comment_ids, compound__isnull=True))
    for comment in comments:
        comment.compound = compound_score(comment.text)
        comment.sentiment = label(comment.compound)
    Comment.objects.bulk_update(comments, ["compound", "sentiment"])
    return len(comments)
