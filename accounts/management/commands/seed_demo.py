from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_accounts_seed
from reports.pipeline import publications_due
from surveys.demo import demo_organisation_seed


class Command(BaseCommand):
    help = "Create demo accounts, a demo organisation and two rounds (only where CANDOR_DEMO_DATA_ALLOWED is on)."

    def handle(self, *args, **options):
        for user in demo_accounts_seed():
            role_names = ", ".join(group.name for group in user.groups.order_by("name"))
            self.stdout.write(f"  {user.email:<24} {role_names}")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD} (or log in with an e-mailed code)")
        if demo_organisation_seed():
            # The closed round is published here rather than by the worker, so its results are there at first login.
            publications_due()
            self.stdout.write("Demo organisation created: people, the AI question library, a closed and an open round.")
