"""The sealed pool and receipts: submissions wait here, sealed, until their round closes (always-open feedback: until
its month ends), and are then taken out all at once by the publishing worker."""

import random
import secrets
import uuid

from django.db import transaction

from feedback.models import PoolEntry, Receipt
from feedback.sealing import seal, unseal

_shuffler = random.SystemRandom()
_TAKE_BATCH = 500
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def pool_add(*, stream: str, round_id: uuid.UUID | None, period: str, payload: dict, size: int) -> None:
    """Seal one submission, padded to ``size`` (``feedback.sealing.padded_size``, the same for a whole round).

    Raises ``feedback.sealing.PayloadTooLarge`` if it does not fit.
    """
    PoolEntry.objects.create(stream=stream, round_id=round_id, period=period, sealed=seal(payload, size=size))


def pool_take(*, stream: str, round_id: uuid.UUID | None, period: str) -> list[dict]:
    """Open and empty one group's pool in the caller's transaction; the payloads come back in a random order.

    Needs the private key (the publishing worker's). If anything fails the transaction rolls back and the pool is
    left as it was.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("pool_take runs inside the publishing transaction.")
    group = PoolEntry.objects.filter(stream=stream, round_id=round_id, period=period)
    entry_ids = list(group.select_for_update().values_list("id", flat=True))
    payloads = []
    # Batches keep the padded ciphertexts of a large round out of memory all at once.
    for start in range(0, len(entry_ids), _TAKE_BATCH):
        batch = entry_ids[start : start + _TAKE_BATCH]
        entries = PoolEntry.objects.filter(id__in=batch)
        payloads += [unseal(sealed) for sealed in entries.values_list("sealed", flat=True)]
        entries.delete()
    _shuffler.shuffle(payloads)
    return payloads


def receipt_code_new() -> str:
    """A code only the submitter sees: 20 random characters in groups of five."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def receipt_add(*, code_hash: str, stream: str, round_id: uuid.UUID | None, period: str) -> None:
    """Record that a submission with this code was counted in this round or month. It names no response."""
    Receipt.objects.create(code_hash=code_hash, stream=stream, round_id=round_id, period=period)


def receipts_shuffle(*, stream: str, round_id: uuid.UUID | None, period: str) -> None:
    """Write a group's receipts again, with fresh ids, in a random order and one transaction (at publication).

    Written one per submission, their stored order (and on PostgreSQL their transaction ids) followed the order in
    which people submitted; once rewritten, a backup taken after the close keeps nothing of that order.
    """
    group = Receipt.objects.filter(stream=stream, round_id=round_id, period=period)
    hashes = list(group.select_for_update().values_list("code_hash", flat=True))
    _shuffler.shuffle(hashes)
    group.delete()
    Receipt.objects.bulk_create(
        [Receipt(code_hash=code_hash, stream=stream, round_id=round_id, period=period) for code_hash in hashes]
    )


def pool_carry_over(*, period: str, to_period: str) -> int:
    """Move a month's always-open entries and receipts to a later month; returns how many entries moved."""
    moved = PoolEntry.objects.filter(stream="open", period=period).update(period=to_period)
    Receipt.objects.filter(stream="open", period=period).update(period=to_period)
    return moved
