"""Typed readers for environment variables.

Every variable the project reads goes through one of these, once, in ``base.py`` or a
settings module that extends it. A bad value stops the process at start with a message
that names the variable and says what it expects, instead of being silently coerced.
"""

import base64
import hashlib
import os
from urllib.parse import urlsplit, urlunsplit

import environ
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    return os.environ.get(name)


def _invalid(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}={value!r} is invalid: expected {expected}.")


def string(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise _invalid(name, value, "one of 1/0, true/false, yes/no, on/off")


def integer(name: str, default: int, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _invalid(name, value, "a whole number") from None
    if minimum is not None and number < minimum:
        raise _invalid(name, value, f"a whole number of at least {minimum}")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


SUPPORTED_DATABASE_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def database(name: str, default: str) -> dict:
    value = _raw(name) or default
    expected = "a database URL such as postgres://user@host:5432/name or sqlite:////absolute/path"
    try:
        config = environ.Env.db_url_config(value)
    except Exception:  # django-environ raises several types for a bad URL
        raise _invalid(name, value, expected) from None
    if config.get("ENGINE") not in SUPPORTED_DATABASE_ENGINES:
        raise _invalid(name, value, expected)
    return config


def email(name: str, default: str) -> dict:
    value = _raw(name) or default
    try:
        return environ.Env.email_url_config(value)
    except Exception as error:
        raise _invalid(name, value, f"an e-mail URL such as smtp://host:25 or consolemail:// ({error})") from None


def url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    value = _raw(name)
    if not value:
        return default
    if not value.startswith(tuple(f"{scheme}://" for scheme in schemes)):
        raise _invalid(name, value, "a URL starting with " + " or ".join(f"{s}://" for s in schemes))
    return value


def redis_database(redis_url: str | None, database: int) -> str | None:
    """The same Redis server with another database number."""
    if not redis_url:
        return None
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def x25519_key(name: str) -> bytes | None:
    """A raw 32-byte X25519 key written in base64, as ``manage.py sealing_keygen`` prints it."""
    value = _raw(name)
    if not value:
        return None
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise _invalid(name, value, "a 32-byte X25519 key in base64, as printed by `python manage.py sealing_keygen`")
    return key


def sealing_key_pair(private_name: str, public_name: str, fallback_secret: str) -> tuple[bytes | None, bytes, bool]:
    """(private key or None, public key, derived?) for sealing submissions.

    With neither variable set the pair is derived from ``fallback_secret`` (the embedded default and the tests;
    production.py refuses it). With the private key alone the public key is computed from it; with both they
    must belong together.
    """
    private, public = x25519_key(private_name), x25519_key(public_name)
    derived = private is None and public is None
    if derived:
        private = hashlib.sha256(f"candor-sealing-key:{fallback_secret}".encode()).digest()
    if private is None:
        return None, public, derived
    computed = X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    if public not in (None, computed):
        raise ImproperlyConfigured(
            f"Environment variables {private_name} and {public_name} do not belong together: give the public key "
            "that `python manage.py sealing_keygen` printed with this private key, or leave it out."
        )
    return private, computed, derived
