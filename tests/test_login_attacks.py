"""Attacks on the way in: guessing, hammering, fixing a session, skipping the second factor, reusing a cookie.

The rate limits are counted in the configured cache: Redis when REDIS_URL is set (as in production, where
several gunicorn workers must share one count), process memory otherwise.
"""

import re
import time
from importlib import import_module

import pytest
import redis as redis_client
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import roles
from tests import factories
from tests.rounds import open_round_with, people
from tests.test_settings import _settings_process

PASSWORD = "correct-horse-battery-staple-42"
TOO_MANY_ATTEMPTS = b"Too many failed login attempts"
CODE_PATTERN = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
# URLs under these prefixes show HR or admin content; none may answer a half-logged-in visitor.
PROTECTED_PREFIXES = ("hr/", "manage/", "django-admin/")


def _session_exists(session_key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def staff(db):
    """Both staff roles and a TOTP device: the account an attacker most wants."""
    user = factories.UserFactory(
        email="staff@example.com",
        roles=[roles.HR_ANALYST, roles.SURVEY_ADMIN, roles.EMPLOYEE],
        totp_secret=True,
    )
    return _with_password(user)


@pytest.fixture
def person(db):
    return _with_password(factories.employee(email="person@example.com"))


def _password_login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _request_code(client, email):
    mail.outbox.clear()
    return client.post(reverse("account_request_login_code"), {"email": email})


def _mailed_code() -> str:
    return CODE_PATTERN.search(mail.outbox[-1].body).group(1)


def _current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def _wrong_totp(secret: str) -> str:
    right = _current_totp(secret)
    return next(code for code in ("000000", "111111") if code != right)


def _is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


def _refused(response) -> bool:
    return response.status_code == 429 or TOO_MANY_ATTEMPTS in response.content


# --- rate limits ----------------------------------------------------------------------------------------------


def test_guessing_one_persons_password_locks_the_account_even_against_the_right_password(client, person):
    for _ in range(5):
        assert _password_login(client, person.email, "wrong-guess-123456").status_code == 200

    response = _password_login(client, person.email, PASSWORD)

    assert _refused(response)
    assert not _is_logged_in(client)


def test_the_lock_holds_for_a_fresh_client_with_new_cookies(client, person):
    for _ in range(5):
        _password_login(client, person.email, "wrong-guess-123456")

    fresh = Client()
    response = _password_login(fresh, person.email, PASSWORD)

    assert _refused(response)
    assert not _is_logged_in(fresh)


def test_spraying_many_accounts_from_one_address_is_refused(client, db):
    responses = [_password_login(client, f"guess{n}@example.com", "wrong-guess-123456") for n in range(12)]

    assert not any(_refused(response) for response in responses[:10])
    assert _refused(responses[-1])


def test_a_spoofed_forwarded_for_header_does_not_give_a_fresh_allowance(db):
    attacker = Client()
    responses = [
        attacker.post(
            reverse("account_login"),
            {"login": f"guess{n}@example.com", "password": "wrong-guess-123456"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        for n in range(12)
    ]

    assert _refused(responses[-1])


def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        Client().post(
            reverse("account_login"),
            {"login": f"guess{n}@example.com", "password": "wrong-guess-123456"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )

    other = Client().post(
        reverse("account_login"),
        {"login": "someone@example.com", "password": "wrong-guess-123456"},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    blocked = Client().post(
        reverse("account_login"),
        {"login": "someone@example.com", "password": "wrong-guess-123456"},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert not _refused(other)
    assert _refused(blocked)


def test_requesting_login_codes_for_one_address_is_refused_after_three(person):
    for _ in range(3):
        assert _request_code(Client(), person.email).status_code == 302

    response = _request_code(Client(), person.email)

    assert response.status_code == 200
    assert TOO_MANY_ATTEMPTS in response.content
    assert mail.outbox == []


def test_three_wrong_login_codes_burn_the_code(client, person):
    _request_code(client, person.email)
    code = _mailed_code()

    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
        client.post(reverse("account_confirm_login_code"), {"code": guess})
    client.post(reverse("account_confirm_login_code"), {"code": code})

    assert not _is_logged_in(client)


def test_a_login_code_works_only_in_the_browser_that_asked_for_it(client, person):
    _request_code(client, person.email)
    interceptor = Client()

    interceptor.post(reverse("account_confirm_login_code"), {"code": _mailed_code()})

    assert not _is_logged_in(interceptor)


def test_guessing_totp_codes_is_refused_even_for_the_right_code(client, staff):
    secret = staff.totp_secret_for_tests
    assert _password_login(client, staff.email, PASSWORD)["Location"] == reverse("mfa_authenticate")

    for _ in range(5):
        assert client.post(reverse("mfa_authenticate"), {"code": _wrong_totp(secret)}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": _current_totp(secret)})

    assert _refused(response)
    assert not _is_logged_in(client)


def test_rate_limit_counts_live_in_redis_where_every_web_worker_sees_them(client, person, redis):
    for _ in range(2):
        _password_login(client, person.email, "wrong-guess-123456")

    connection = redis_client.Redis.from_url(settings.REDIS_CACHE_URL)
    assert any(b"allauth:rl:allauth.account:login_failed" in key for key in connection.scan_iter(count=1000))


# --- sessions -------------------------------------------------------------------------------------------------


def _session_key_before_login(client) -> str:
    client.get(reverse("account_login"))
    session = client.session
    session["visited"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def test_a_password_login_gives_a_new_session_key(client, person):
    planted = _session_key_before_login(client)

    _password_login(client, person.email, PASSWORD)

    assert _is_logged_in(client)
    assert client.session.session_key != planted
    assert not _session_exists(planted)


def test_a_code_login_gives_a_new_session_key(client, person):
    _request_code(client, person.email)
    planted = client.session.session_key

    client.post(reverse("account_confirm_login_code"), {"code": _mailed_code()})

    assert _is_logged_in(client)
    assert client.session.session_key != planted


def test_finishing_the_second_factor_gives_a_new_session_key(client, staff):
    _password_login(client, staff.email, PASSWORD)
    half_logged_in = client.session.session_key

    client.post(reverse("mfa_authenticate"), {"code": _current_totp(staff.totp_secret_for_tests)})

    assert _is_logged_in(client)
    assert client.session.session_key != half_logged_in
    assert not _session_exists(half_logged_in)


def test_logging_out_kills_the_session_on_the_server(client, person):
    _password_login(client, person.email, PASSWORD)
    stolen_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("account_logout"))

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen_cookie
    assert not _session_exists(stolen_cookie)
    assert replay.get(reverse("surveys:employee_home")).status_code == 302


def test_a_get_to_logout_does_not_log_anyone_out(client, person):
    _password_login(client, person.email, PASSWORD)

    client.get(reverse("account_logout"))

    assert _is_logged_in(client)


# --- the second factor cannot be skipped ----------------------------------------------------------------------


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _concrete(route: str, ids: dict[str, str], export: str) -> str:
    path = re.sub(r"<uuid:(\w+)>", lambda match: ids[match.group(1)], route)
    path = re.sub(r"<str:export>", export, path)
    path = re.sub(r"<(?:path:|int:)?\w+>", "1", path)
    return "/" + path


def _protected_urls(ids: dict[str, str]) -> list[str]:
    # Regular-expression routes (the admin's app index and catch-all) are covered by one concrete example each.
    routes = [route for route in _routes(get_resolver().url_patterns) if "(" not in route and "^" not in route]
    routes = [route for route in routes if route.startswith(PROTECTED_PREFIXES)]
    urls = {_concrete(route, ids, export) for route in routes for export in ("csv", "pdf")}
    return sorted(urls | {"/django-admin/accounts/", "/django-admin/no-such-page/"})


@pytest.fixture
def object_ids(db):
    from surveys.models import RosterImport

    round = open_round_with(people(3), k=3)
    question = factories.QuestionFactory()
    roster_import = RosterImport.objects.create(file_name="roster.csv")
    return {"round_id": str(round.id), "question_id": str(question.id), "import_id": str(roster_import.id)}


def _half_logged_in_clients(staff) -> dict[str, Client]:
    by_password = Client()
    assert _password_login(by_password, staff.email, PASSWORD)["Location"] == reverse("mfa_authenticate")
    by_code = Client()
    _request_code(by_code, staff.email)
    confirmed = by_code.post(reverse("account_confirm_login_code"), {"code": _mailed_code()})
    assert confirmed["Location"] == reverse("mfa_authenticate")
    return {"password": by_password, "code": by_code}


def test_every_hr_and_admin_url_is_closed_until_the_second_factor_is_given(staff, object_ids):
    urls = _protected_urls(object_ids)
    assert any("/export." in url for url in urls) and any(url.startswith("/manage/") for url in urls)

    for how, client in _half_logged_in_clients(staff).items():
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in (302, 403, 404, 405), (how, method.__name__, url)
                assert not response.get("Content-Disposition"), (how, url)
        assert not _is_logged_in(client)


def test_the_same_urls_open_once_the_second_factor_is_given(staff, object_ids):
    client = _half_logged_in_clients(staff)["password"]

    client.post(reverse("mfa_authenticate"), {"code": _current_totp(staff.totp_secret_for_tests)})

    assert client.get(reverse("reports:home")).status_code == 200
    assert client.get(reverse("surveys:manage_home")).status_code == 200
    export = client.get(reverse("reports:round_export", args=[object_ids["round_id"], "csv"]))
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")


def test_the_number_of_trusted_proxies_is_read_from_the_environment():
    read = _settings_process(
        "config.settings.test", "print(s.ALLAUTH_TRUSTED_PROXY_COUNT)", CANDOR_TRUSTED_PROXY_COUNT="2"
    )
    default = _settings_process("config.settings.test", "print(s.ALLAUTH_TRUSTED_PROXY_COUNT)")

    assert (read.stdout.strip(), default.stdout.strip()) == ("2", "0")


def _superuser(**kwargs):
    return _with_password(factories.UserFactory(email="root@example.com", is_staff=True, is_superuser=True, **kwargs))


def test_a_superuser_without_a_second_factor_cannot_use_the_django_admin(client, db):
    root = _superuser()
    _password_login(client, root.email, PASSWORD)
    assert _is_logged_in(client)

    listing = client.get("/django-admin/accounts/user/")
    client.post("/django-admin/auth/group/add/", {"name": "Made without a second factor"})

    assert listing.status_code == 302
    assert b"Select user to change" not in client.get(listing["Location"]).content
    assert not Group.objects.filter(name="Made without a second factor").exists()


def test_a_superuser_with_a_second_factor_uses_the_django_admin_after_giving_it(client, db):
    root = _superuser(totp_secret=True)
    _password_login(client, root.email, PASSWORD)
    client.post(reverse("mfa_authenticate"), {"code": _current_totp(root.totp_secret_for_tests)})

    listing = client.get("/django-admin/accounts/user/")

    assert listing.status_code == 200
    assert b"Select user to change" in listing.content
