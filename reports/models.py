"""Precomputed report data: a round's (or a month's) tallies and suppression patterns, built by a worker.

Pages never tally responses; they read a snapshot: the sums per attribute combination and which of them are
hidden. Like the anonymous side, a snapshot has no person, no time finer than a day, and no comment text.
"""

import uuid

from django.db import models


class ReportSnapshot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    stream = models.CharField(max_length=5)
    round_id = models.UUIDField(null=True, blank=True, unique=True)
    period = models.CharField(max_length=7, blank=True, db_index=True)
    built_on = models.DateField()
    respondents = models.PositiveIntegerField()
    # Bumped at every rebuild, so that processes holding a decoded engine know theirs is stale.
    version = models.PositiveIntegerField(default=1)
    # The engine, as zlib-compressed JSON (reports.snapshots).
    engine = models.BinaryField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(stream="open"), name="one_snapshot_per_open_period"
            )
        ]
