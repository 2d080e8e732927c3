"""Reads on the identified side."""

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from surveys import attributes
from surveys.models import Participation, Person, Round

_ROSTER_NAMES_KEY = "surveys:roster-names"
_ORGANISATION_GROUPS_KEY = "surveys:organisation-groups"


def roster_names() -> list[str]:
    """Names of everyone with an account, for redaction of comments. Cached until the roster changes."""
    return _cached(_ROSTER_NAMES_KEY, _roster_names_read)


def organisation_groups() -> dict[str, dict[str, int]]:
    """Active people per attribute value, for always-open feedback. Cached until the roster changes."""
    return _cached(_ORGANISATION_GROUPS_KEY, _organisation_groups_read)


def roster_caches_invalidate() -> None:
    cache.delete_many([_ROSTER_NAMES_KEY, _ORGANISATION_GROUPS_KEY])


def _cached(key: str, read):
    # While Redis is away this reads a miss (config/cache.py), so a submission falls back to the database.
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, timeout=600)
    return value


def _roster_names_read() -> list[str]:
    return sorted({name.strip() for name in User.objects.values_list("name", flat=True) if name.strip()})


def _organisation_groups_read() -> dict[str, dict[str, int]]:
    people = Person.objects.filter(active=True).only("department", "location", "level", "start_date")
    return attributes.audience_groups(people, timezone.localdate(), extra_keys=[])


def employee_rounds(person):
    """The open rounds a person is invited to, each with whether they have answered it."""
    answered = Participation.objects.filter(round=OuterRef("pk"), person=person)
    return (
        Round.objects.filter(state=Round.State.OPEN, invitations__person=person)
        .annotate(answered=Exists(answered))
        .order_by("closes_at", "title")
    )
