from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_beat_postgres_and_redis():
    assert set(_compose()["services"]) == {"web", "worker", "beat", "postgres", "redis"}


def test_compose_health_checks_the_services_others_wait_for():
    services = _compose()["services"]

    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_keeps_postgres_data_in_a_named_volume():
    compose = _compose()

    volume = compose["services"]["postgres"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_the_image_installs_the_vader_lexicon_at_build_time():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "manage.py install_vader_lexicon" in dockerfile
    assert "nltk.download" not in dockerfile
