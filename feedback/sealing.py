"""Sealing submissions: encrypted to the publishing worker's key, padded to one size, with no time inside.

HPKE (RFC 9180, base mode) with a fresh X25519 key per entry, HKDF-SHA256 and ChaCha20-Poly1305. The web tier holds
the public key only, so it can seal and never open; the publishing worker holds the private key. The payload is
compressed and padded to a size fixed per round (``padded_size``) before encryption, so every entry of a round has
the same length whatever was answered; nothing in an entry says when it was made (unlike a Fernet token).
"""

import functools
import json
import struct
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.conf import settings

VERSION = b"\x01"
_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
_INFO = b"candor pool entry v1"
_LENGTH = struct.Struct(">I")
_ENCAPSULATED_KEY_BYTES = 32
_TAG_BYTES = 16

# A payload's compressed bytes must fit its round's size. The budget: the attributes and JSON framing, each answer
# (a question id and a value, or up to 20 chosen indexes), and two bytes per character a comment may hold, which
# any natural text in any script fits once compressed. Sizes are whole KiB.
BASE_BYTES = 2048
ANSWER_BYTES = 128
COMMENT_CHAR_BYTES = 2
SIZE_STEP = 1024
# Opening never inflates an entry beyond this, whatever a forged one holds.
_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024


class SealingError(Exception):
    """An entry that cannot be sealed or opened."""


class PayloadTooLarge(SealingError):
    """The payload does not fit its round's size: storing it longer would tell it apart, so it is refused."""


class PrivateKeyMissing(SealingError):
    """This process holds no private key: only the publishing worker may open the pool."""


def padded_size(*, answers: int, comment_chars: int) -> int:
    """The plaintext size of every entry of a round with this many answers and comment characters at most."""
    budget = BASE_BYTES + answers * ANSWER_BYTES + comment_chars * COMMENT_CHAR_BYTES
    return -(-budget // SIZE_STEP) * SIZE_STEP


def sealed_length(size: int) -> int:
    """The length of every sealed entry of a round whose padded size is ``size``."""
    return len(VERSION) + _ENCAPSULATED_KEY_BYTES + size + _TAG_BYTES


def seal(payload: dict, *, size: int) -> bytes:
    """Encrypt ``payload`` to the worker's public key, padded to ``size`` bytes. PayloadTooLarge if it does not fit."""
    framed = _framed(payload)
    if len(framed) > size:
        raise PayloadTooLarge(f"The payload needs {len(framed)} bytes once compressed; its round's size is {size}.")
    padded = framed + bytes(size - len(framed))
    return VERSION + _SUITE.encrypt(padded, _public_key(settings.CANDOR_SEALING_PUBLIC_KEY), info=_INFO)


def unseal(blob: bytes) -> dict:
    """Open an entry sealed by ``seal``. Only a process given CANDOR_SEALING_PRIVATE_KEY can."""
    raw_private_key = settings.CANDOR_SEALING_PRIVATE_KEY
    if raw_private_key is None:
        raise PrivateKeyMissing(
            "CANDOR_SEALING_PRIVATE_KEY is not set in this process: only the publishing worker can open sealed "
            "submissions."
        )
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise SealingError("This sealed entry has an unknown version.")
    try:
        padded = _SUITE.decrypt(blob[1:], _private_key(raw_private_key), info=_INFO)
    except InvalidTag:
        raise SealingError("This sealed entry does not open with this private key, or was altered.") from None
    return _unframed(padded)


def _framed(payload: dict) -> bytes:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    packed = zlib.compress(text.encode(), level=9)
    return _LENGTH.pack(len(packed)) + packed


def _unframed(padded: bytes) -> dict:
    (length,) = _LENGTH.unpack_from(padded)
    packed = padded[_LENGTH.size : _LENGTH.size + length]
    inflater = zlib.decompressobj()
    text = inflater.decompress(packed, _MAX_PAYLOAD_BYTES)
    if inflater.unconsumed_tail or not inflater.eof:
        raise SealingError("This sealed entry holds more than any submission can.")
    return json.loads(text)


@functools.lru_cache(maxsize=4)
def _public_key(raw: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(raw)


@functools.lru_cache(maxsize=4)
def _private_key(raw: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(raw)


def key_pair_new() -> tuple[bytes, bytes]:
    """A fresh (private, public) pair of raw X25519 keys."""
    private_key = X25519PrivateKey.generate()
    return private_key.private_bytes_raw(), private_key.public_key().public_bytes_raw()
