"""Themes found in a group of comments: a round's, or one month of always-open feedback.

Anonymous side: like ``feedback``, random keys, no person, no time finer than a day. Rows hold only
what passed the privacy step (terms used by enough respondents, themes with enough respondents).
"""

import uuid

from django.db import models


class Theme(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(max_length=5)
    round_id = models.UUIDField(null=True, blank=True, db_index=True)
    period = models.CharField(max_length=7, blank=True, db_index=True)
    # Stable across rounds (a seed's key, or one derived from the terms), so HR can follow a theme.
    key = models.CharField(max_length=80, db_index=True)
    name = models.CharField(max_length=200)
    terms = models.JSONField(default=list)
    seeded = models.BooleanField(default=False)
    is_other = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    respondents = models.PositiveIntegerField(default=0)
    # From the scored sentences of the theme's comments.
    compound = models.FloatField(null=True, blank=True)
    negative = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    built_on = models.DateField()

    class Meta:
        ordering = ["id"]
