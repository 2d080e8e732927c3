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
    """A sealed submission, waiting to be released in a shuffled batch of at least k.

    ``dedupe_key`` is a keyed hash that stops a second submission for the same round; it is
    dropped at release, so released responses carry nothing derived from the person.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(max_length=5, choices=Stream.choices)
    round_id = models.UUIDField(null=True, blank=True, db_index=True)
    period = models.CharField(max_length=7, blank=True, db_index=True)
    payload = models.JSONField()
    dedupe_key = models.CharField(max_length=64, unique=True)
    receipt_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "pool entries"


class Response(models.Model):
    """One released submission: a round's answers, or one always-open comment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(max_length=5, choices=Stream.choices)
    round_id = models.UUIDField(null=True, blank=True, db_index=True)
    period = models.CharField(max_length=7, blank=True, db_index=True)
    released_on = models.DateField()
    # Generalized at submission: {"department": "Sales", "tenure_band": "1–2 years", ...}.
    attributes = models.JSONField(default=dict)
    receipt_hash = models.CharField(max_length=64, unique=True)

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
