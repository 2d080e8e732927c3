"""The three roles. Each is a Django group carrying one permission; pages check the permission."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    group: str
    permission: str
    home_url_name: str
    needs_mfa: bool

    @property
    def codename(self) -> str:
        return self.permission.split(".", 1)[1]


EMPLOYEE = Role("Employee", "accounts.give_feedback", "surveys:employee_home", needs_mfa=False)
HR_ANALYST = Role("HR analyst", "accounts.view_reports", "reports:home", needs_mfa=True)
SURVEY_ADMIN = Role("Survey admin", "accounts.manage_surveys", "surveys:manage_home", needs_mfa=True)

# Most privileged first: a person with several roles lands on the first one's home page.
ALL_ROLES = (SURVEY_ADMIN, HR_ANALYST, EMPLOYEE)


def roles_of(user) -> list[Role]:
    if not user.is_authenticated:
        return []
    return [role for role in ALL_ROLES if user.has_perm(role.permission)]
