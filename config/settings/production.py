"""Production: PostgreSQL, Redis, HTTPS. Refuses to start on an unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from config.settings import env
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    CANDOR_SEALING_KEYS_DERIVED,
    DATABASES,
    INSECURE_DEFAULT_SECRET_KEY,
    SECRET_KEY,
    STORAGES,
)

if not SECRET_KEY or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "Environment variable DJANGO_SECRET_KEY is missing or unsafe: production needs a random "
        "secret of at least 50 characters, not the development default."
    )

if CANDOR_SEALING_KEYS_DERIVED:
    raise ImproperlyConfigured(
        "Environment variable CANDOR_SEALING_PUBLIC_KEY is missing: production seals submissions to a key pair of "
        "its own. Make one with `python manage.py sealing_keygen`, give the public key to web and beat and the "
        "private key (CANDOR_SEALING_PRIVATE_KEY) to the worker only."
    )

DEBUG = False
# gunicorn workers keep their database connection between requests instead of opening one per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DJANGO_CONN_MAX_AGE", 60, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The container health check calls /healthz over plain http from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.integer("DJANGO_SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
