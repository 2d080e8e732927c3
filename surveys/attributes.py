"""Reporting attributes: a person's banded roster values, and audience matching.

Tenure and level become bands. When a round opens, each invitee's values are frozen on their invitation;
everything after that (submissions, participation, k-anonymization at close) uses the frozen copy.
"""

from collections.abc import Iterable
from datetime import date

from surveys.models import Person

OTHER = "other"
UNKNOWN = "unknown"
BUILTIN_ATTRIBUTES = ("department", "location", "level_band", "tenure_band")
TENURE_BANDS = ((1, "less than 1 year"), (3, "1–2 years"), (6, "3–5 years"))
TENURE_LONGEST = "6 years or more"
LEVEL_BANDS = ((2, "levels 1–2"), (4, "levels 3–4"), (6, "levels 5–6"))
LEVEL_HIGHEST = "level 7 and above"


def tenure_band(start_date: date | None, today: date) -> str:
    if start_date is None:
        return UNKNOWN
    years = (today - start_date).days // 365
    for upper, label in TENURE_BANDS:
        if years < upper:
            return label
    return TENURE_LONGEST


def level_band(level: str) -> str:
    """Numeric levels ("3", "L3", "IC3") are banded; named levels are kept as they are."""
    digits = "".join(ch for ch in level if ch.isdigit())
    if not digits:
        return level.strip() or UNKNOWN
    number = int(digits)
    for upper, label in LEVEL_BANDS:
        if number <= upper:
            return label
    return LEVEL_HIGHEST


def raw_attributes(person: Person, today: date, extra_keys: list[str]) -> dict[str, str]:
    """The person's attributes as the roster has them, before the k rule."""
    values = {
        "department": person.department or UNKNOWN,
        "location": person.location or UNKNOWN,
        "level_band": level_band(person.level),
        "tenure_band": tenure_band(person.start_date, today),
    }
    for key in extra_keys:
        values[key] = str(person.attributes.get(key) or UNKNOWN)
    return values


def audience_groups(people, today: date, extra_keys: list[str]) -> dict[str, dict[str, int]]:
    """Count the people in each attribute value, for every attribute."""
    return attribute_counts(raw_attributes(person, today, extra_keys) for person in people)


def attribute_counts(rows: Iterable[dict[str, str]]) -> dict[str, dict[str, int]]:
    """How many rows hold each value of each attribute."""
    groups: dict[str, dict[str, int]] = {}
    for values in rows:
        for key, value in values.items():
            groups.setdefault(key, {}).setdefault(value, 0)
            groups[key][value] += 1
    return groups


def in_audience(person: Person, audience: dict[str, list[str]], today: date) -> bool:
    """Audience filters: every listed attribute must match one of its listed values."""
    if not audience:
        return True
    values = raw_attributes(person, today, extra_keys=[key for key in audience if key not in BUILTIN_ATTRIBUTES])
    return matches_audience(values, audience)


def matches_audience(values: dict[str, str], audience: dict[str, list[str]]) -> bool:
    return all(values.get(key) in allowed for key, allowed in audience.items() if allowed)
