"""Settings for the servers a test starts (gunicorn, a Celery worker): the test settings, with a queue and cache
namespace of their own, so that the suite's own worker never takes their tasks, and the trivial logged-in page
bench/urls.py adds as a latency baseline.
"""

from config.settings import env
from config.settings.test import *  # noqa: F403
from config.settings.test import CACHES, CELERY_BEAT_SCHEDULE

ROOT_URLCONF = "bench.urls"
CELERY_TASK_DEFAULT_QUEUE = env.string("CANDOR_LIVE_QUEUE", "candor-live")
CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": env.string("CANDOR_LIVE_CACHE_PREFIX", "candor-live")}}
# A fault test's beat fires every entry this often (0: the product's schedule), to see the sweepers at work.
CANDOR_LIVE_BEAT_SECONDS = env.integer("CANDOR_LIVE_BEAT_SECONDS", 0, minimum=0)
if CANDOR_LIVE_BEAT_SECONDS:
    CELERY_BEAT_SCHEDULE = {
        name: {**entry, "schedule": CANDOR_LIVE_BEAT_SECONDS} for name, entry in CELERY_BEAT_SCHEDULE.items()
    }
