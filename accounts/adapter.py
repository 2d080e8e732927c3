from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR roster; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False
