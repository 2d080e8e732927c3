"""Settings shared by every environment. Each environment variable is read here, once."""

from pathlib import Path

from csp.constants import NONE, SELF

from config.settings import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.string("CANDOR_VAR_DIR", str(BASE_DIR / "var")))

# --- core ---------------------------------------------------------------------------------
DEBUG = env.boolean("DJANGO_DEBUG", default=False)
INSECURE_DEFAULT_SECRET_KEY = "insecure-candor-development-key-never-use-in-production"  # noqa: S105 (refused by production.py)
SECRET_KEY = env.string("DJANGO_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.string_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.string_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "auditlog",
]
LOCAL_APPS = [
    "accounts",
    "surveys",
    "feedback",
    "sentiment",
    "reports",
    "health",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "config.request_guard.content_length_check",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The change log's actor is the person whose request made the change.
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'candor.sqlite3'}"
DATABASES = {"default": env.database("DATABASE_URL", DEFAULT_SQLITE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DJANGO_CONN_MAX_AGE", 0, minimum=0)
# A kept connection that a database restart broke is replaced when a request starts, instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
USING_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if USING_SQLITE:
    # SQLite cannot create the folder its file lives in; a fresh clone has no var/ yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Deleted rows (the sealed pool, once opened) are overwritten with zeros instead of lingering in free pages.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA secure_delete = ON;"
    # Each transaction takes the write lock when it begins, so a submission and a round's close take turns (the
    # submission reads the round's state only once the close has committed) instead of one of them failing midway.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and login -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Accounts come from the HR roster, whose addresses the organisation already vouches for.
ACCOUNT_EMAIL_VERIFICATION = "none"
# ...and the roster is the only source of them: a second, self-added address made primary would hijack a roster row.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 300
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Candor] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.string("CANDOR_HTTP_PROTOCOL", "http")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Login rate limits count per client address. Behind a reverse proxy every request comes from the proxy, so say
# how many proxies append to X-Forwarded-For; with 0 (gunicorn facing clients) that spoofable header is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.integer("CANDOR_TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_TOTP_ISSUER = "Candor"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# k for always-open feedback, which belongs to no round.
CANDOR_OPEN_FEEDBACK_K = env.integer("CANDOR_OPEN_FEEDBACK_K", 5, minimum=3)
# Where people reach Candor: the base of links in invitation and reminder e-mails.
CANDOR_SITE_URL = env.string("CANDOR_SITE_URL", "http://127.0.0.1:8000")
# Theme backend: "auto" uses sentence embeddings when requirements-embeddings.txt is installed, else TF-IDF.
CANDOR_THEMES_BACKEND = env.string("CANDOR_THEMES_BACKEND", "auto")
# Always-open comments one person may send per month.
CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT = env.integer("CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT", 5, minimum=1)

# Submissions wait for their round's close sealed to an X25519 key pair (feedback/sealing.py), as raw keys in base64
# (`manage.py sealing_keygen`). The web tier needs the public key only; only the publishing worker is given the
# private one. With neither set (make run, the tests) the pair is derived from SECRET_KEY: production.py refuses that.
CANDOR_SEALING_PRIVATE_KEY, CANDOR_SEALING_PUBLIC_KEY, CANDOR_SEALING_KEYS_DERIVED = env.sealing_key_pair(
    "CANDOR_SEALING_PRIVATE_KEY", "CANDOR_SEALING_PUBLIC_KEY", fallback_secret=SECRET_KEY
)

# Comment text of rounds closed, and of always-open months ended, this many months ago is deleted; scores, themes
# and reports are kept. 0 keeps comment text for as long as the database does.
CANDOR_RETENTION_MONTHS = env.integer("CANDOR_RETENTION_MONTHS", 24, minimum=0)

# Demo accounts are only ever created where this is on (make run and the tests).
CANDOR_DEMO_DATA_ALLOWED = env.boolean("CANDOR_DEMO_DATA_ALLOWED", default=False)

# --- e-mail -------------------------------------------------------------------------------
_email = env.email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL = env.string("DJANGO_DEFAULT_FROM_EMAIL", "Candor <candor@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- cache --------------------------------------------------------------------------------
REDIS_URL = env.url("REDIS_URL", None, schemes=("redis", "rediss"))
# The cache gets its own Redis database, so that clearing it can never drop queued Celery messages.
REDIS_CACHE_URL = env.url("REDIS_CACHE_URL", env.redis_database(REDIS_URL, 1), schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Reads miss and writes are dropped while Redis is away; rate-limited actions are refused (config/cache.py).
            "BACKEND": "config.cache.OutageTolerantRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            # A Redis that hangs (failover, a dropped connection) costs a request a second instead of hanging it.
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env.string("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- security -----------------------------------------------------------------------------
# Encrypted and dated by the day only, so that a database copy does not tell who logged in when (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every page works under this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}
# The change log (surveys/changelog.py) records who changed what, not from where.
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
# Request bodies can hold comments; cap them so an oversize post is refused early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
# Without Redis: kombu's filesystem queue, with messages that readers see only once written whole (config/broker.py).
CELERY_BROKER_TRANSPORT = None if REDIS_URL else "config.broker:FilesystemTransport"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    # An unacknowledged task (its worker was killed) goes back to the queue after this many seconds.
    # It must outlast the longest countdown, or a delayed task would be delivered twice.
    {
        "visibility_timeout": env.integer("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
        # Without these a publish to a Redis that hangs waits forever, and the submission with it. The read
        # timeout stays above kombu's one-second BRPOP wait, or an idle worker would time out on every poll.
        "socket_connect_timeout": 2.0,
        "socket_timeout": 2.0,
    }
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        # The filesystem queue is polled; the default second per message makes a local run sluggish.
        "polling_interval": 0.1,
    }
)
# The filesystem broker cannot create its own folders; a fresh clone has none yet.
for _key in ("data_folder_in", "control_folder"):
    if _key in CELERY_BROKER_TRANSPORT_OPTIONS:
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_key]).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "record-worker-heartbeat": {"task": "health.tasks.record_heartbeat", "schedule": 60.0},
    "publish-closed-rounds-and-ended-months": {"task": "reports.tasks.publications_due", "schedule": 300.0},
    "advance-rounds": {"task": "surveys.tasks.rounds_advance", "schedule": 60.0},
    "send-due-reminders": {"task": "surveys.tasks.reminders_due", "schedule": 3600.0},
    "delete-expired-comment-text": {"task": "surveys.tasks.comment_text_retention_apply", "schedule": 86400.0},
}

# --- NLTK ---------------------------------------------------------------------------------
NLTK_DATA_DIR = Path(env.string("NLTK_DATA", str(VAR_DIR / "nltk_data")))

# --- logging ------------------------------------------------------------------------------
LOG_LEVEL = env.string("DJANGO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_request": {"()": "config.logging.ScrubRequestFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub_request"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (mail_admins) would attach the whole request; route to ours only.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
