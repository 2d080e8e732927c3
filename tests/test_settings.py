"""Settings are checked in fresh interpreters, because settings modules act once, at import."""

import os
import subprocess
import sys

from django.conf import settings

STRONG_SECRET = "k3Qv9-strong-random-secret-for-tests-only-0123456789abcdef"
# A public key as `manage.py sealing_keygen` prints it: production refuses to start without one.
SEALING_PUBLIC_KEY = "XO0Vz4N7MARvUYmhUp61zDp7JFkN5i68iFn7321AYRQ="


def _settings_process(module: str, code: str, **env_overrides: str) -> subprocess.CompletedProcess:
    # Only what a test passes may change the result; REDIS_CACHE_URL, say, would override what REDIS_URL implies.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CANDOR_", "REDIS_"))}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = module
    program = f"import django; django.setup(); from django.conf import settings as s; {code}"
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_process("config.settings.production", "print('started')")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "started" not in result.stdout


def test_production_refuses_to_start_with_the_development_secret_key():
    result = _settings_process(
        "config.settings.production",
        "print('started')",
        DJANGO_SECRET_KEY=settings.INSECURE_DEFAULT_SECRET_KEY,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_strong_secret_and_turns_on_https_protections():
    code = (
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    keys = {"DJANGO_SECRET_KEY": STRONG_SECRET, "CANDOR_SEALING_PUBLIC_KEY": SEALING_PUBLIC_KEY}
    result = _settings_process("config.settings.production", code, **keys)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True"]


def test_production_passes_djangos_deployment_checks():
    code = (
        "from django.core.management import call_command; call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = _settings_process(
        "config.settings.production",
        code,
        DJANGO_SECRET_KEY=STRONG_SECRET,
        DJANGO_ALLOWED_HOSTS="candor.example.com",
        CANDOR_SEALING_PUBLIC_KEY=SEALING_PUBLIC_KEY,
    )

    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_it_is_set():
    assert _settings_process("config.settings.test", "print(s.DEBUG)").stdout.strip() == "False"
    assert _settings_process("config.settings.test", "print(s.DEBUG)", DJANGO_DEBUG="1").stdout.strip() == "True"


def test_a_bad_value_names_the_variable_and_what_it_expects():
    result = _settings_process("config.settings.test", "print('started')", DJANGO_DEBUG="maybe")

    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is invalid: expected one of 1/0, true/false" in result.stderr


def test_a_bad_database_url_names_the_variable():
    result = _settings_process("config.settings.test", "print('started')", DATABASE_URL="nonsense://x")

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_the_plain_run_falls_back_to_sqlite_and_a_local_filesystem_broker():
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    code = "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    result = _settings_process("config.settings.local", code, **env)

    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://localhost/"]


def test_the_cache_and_the_broker_use_different_redis_databases():
    code = "print(s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL)"
    result = _settings_process("config.settings.test", code, REDIS_URL="redis://127.0.0.1:6379/0")

    assert result.stdout.split() == ["redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/0"]
