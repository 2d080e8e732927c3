"""Months of always-open feedback, as "YYYY-MM": the one place that says which month a day is in and which come
before and after."""

from django.utils import timezone


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")


def month_after(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year + (month == 12)}-{month % 12 + 1:02d}"


def month_before(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
