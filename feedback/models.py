"""The anonymous side. No row here can be traced to a person.

Rules every model in this app follows (tests/test_wall.py walks the fields to check them):
random UUID keys, default ordering by that key, no reference to a user, session, address or
user agent, and no time finer than a day. Rounds are referred to by id only, never by a foreign
key into the identified side.
"""

import uuid

from django.db import models


class Stream(models.TextChoices):
    ROUND = "round", "Survey round"
    OPEN = "open", "Always-open feedback"


class PoolEntry(models.Model):
    """A sealed submission, waiting for its round's close (or its month's end) to be published.

    ``sealed`` is encrypted to a key only the publishing worker holds and padded to one size, with no time inside
    (``feedback.sealing``): a database copy shows that someone submitted, never what or in which order.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(max_length=5, choices=Stream.choices)
    round_id = models.UUIDField(null=True, blank=True, db_index=True)
    period = models.CharField(max_length=7, blank=True, db_index=True)
    sealed = models.BinaryField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "pool entries"


class Receipt(models.Model):
    """Proof that a submission was counted: a hash of the code only the submitter saw, and nothing else.

    It names the round or month, never a response, so a code given up under pressure leads nowhere.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_hash = models.CharField(max_length=64, unique=True)
    stream = models.CharField(max_length=5, choices=Stream.choices)
    round_id = models.UUIDField(null=True, blank=True)
    period = models.CharField(max_length=7, blank=True)

    class Meta:
        ordering = ["id"]


class Response(models.Model):
    """One published submission: a round's answers, or one always-open comment. Written at publication only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(max_length=5, choices=Stream.choices)
    round_id = models.UUIDField(null=True, blank=True, db_index=True)
    period = models.CharField(max_length=7, blank=True, db_index=True)
    released_on = models.DateField()
    # k-anonymized at publication: every combination stored here is shared by at least k responses of the round
    # ("other" where a value was generalized away). Always-open feedback stores none.
    attributes = models.JSONField(default=dict)
    # The same, coarser: every combination is shared by at least the comment threshold of responses.
    comment_attributes = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question_id = models.UUIDField(db_index=True)
    # Scale answers (1–5, 0–10) and single choices (the choice's index) are numbers.
    value = models.SmallIntegerField(null=True, blank=True)
    # Several-choice answers: the chosen indexes.
    chosen = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class Comment(models.Model):
    """Free text, redacted before it was stored. Scored and themed by the sentiment workers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    question_id = models.UUIDField(null=True, blank=True, db_index=True)
    topic = models.CharField(max_length=50, blank=True)
    text = models.TextField()
    compound = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    sentences = models.JSONField(null=True, blank=True)
    theme_id = models.UUIDField(null=True, blank=True, db_index=True)
    # Set when the retention run emptied ``text``: the scores and theme stay, nothing re-reads the text.
    text_deleted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
