"""Sessions kept in the database, but unreadable and undated in a copy of it.

Django stores a session as signed, not encrypted, JSON: a database copy would show who is logged in (user id, e-mail
address, login-code requests) and, from the expiry date, when to the second they logged in, which for most
employees is when they answered. Here the data is encrypted (AES-GCM, a key derived from the secret key, a random
nonce, no time inside) and the expiry is moved to the end of its day.
"""

import base64
import hashlib
import os
from datetime import datetime, time, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils import timezone

NONCE_BYTES = 12


def _cipher() -> AESGCM:
    key = hashlib.sha256(f"candor-sessions:{settings.SECRET_KEY}".encode()).digest()
    return AESGCM(key)


def end_of_day(moment: datetime) -> datetime:
    """The last moment of ``moment``'s day (in the site's time zone): the expiry a copy of the database shows."""
    local = timezone.localtime(moment)
    return datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo) - timedelta(seconds=1)


class SessionStore(db.SessionStore):
    def encode(self, session_dict) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = _cipher().encrypt(nonce, super().encode(session_dict).encode(), None)
        return base64.b64encode(nonce + sealed).decode("ascii")

    def decode(self, session_data: str) -> dict:
        try:
            raw = base64.b64decode(session_data)
            signed = _cipher().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
        except (ValueError, InvalidTag):
            return {}  # written before encryption, or altered: an empty session, as Django does for a bad signature
        return super().decode(signed)

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.expire_date = end_of_day(session.expire_date)
        return session
