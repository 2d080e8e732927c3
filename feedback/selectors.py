"""Reads on the anonymous side."""

import hashlib

from feedback.models import PoolEntry, Receipt, Response


def receipt_hash(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"candor-receipt:{normalized}".encode()).hexdigest()


def receipt_status(code: str) -> str:
    """What a receipt proves: "counted" (sealed in its round's or month's pool), "published" (its round or month has
    been published), or "unknown". Nothing about the response: no receipt leads to one."""
    receipt = Receipt.objects.filter(code_hash=receipt_hash(code)).first()
    if receipt is None:
        return "unknown"
    group = {"stream": receipt.stream, "round_id": receipt.round_id, "period": receipt.period}
    return "published" if Response.objects.filter(**group).exists() else "counted"


def pool_groups():
    """Every (stream, round_id, period) that has sealed submissions waiting."""
    return PoolEntry.objects.order_by().values_list("stream", "round_id", "period").distinct()


def pool_count(*, stream: str, round_id, period: str) -> int:
    """How many sealed submissions a round or month has: the one number that may change while it is open."""
    return PoolEntry.objects.filter(stream=stream, round_id=round_id, period=period).count()


def released_count(*, stream: str, round_id, period: str) -> int:
    return Response.objects.filter(stream=stream, round_id=round_id, period=period).count()
