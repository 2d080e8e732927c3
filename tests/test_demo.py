import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts import roles
from accounts.demo import DEMO_ACCOUNTS, demo_accounts_seed, demo_totp_code
from accounts.models import User
from accounts.roles import roles_of


def test_the_demo_has_one_account_per_role_and_seeding_twice_changes_nothing(db):
    demo_accounts_seed()
    demo_accounts_seed()

    assert User.objects.count() == len(DEMO_ACCOUNTS)
    first_roles = {roles_of(user)[0] for user in User.objects.all()}
    assert first_roles == {roles.EMPLOYEE, roles.HR_ANALYST, roles.SURVEY_ADMIN}


def test_demo_hr_and_admin_accounts_come_with_two_factor_set_up(db):
    demo_accounts_seed()

    with_totp = set(Authenticator.objects.values_list("user__email", flat=True))
    assert with_totp == {"hr@candor.test", "admin@candor.test"}


def test_the_demo_totp_command_prints_a_code_the_login_accepts(db, capsys):
    demo_accounts_seed()

    call_command("demo_totp", "hr@candor.test")

    code = capsys.readouterr().out.strip()
    authenticator = Authenticator.objects.get(user__email="hr@candor.test")
    assert TOTP(authenticator).validate_code(code)


def test_demo_totp_refuses_accounts_outside_the_demo(db, hr):
    with pytest.raises(ValueError, match="not a demo account"):
        demo_totp_code(hr.email, counter=int(time.time()) // mfa_settings.TOTP_PERIOD)


def test_demo_accounts_are_never_created_where_demo_data_is_off(db, settings):
    settings.CANDOR_DEMO_DATA_ALLOWED = False

    with pytest.raises(ImproperlyConfigured):
        demo_accounts_seed()

    assert not User.objects.exists()


def test_the_demo_organisation_has_people_a_published_closed_round_and_an_open_round_still_sealed(db):
    from feedback.models import Comment, PoolEntry, Response
    from reports.models import ReportSnapshot
    from reports.pipeline import publications_due
    from surveys.demo import demo_organisation_seed
    from surveys.models import Invitation, Participation, Person, Round

    demo_accounts_seed()
    assert demo_organisation_seed() is True
    assert demo_organisation_seed() is False
    # What seed_demo does next, so that the closed round's results are there at first login.
    assert publications_due() == {"rounds": 1, "months": 0}

    assert Person.objects.count() > 200
    closed = Round.objects.get(state=Round.State.CLOSED)
    current = Round.objects.get(state=Round.State.OPEN)
    respondents = Response.objects.filter(round_id=closed.id).count()
    assert respondents > 150
    assert Comment.objects.filter(response__round_id=closed.id).count() > 50
    assert ReportSnapshot.objects.get(round_id=closed.id).respondents == respondents == closed.submitted_count
    assert not Participation.objects.filter(round=closed).exists()
    assert Invitation.objects.filter(round=closed).count() > respondents
    assert not PoolEntry.objects.filter(round_id=closed.id).exists()

    sealed = PoolEntry.objects.filter(round_id=current.id).count()
    assert sealed > 50 and sealed == Participation.objects.filter(round=current).count()
    assert not Response.objects.filter(round_id=current.id).exists()
    assert not ReportSnapshot.objects.filter(round_id=current.id).exists()
    assert not Participation.objects.filter(round=current, person__user__email="employee@candor.test").exists()


def test_local_mail_shows_the_demo_accounts_and_hides_the_generated_people(capsys):
    from django.core.mail import EmailMessage

    from accounts.demo_mail import DemoConsoleEmailBackend

    backend = DemoConsoleEmailBackend()
    sent = backend.send_messages(
        [
            EmailMessage("Your sign-in code", "ABCD-EFGH", to=["hr@candor.test"]),
            EmailMessage("Invitation", "Please answer", to=["sales.7@candor.test"]),
        ]
    )

    printed = capsys.readouterr().out
    assert sent == 2
    assert "ABCD-EFGH" in printed
    assert "sales.7@candor.test" not in printed
