"""Settings for the test suite. Services come from DATABASE_URL and REDIS_URL when they are set."""

import os
from pathlib import Path

os.environ.setdefault("CANDOR_DEMO_DATA_ALLOWED", "1")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, USING_SQLITE, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite's own process keeps e-mail in memory whatever this says (Django's test set-up sees to it); a worker
# process the suite starts is given EMAIL_URL, the tests' SMTP sink, and sends its e-mail there.
if not os.environ.get("EMAIL_URL"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A file, not memory, so that a Celery worker started by a test can open the same database.
if USING_SQLITE:
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# Keep the test suite's filesystem broker apart from a `make run` on the same checkout.
if not REDIS_URL:  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "test-broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "test-broker" / "queue"),
        "control_folder": str(VAR_DIR / "test-broker" / "control"),
        "polling_interval": 0.1,
    }
    for _key in ("data_folder_in", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_key]).mkdir(parents=True, exist_ok=True)

# Serve static files straight from the app folders; the suite never runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The same themes on every machine, whether or not the optional embeddings are installed.
CANDOR_THEMES_BACKEND = "tfidf"
