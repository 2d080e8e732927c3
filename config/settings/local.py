"""The embedded default: one machine, SQLite, a local Celery worker on the filesystem broker."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("CANDOR_DEMO_DATA_ALLOWED", "1")

from config.settings.base import *  # noqa: F403

if not os.environ.get("EMAIL_URL"):
    EMAIL_BACKEND = "accounts.demo_mail.DemoConsoleEmailBackend"
