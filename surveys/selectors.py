"""Reads on the identified side."""

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from accounts.models import User
from surveys.models import Participation, Round

_ROSTER_NAMES_KEY = "surveys:roster-names"


def roster_names() -> list[str]:
    """Names of everyone with an account, for redaction of comments. Cached until the roster changes."""
    names = cache.get(_ROSTER_NAMES_KEY)
    if names is None:
        names = sorted({name.strip() for name in User.objects.values_list("name", flat=True) if name.strip()})
        cache.set(_ROSTER_NAMES_KEY, names, timeout=3600)
    return names


def roster_names_invalidate() -> None:
    cache.delete(_ROSTER_NAMES_KEY)


def employee_rounds(person):
    """The open rounds a person is invited to, each with whether they have answered it."""
    answered = Participation.objects.filter(round=OuterRef("pk"), person=person)
    return (
        Round.objects.filter(state=Round.State.OPEN, invitations__person=person)
        .annotate(answered=Exists(answered))
        .order_by("closes_at", "title")
    )
