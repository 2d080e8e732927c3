"""Sealed submissions and receipts at rest: what a database copy holds of them (DESIGN.md P6)."""

import base64
import os
import random
import string
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from feedback.models import PoolEntry, Receipt, Response, Stream
from feedback.pool import pool_add, pool_take, receipt_add, receipt_code_new
from feedback.sealing import (
    PayloadTooLarge,
    PrivateKeyMissing,
    SealingError,
    key_pair_new,
    padded_size,
    seal,
    sealed_length,
    unseal,
)
from feedback.selectors import receipt_hash, receipt_status

COMMENT = "The token leaderboard feels like surveillance and my manager reads it every Friday."
# The default library: nine answers and two comments of up to 4000 characters.
ROUND_SIZE = padded_size(answers=9, comment_chars=2 * 4000)
STRONG_SECRET = "k3Qv9-strong-random-secret-for-tests-only-0123456789abcdef"


def _payload(comments=(COMMENT,), values=(4, 2, 5), attributes=None) -> dict:
    return {
        "answers": [{"question_id": str(uuid.uuid4()), "value": value} for value in values],
        "comments": [{"question_id": str(uuid.uuid4()), "text": text} for text in comments],
        "attributes": {"department": "Design", "location": "Lisbon"} if attributes is None else attributes,
    }


def _random_text(length: int, alphabet: str) -> str:
    chooser = random.Random(length)
    return "".join(chooser.choice(alphabet) for _ in range(length))


def test_an_unsealed_entry_is_exactly_the_payload_that_was_sealed():
    payload = _payload(comments=["Ça va 🤖 שלום\nsecond line", ""], values=(1, 10))

    assert unseal(seal(payload, size=ROUND_SIZE)) == payload


def test_every_entry_of_a_round_has_the_same_length_whatever_was_answered():
    payloads = [
        _payload(comments=(), values=(), attributes={}),
        _payload(),
        _payload(comments=["x" * 4000, "y" * 4000], values=range(9)),
        _payload(comments=[_random_text(4000, string.printable), _random_text(4000, string.printable)]),
        _payload(comments=["AI 도구는 시간을 낭비합니다. " * 250]),
    ]

    lengths = {len(seal(payload, size=ROUND_SIZE)) for payload in payloads}

    assert lengths == {sealed_length(ROUND_SIZE)}


def test_a_sealed_entry_shows_no_answer_or_comment_in_clear():
    payload = _payload(attributes={"department": "Design", "team": "Product design"})

    sealed = seal(payload, size=ROUND_SIZE)

    for clear in (COMMENT[:12], "surveillance", "Design", "Product design", payload["answers"][0]["question_id"]):
        assert clear.encode() not in sealed
    assert b"question_id" not in sealed


def test_two_seals_of_the_same_payload_differ_and_have_the_same_length():
    payload = _payload()

    first, second = seal(payload, size=ROUND_SIZE), seal(payload, size=ROUND_SIZE)

    assert first != second
    assert len(first) == len(second)
    # A fresh key per entry: not even the encapsulated key is shared, so nothing orders or groups entries.
    assert first[1:33] != second[1:33]
    assert unseal(first) == unseal(second) == payload


def test_a_payload_that_would_not_fit_its_rounds_size_is_refused_not_stored_longer():
    payload = _payload(comments=[_random_text(4000, string.printable)])

    with pytest.raises(PayloadTooLarge):
        seal(payload, size=padded_size(answers=3, comment_chars=0))


def test_a_full_length_comment_in_any_script_fits_a_one_comment_size():
    size = padded_size(answers=0, comment_chars=4000)
    hangul = "".join(chr(code) for code in range(0xAC00, 0xAC00 + 2000))

    for text in (_random_text(4000, string.printable), _random_text(4000, hangul), "🤖" * 4000):
        assert len(seal(_payload(comments=[text], values=()), size=size)) == sealed_length(size)


def test_the_web_tier_seals_with_the_public_key_alone_and_cannot_open(settings):
    settings.CANDOR_SEALING_PRIVATE_KEY = None

    sealed = seal(_payload(), size=ROUND_SIZE)

    with pytest.raises(PrivateKeyMissing, match="only the publishing worker"):
        unseal(sealed)


