import random
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from feedback import services as feedback_services
from feedback.models import Answer, Comment, PoolEntry, Response
from tests import factories, services
from tests.smtp_sink import SmtpSink
from tests.worker import worker_start


def pytest_report_header(config):
    return services.describe()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache (locmem or Redis) outlives a test; start each one without what the last one cached."""
    cache.clear()


@pytest.fixture
def employee(db):
    return factories.employee(email="employee@example.com")


@pytest.fixture
def hr(db):
    return factories.hr_analyst(email="hr@example.com")


@pytest.fixture
def admin(db):
    return factories.survey_admin(email="admin@example.com")


@pytest.fixture
def outsider(db):
    """Has an account but no role: for example someone removed from the roster."""
    return factories.UserFactory(email="outsider@example.com")


@pytest.fixture
def client_as():
    def logged_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return logged_in


@pytest.fixture
def postgres():
    services.require("PostgreSQL", services.postgres_available())


@pytest.fixture
def redis():
    services.require("Redis", services.redis_available())


@pytest.fixture(scope="session")
def smtp_sink():
    """A real SMTP server on the loopback. The session's worker sends its e-mail (invitations, reminders) here."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, tmp_path_factory, smtp_sink):
    worker = worker_start(tmp_path_factory.mktemp("celery"), extra_env={"EMAIL_URL": smtp_sink.url})
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(_celery_worker_process, transactional_db):
    """A real worker process on the configured broker (Redis in CI, the filesystem queue otherwise).

    One process serves the whole session; tests that use it commit, so the worker sees their rows.
    """
    yield _celery_worker_process
    _celery_worker_process.wait_until_idle()


@pytest.fixture
def seeded_randomness(monkeypatch):
    """The same shuffles on every run, so that a statistical check cannot fail one run in a few hundred.

    Seeding the shuffle alone is not enough: it starts from rows read in the order of their random UUIDs, so those
    are drawn from a seed too. Production draws both from the system's randomness.
    """
    monkeypatch.setattr(feedback_services, "_shuffler", random.Random(20261125))
    keys = random.Random(7)
    for model in (PoolEntry, Response, Answer, Comment):
        monkeypatch.setattr(model._meta.pk, "_get_default", lambda: uuid.UUID(int=keys.getrandbits(128), version=4))
