from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_role_groups(sender, **kwargs):
    from accounts.services import role_groups_ensure

    role_groups_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        # Like Django's own permissions: recreated after every migrate and every test-database flush.
        post_migrate.connect(_ensure_role_groups, sender=self)
        # Django records each login to the microsecond, and even its day says who was active during a round, which
        # for most employees means who answered it: no login is recorded.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
