"""E-mail for `make run`: printed to the terminal, except mail to the hundreds of generated demo people.

Login codes for the three demo accounts stay visible instead of scrolling away under invitations.
"""

from django.core.mail.backends.console import EmailBackend

from accounts.demo import DEMO_ACCOUNTS, DEMO_DOMAIN

SHOWN_ADDRESSES = {email for email, _, _ in DEMO_ACCOUNTS}


def _generated_demo_person(address: str) -> bool:
    return address.endswith("@" + DEMO_DOMAIN) and address not in SHOWN_ADDRESSES


class DemoConsoleEmailBackend(EmailBackend):
    def send_messages(self, email_messages):
        shown = [message for message in email_messages if not all(map(_generated_demo_person, message.to))]
        super().send_messages(shown)
        return len(email_messages)
