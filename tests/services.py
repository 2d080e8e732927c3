"""Which real services this test run has, and what a test does when one it needs is missing."""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def redis_available() -> bool:
    return bool(settings.REDIS_URL) and _answers(settings.REDIS_URL, 6379)


def require(service: str, available: bool) -> None:
    """Skip the test without the service; under REQUIRE_SERVICES=1 (CI) fail it instead."""
    if available:
        return
    message = f"{service} is not available (set DATABASE_URL / REDIS_URL to run this test)"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


def describe() -> str:
    database = "PostgreSQL" if postgres_available() else "SQLite (no DATABASE_URL)"
    broker = "Redis" if redis_available() else "filesystem queue (no REDIS_URL)"
    required = "required" if REQUIRE_SERVICES else "optional"
    return f"candor services ({required}): database={database}, broker={broker}"
