"""Deployment audit: Django's `check --deploy` on the production settings, run as docker-compose runs them.

tests/test_settings.py checks that production passes at the WARNING level; this runs the real `manage.py` with
the compose stack's environment and wants no message at any level, and shows that the check can still fail.
The dependency and code audits (pip-audit, bandit) need the network and run as `make audit`, not here.
"""

import base64
import secrets
import subprocess
import sys

from django.conf import settings

from feedback.sealing import key_pair_new

NO_ISSUES = "System check identified no issues (0 silenced)."


def _deploy_check(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "candor.example.com",
        "DATABASE_URL": "postgres://candor:candor@postgres:5432/candor",
        "REDIS_URL": "redis://redis:6379/0",
        "EMAIL_URL": "smtp://mail.example.com:587",
        "CANDOR_VAR_DIR": str(tmp_path / "var"),
        # The web tier's half of the sealing key pair, as .env gives it to web and beat.
        "CANDOR_SEALING_PUBLIC_KEY": base64.b64encode(key_pair_new()[1]).decode(),
    } | overrides
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"]
    return subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


def test_the_production_stack_passes_every_deployment_check_without_a_single_message(tmp_path):
    result = _deploy_check(tmp_path)

    assert result.returncode == 0, result.stderr
    assert NO_ISSUES in result.stdout


def test_the_deployment_check_still_catches_a_weakened_setting(tmp_path):
    result = _deploy_check(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W004" in result.stderr
