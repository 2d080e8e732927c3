import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_totp_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo HR or admin account."

    def add_arguments(self, parser):
        parser.add_argument("email", help="a demo account, e.g. hr@candor.test")

    def handle(self, *args, email, **options):
        try:
            code = demo_totp_code(email, counter=int(time.time()) // app_settings.TOTP_PERIOD)
        except (ValueError, ImproperlyConfigured, Authenticator.DoesNotExist) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(code)
