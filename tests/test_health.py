import pytest
from django.test import override_settings
from django.urls import reverse

from health.services import heartbeat_record

CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"


def test_health_says_ok_when_the_database_and_broker_answer(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_health_says_503_when_the_broker_is_down(client, db):
    with override_settings(CELERY_BROKER_URL=CLOSED_PORT_BROKER, CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["broker"] == "unreachable"


def test_health_reports_when_a_worker_was_last_seen_to_the_minute(client, db):
    heartbeat_record(worker="worker-1")

    seen = client.get(reverse("healthz")).json()["worker_last_seen"]

    assert seen is not None
    assert seen.count(":") == 2  # hh:mm and the zone offset; no seconds


def test_health_needs_no_login_and_is_never_cached(client, db):
    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.usefixtures("redis")
def test_health_reaches_the_real_redis_broker(client, db, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    assert client.get(reverse("healthz")).json()["checks"]["broker"] == "ok"
