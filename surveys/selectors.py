"""Reads on the identified side."""

import contextlib
import logging

from django.core.cache import cache
from django.db.models import Exists, OuterRef

from accounts.models import User
from surveys.models import Participation, Round

logger = logging.getLogger(__name__)
_ROSTER_NAMES_KEY = "surveys:roster-names"


def roster_names() -> list[str]:
    """Names of everyone with an account, for redaction of comments. Cached until the roster changes."""
    try:
        names = cache.get(_ROSTER_NAMES_KEY)
    except Exception:  # the cache is Redis in production; a submission must not fail while it is away
        logger.warning("cache unavailable; reading roster names from the database")
        return _roster_names_read()
    if names is None:
        names = _roster_names_read()
        with contextlib.suppress(Exception):
            cache.set(_ROSTER_NAMES_KEY, names, timeout=600)
    return names


def _roster_names_read() -> list[str]:
    return sorted({name.strip() for name in User.objects.values_list("name", flat=True) if name.strip()})


def roster_names_invalidate() -> None:
    with contextlib.suppress(Exception):
        cache.delete(_ROSTER_NAMES_KEY)


def employee_rounds(person):
    """The open rounds a person is invited to, each with whether they have answered it."""
    answered = Participation.objects.filter(round=OuterRef("pk"), person=person)
    return (
        Round.objects.filter(state=Round.State.OPEN, invitations__person=person)
        .annotate(answered=Exists(answered))
        .order_by("closes_at", "title")
    )
