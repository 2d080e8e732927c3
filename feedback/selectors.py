"""Reads on the anonymous side."""

import hashlib

from feedback.models import PoolEntry, Response


def receipt_hash(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"candor-receipt:{normalized}".encode()).hexdigest()


def receipt_status(code: str) -> str:
    """ "counted", "waiting" (sealed, not yet released) or "unknown". Nothing else about the response."""
    digest = receipt_hash(code)
    if Response.objects.filter(receipt_hash=digest).exists():
        return "counted"
    if PoolEntry.objects.filter(receipt_hash=digest).exists():
        return "waiting"
    return "unknown"


def pool_groups():
    """Every (stream, round_id, period) that has sealed submissions waiting."""
    return PoolEntry.objects.order_by().values_list("stream", "round_id", "period").distinct()


def released_count(*, stream: str, round_id, period: str) -> int:
    return Response.objects.filter(stream=stream, round_id=round_id, period=period).count()
