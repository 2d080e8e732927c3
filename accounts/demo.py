"""Demo accounts for `make run`: one per role, on a reserved domain, never in production."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts import roles
from accounts.models import User
from accounts.services import account_create

DEMO_DOMAIN = "candor.test"
DEMO_PASSWORD = "candor-demo-password"  # noqa: S105 (demo accounts only, never in production)
DEMO_ACCOUNTS = (
    ("admin@candor.test", "Ada Admin", (roles.SURVEY_ADMIN, roles.EMPLOYEE)),
    ("hr@candor.test", "Harper Hr", (roles.HR_ANALYST, roles.EMPLOYEE)),
    ("employee@candor.test", "Emery Employee", (roles.EMPLOYEE,)),
)


def _require_demo_allowed() -> None:
    if not settings.CANDOR_DEMO_DATA_ALLOWED:
        raise ImproperlyConfigured("Demo accounts are disabled here (CANDOR_DEMO_DATA_ALLOWED is off).")


@transaction.atomic
def demo_accounts_seed() -> list[User]:
    """Create the demo accounts that are missing; leave existing ones as they are."""
    _require_demo_allowed()
    users = []
    for email, name, account_roles in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = account_create(email=email, name=name, roles=account_roles)
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if any(role.needs_mfa for role in account_roles):
                TOTP.activate(user, generate_totp_secret())
        users.append(user)
    return users


def demo_totp_code(email: str, counter: int) -> str:
    """The current authenticator code of a demo account, so a newcomer needs no phone app."""
    _require_demo_allowed()
    if not email.endswith("@" + DEMO_DOMAIN):
        raise ValueError(f"{email} is not a demo account.")
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, counter))
