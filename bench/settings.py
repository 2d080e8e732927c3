"""Settings for bench/submit.py: the base settings as a server runs them, plus one baseline page."""

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
# Fixed so that the sessions the benchmark writes are valid in every process it starts.
SECRET_KEY = "candor-bench-only-secret-key-for-a-throwaway-database-0123456789"  # noqa: S105

# Other engineers' test runs share this Redis: our tasks and cache entries must never mix with theirs.
CELERY_TASK_DEFAULT_QUEUE = "candor-bench"
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": "candor-bench"}}
