"""Reads on the identified side."""

from django.core.cache import cache

from accounts.models import User

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