def test_an_entry_does_not_open_with_another_private_key(settings):
    sealed = seal(_payload(), size=ROUND_SIZE)
    settings.CANDOR_SEALING_PRIVATE_KEY, _ = key_pair_new()

    with pytest.raises(SealingError, match="does not open"):
        unseal(sealed)


def test_an_altered_entry_does_not_open():
    sealed = bytearray(seal(_payload(), size=ROUND_SIZE))
    sealed[-40] ^= 1

    with pytest.raises(SealingError):
        unseal(bytes(sealed))


# --- the pool ---------------------------------------------------------------------------------------------------


def _group(round_id) -> dict:
    return {"stream": Stream.ROUND, "round_id": round_id, "period": ""}


def test_taking_a_pool_returns_every_payload_once_and_empties_it(db):
    round_id, other_round = uuid.uuid4(), uuid.uuid4()
    payloads = [_payload(values=(value,)) for value in range(1, 8)]
    for payload in payloads:
        pool_add(**_group(round_id), payload=payload, size=ROUND_SIZE)
    pool_add(**_group(other_round), payload=_payload(), size=ROUND_SIZE)

    with transaction.atomic():
        taken = pool_take(**_group(round_id))

    assert sorted(taken, key=str) == sorted(payloads, key=str)
    assert not PoolEntry.objects.filter(round_id=round_id).exists()
    assert PoolEntry.objects.filter(round_id=other_round).count() == 1


def test_a_pool_is_taken_in_a_random_order(db):
    round_id = uuid.uuid4()
    for value in range(20):
        pool_add(**_group(round_id), payload={"n": value}, size=1024)
    stored_order = [unseal(sealed)["n"] for sealed in PoolEntry.objects.order_by("id").values_list("sealed", flat=True)]

    with transaction.atomic():
        taken = [payload["n"] for payload in pool_take(**_group(round_id))]

    assert sorted(taken) == list(range(20))
    assert taken not in (list(range(20)), stored_order)  # either happens by chance once in 20! / 2


@pytest.mark.django_db(transaction=True)
def test_a_pool_is_taken_only_inside_the_publishing_transaction():
    pool_add(**_group(uuid.uuid4()), payload=_payload(), size=ROUND_SIZE)

    with pytest.raises(transaction.TransactionManagementError):
        pool_take(**_group(PoolEntry.objects.get().round_id))


def test_a_pool_that_cannot_be_opened_is_left_as_it_was(db, settings):
    round_id = uuid.uuid4()
    pool_add(**_group(round_id), payload=_payload(), size=ROUND_SIZE)
    settings.CANDOR_SEALING_PRIVATE_KEY = None

    with pytest.raises(PrivateKeyMissing), transaction.atomic():
        pool_take(**_group(round_id))

    assert PoolEntry.objects.filter(round_id=round_id).count() == 1


# --- receipts ---------------------------------------------------------------------------------------------------


def test_a_receipt_row_holds_nothing_that_leads_to_a_response():
    columns = {field.name for field in Receipt._meta.get_fields()}

    assert columns == {"id", "code_hash", "stream", "round_id", "period"}
    assert not [field for field in Receipt._meta.get_fields() if field.is_relation]
    assert "receipt_hash" not in {field.name for field in Response._meta.get_fields()}


def test_a_receipt_says_counted_then_published_once_its_round_is_published(db):
    round_id, code = uuid.uuid4(), receipt_code_new()
    receipt_add(code_hash=receipt_hash(code), **_group(round_id))

    assert receipt_status(code) == "counted"
    assert receipt_status(code.lower().replace("-", " ")) == "counted"
    assert receipt_status(receipt_code_new()) == "unknown"

    Response.objects.create(**_group(round_id), released_on="2026-01-31")

    assert receipt_status(code) == "published"


def test_receipt_codes_are_long_random_and_never_repeat():
    codes = {receipt_code_new() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(code) == 23 and code.count("-") == 3 for code in codes)


# --- SQLite -----------------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL keeps no deleted rows in the file it serves")


