from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_role_groups(sender, **kwargs):
    from accounts.services import role_groups_ensure

    role_groups_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Like Django's own permissions: recreated after every migrate and every test-database flush.
        post_migrate.connect(_ensure_role_groups, sender=self)
