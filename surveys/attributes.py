"""Generalized attributes: what a response may carry about its author, and audience matching.

Tenure and level become bands; any value whose group in the round's audience is smaller than k
becomes "other", so that no attribute combination points at a handful of people.
"""

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


def generalized_attributes(person: Person, today: date, k: int, groups: dict) -> dict:
    """What goes with a response: each value, or "other" where its audience group is below k."""
    values = raw_attributes(person, today, extra_keys=[key for key in groups if key not in BUILTIN_ATTRIBUTES])
    return {key: value if groups.get(key, {}).get(value, 0) >= k else OTHER for key, value in values.items()}


def audience_groups(people, today: date, extra_keys: list[str]) -> dict[str, dict[str, int]]:
    """Count the people in each attribute value, for every attribute."""
    groups: dict[str, dict[str, int]] = {}
    for person in people:
        for key, value in raw_attributes(person, today, extra_keys).items():
            groups.setdefault(key, {}).setdefault(value, 0)
            groups[key][value] += 1
    return groups


def in_audience(person: Person, audience: dict[str, list[str]], today: date) -> bool:
    """Audience filters: every listed attribute must match one of its listed values."""
    if not audience:
        return True
    values = raw_attributes(person, today, extra_keys=[key for key in audience if key not in BUILTIN_ATTRIBUTES])
    return all(values.get(key) in allowed for key, allowed in audience.items() if allowed)