def test_every_sqlite_connection_zeroes_deleted_rows(sqlite):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_an_opened_pool_leaves_no_sealed_bytes_in_the_sqlite_file(sqlite):
    round_id = uuid.uuid4()
    pool_add(**_group(round_id), payload=_payload(), size=ROUND_SIZE)
    sealed = bytes(PoolEntry.objects.get().sealed)

    with transaction.atomic():
        pool_take(**_group(round_id))
    connection.close()

    assert sealed[-64:] not in Path(settings.DATABASES["default"]["NAME"]).read_bytes()


# --- keys in settings -------------------------------------------------------------------------------------------


def _settings_process(module: str, code: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CANDOR_", "REDIS_"))}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE=module)
    program = f"import django; django.setup(); from django.conf import settings as s; {code}"
    return subprocess.run(
        [sys.executable, "-c", program], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def _encoded_pair() -> tuple[str, str]:
    private_key, public_key = key_pair_new()
    return base64.b64encode(private_key).decode(), base64.b64encode(public_key).decode()


def test_production_refuses_to_start_without_a_sealing_public_key():
    result = _settings_process("config.settings.production", "print('started')", DJANGO_SECRET_KEY=STRONG_SECRET)

    assert result.returncode != 0
    assert "CANDOR_SEALING_PUBLIC_KEY" in result.stderr
    assert "started" not in result.stdout


def test_production_web_holds_the_public_key_only_and_the_worker_both():
    private_key, public_key = _encoded_pair()
    code = "import base64; print(s.CANDOR_SEALING_PRIVATE_KEY is None, base64.b64encode(s.CANDOR_SEALING_PUBLIC_KEY))"

    web = _settings_process(
        "config.settings.production", code, DJANGO_SECRET_KEY=STRONG_SECRET, CANDOR_SEALING_PUBLIC_KEY=public_key
    )
    worker = _settings_process(
        "config.settings.production", code, DJANGO_SECRET_KEY=STRONG_SECRET, CANDOR_SEALING_PRIVATE_KEY=private_key
    )

    assert web.stdout.split() == ["True", f"b'{public_key}'"], web.stderr
    assert worker.stdout.split() == ["False", f"b'{public_key}'"], worker.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"CANDOR_SEALING_PUBLIC_KEY": "not-base64!"}, "CANDOR_SEALING_PUBLIC_KEY='not-base64!' is invalid"),
        ({"CANDOR_SEALING_PRIVATE_KEY": base64.b64encode(b"short").decode()}, "CANDOR_SEALING_PRIVATE_KEY="),
        (
            {"CANDOR_SEALING_PRIVATE_KEY": _encoded_pair()[0], "CANDOR_SEALING_PUBLIC_KEY": _encoded_pair()[1]},
            "do not belong together",
        ),
    ],
)
def test_a_bad_sealing_key_stops_the_start_with_a_message_naming_it(variables, message):
    result = _settings_process("config.settings.local", "print('started')", **variables)

    assert result.returncode != 0
    assert message in result.stderr
    assert "sealing_keygen" in result.stderr


def test_the_embedded_default_derives_one_pair_that_every_process_shares():
    code = (
        "import base64; print(s.CANDOR_SEALING_KEYS_DERIVED, base64.b64encode(s.CANDOR_SEALING_PRIVATE_KEY).decode())"
    )

    first = _settings_process("config.settings.local", code, DJANGO_SECRET_KEY=STRONG_SECRET)
    second = _settings_process("config.settings.local", code, DJANGO_SECRET_KEY=STRONG_SECRET)
    other_secret = _settings_process("config.settings.local", code, DJANGO_SECRET_KEY=STRONG_SECRET + "x")

    assert first.stdout == second.stdout, first.stderr
    assert first.stdout.split()[0] == "True"
    assert other_secret.stdout != first.stdout


def test_keygen_prints_a_pair_the_settings_accept(capsys):
    call_command("sealing_keygen")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())

    result = _settings_process(
        "config.settings.local",
        "print('started')",
        CANDOR_SEALING_PUBLIC_KEY=lines["CANDOR_SEALING_PUBLIC_KEY"],
        CANDOR_SEALING_PRIVATE_KEY=lines["CANDOR_SEALING_PRIVATE_KEY"],
    )

    assert result.stdout.strip() == "started", result.stderr
