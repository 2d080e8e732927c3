"""The identified side: who is on the roster, what rounds ask, who was invited and who took part.

Nothing here points at a response, and nothing in ``feedback`` points back here.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

MIN_K = 3
DEFAULT_K = 5


class Person(models.Model):
    """One row of the HR roster, attached to the login it was given."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    department = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=50, blank=True)
    start_date = models.DateField(null=True, blank=True)
    # Extra roster columns the admin marked as reportable, e.g. {"team": "Payments"}.
    attributes = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    # When this person joined the roster: invitations say how many of an audience are recent additions.
    added_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["user__email"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.user.email


class ReportableAttribute(models.Model):
    """An extra roster column that may be used for audiences and reports."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    # Audiences may be chosen only by columns older than 30 days, so a column made for one person shows first.
    added_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label


class RosterImport(models.Model):
    """A checked roster file waiting for the admin to look at the preview and apply it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        APPLIED = "applied", "Applied"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    file_name = models.CharField(max_length=255)
    rows = models.JSONField(default=list)
    reportable_columns = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Question(models.Model):
    """A question in the library. Rounds copy what they ask, so later edits never change a round."""

    class Kind(models.TextChoices):
        LIKERT = "likert", "Agree–disagree (1–5)"
        FREQUENCY = "frequency", "How often (1–5)"
        RECOMMEND = "recommend", "How likely to recommend (0–10)"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        TEXT = "text", "Free text"

    class Indicator(models.TextChoices):
        NONE = "", "None"
        USAGE = "usage", "AI usage"
        PRODUCTIVITY = "productivity", "Productivity"
        TOOL_QUALITY = "tool_quality", "Tool quality"
        PRESSURE = "pressure", "Pressure to use AI"
        USAGE_THEATRE = "usage_theatre", "Usage theatre"
        MONITORING = "monitoring", "Perceived monitoring"
        GUIDANCE = "guidance", "Guidance"
        JOB_SECURITY = "job_security", "Job security worry"
        NPS = "nps", "AI NPS"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    text = models.CharField(max_length=500)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    indicator = models.CharField(max_length=20, choices=Indicator.choices, blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "text"]

    def __str__(self) -> str:
        return self.text


class RoundQuerySet(models.QuerySet):
    def earlier_of_same_audience(self, *, opens_at, audience, exclude_id):
        """Closed rounds sent to the same audience definition that opened before ``opens_at``, latest first.

        The one rule for "the round before this one": what change, trends and recurring themes compare with. The
        arguments may be values or ``OuterRef`` expressions, so a page can read it in the same query as its round.
        """
        earlier = self.filter(state=Round.State.CLOSED, audience=audience, opens_at__lt=opens_at)
        return earlier.exclude(id=exclude_id).order_by("-opens_at", "-id")


class Round(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    k = models.PositiveSmallIntegerField(default=DEFAULT_K, validators=[MinValueValidator(MIN_K)])
    comment_threshold = models.PositiveSmallIntegerField(default=2 * DEFAULT_K)
    reminder_every_days = models.PositiveSmallIntegerField(default=0)
    last_reminded_on = models.DateField(null=True, blank=True)
    # {"department": ["Engineering", "Sales"], ...}: AND across keys, OR within; empty = everyone.
    audience = models.JSONField(default=dict, blank=True)
    # Audience size per attribute value, frozen at opening: values under k are reported as "other".
    audience_groups = models.JSONField(default=dict, blank=True)
    audience_size = models.PositiveIntegerField(default=0)
    # How many took part, stored when the round closes (the per-person rows are deleted then).
    submitted_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(k__gte=MIN_K), name="round_k_at_least_min"),
            models.CheckConstraint(
                condition=models.Q(comment_threshold__gte=models.F("k")), name="round_comment_threshold_at_least_k"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Taking answers now: open, and its closing time (if any) not passed."""
        return self.state == self.State.OPEN and (self.closes_at is None or self.closes_at > timezone.now())

    def previous_of_same_audience(self) -> "Round | None":
        """The latest closed round that opened before this one and was sent to the same audience definition."""
        if self.opens_at is None:
            return None
        return Round.objects.earlier_of_same_audience(
            opens_at=self.opens_at, audience=self.audience, exclude_id=self.id
        ).first()


class RoundQuestion(models.Model):
    """What a round asks: a copy of a library question, fixed once the round opens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    source = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.CharField(max_length=500)
    kind = models.CharField(max_length=10, choices=Question.Kind.choices)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    indicator = models.CharField(max_length=20, choices=Question.Indicator.choices, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """Who is in a round's audience. Kept after close: it decides who may read the round's results."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    # The person's reporting attributes (banded) as they were when the round opened: submissions, participation and
    # k-anonymization use these only, so a roster change during the round changes nothing.
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="one_invitation_per_person")]


class Participation(models.Model):
    """That a person has submitted to a round: no time, and no link to what they submitted."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    # Nobody who took part is deleted while the round is open: the round's count would shrink, which names them.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="one_submission_per_person")]
