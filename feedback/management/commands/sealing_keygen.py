import base64

from django.core.management.base import BaseCommand

from feedback.sealing import key_pair_new


class Command(BaseCommand):
    help = (
        "Print a fresh key pair for sealing submissions. Give CANDOR_SEALING_PUBLIC_KEY to web and beat, and "
        "CANDOR_SEALING_PRIVATE_KEY to the publishing worker only. Nothing is stored."
    )
    # Operators run this before anything else is configured.
    requires_system_checks = []

    def handle(self, *args, **options):
        private_key, public_key = key_pair_new()
        self.stdout.write(f"CANDOR_SEALING_PUBLIC_KEY={base64.b64encode(public_key).decode()}")
        self.stdout.write(f"CANDOR_SEALING_PRIVATE_KEY={base64.b64encode(private_key).decode()}")
