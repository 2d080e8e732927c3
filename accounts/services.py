"""Writes on accounts: creating people's logins and giving them roles."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User
from accounts.roles import ALL_ROLES, Role


@transaction.atomic
def account_create(*, email: str, name: str = "", roles: tuple[Role, ...] = ()) -> User:
    """Create an account that can log in by e-mail code at once (no open sign-up, no password)."""
    user = User.objects.create_user(email=email, name=name)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    role_grant(user=user, roles=roles)
    return user


def role_grant(*, user: User, roles: tuple[Role, ...]) -> None:
    user.groups.add(*Group.objects.filter(name__in=[role.group for role in roles]))


def role_groups_ensure() -> None:
    """Make each role's group exist and carry exactly its permission."""
    for role in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=role.group)
        permission = Permission.objects.get(content_type__app_label="accounts", codename=role.codename)
        group.permissions.set([permission])
