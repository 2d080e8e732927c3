import re
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from accounts.models import User


def _current_totp(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def _request_login_code(client, email: str) -> str:
    response = client.post(reverse("account_request_login_code"), {"email": email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)


def test_an_employee_logs_in_with_a_code_sent_by_email(client, employee):
    code = _request_login_code(client, employee.email)

    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("surveys:employee_home")
    assert response.context["user"] == employee


def test_a_wrong_login_code_is_refused_with_a_message(client, employee):
    _request_login_code(client, employee.email)

    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})

    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert b"Incorrect code" in response.content


def test_hr_logging_in_by_code_must_also_give_a_totp_code(client, hr):
    code = _request_login_code(client, hr.email)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("reports:home")).status_code != 200

    response = client.post(reverse("mfa_authenticate"), {"code": _current_totp(hr.totp_secret_for_tests)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("reports:home")
    assert response.status_code == 200


def test_hr_cannot_reach_reports_with_a_wrong_totp_code(client, hr):
    client.post(reverse("account_confirm_login_code"), {"code": _request_login_code(client, hr.email)})

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert client.get(reverse("reports:home")).status_code == 302


def test_nobody_can_sign_themselves_up(client, db):
    response = client.post(reverse("account_signup"), {"email": "new@example.com", "password1": "a-long-password-123"})

    assert b"Sign Up Closed" in response.content
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_django_admin_site_logs_in_through_allauth_and_its_two_factor_step(client, db):
    response = client.get("/django-admin/")

    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert login_page.status_code == 302
    assert login_page["Location"].startswith(reverse("account_login"))


def test_an_expired_login_code_does_not_log_anyone_in(client, employee, settings):
    code = _request_login_code(client, employee.email)
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 0
    time.sleep(0.01)

    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)

    assert not response.context["user"].is_authenticated
    assert client.get(reverse("surveys:employee_home")).status_code == 302


def test_a_login_code_works_only_once(client, employee):
    code = _request_login_code(client, employee.email)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    client.logout()

    response = client.post(reverse("account_confirm_login_code"), {"code": code}, follow=True)

    assert not response.context["user"].is_authenticated
