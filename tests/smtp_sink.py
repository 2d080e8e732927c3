"""A real SMTP server on the loopback that keeps what it is sent: the tests' mailbox for the web and the worker."""

import email
import email.policy
import logging
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; a failing test's report is easier to read without them.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


class SmtpSink:
    def __init__(self):
        self._mails: list[Mail] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        mail = Mail(tuple(envelope.rcpt_tos), str(message["Subject"]), body.get_content() if body else "")
        with self._lock:
            self._mails.append(mail)
        return "250 Message accepted"

    def mails_to(self, address: str) -> list[Mail]:
        with self._lock:
            return [mail for mail in self._mails if address in mail.to]

    def wait_for(self, address: str, subject_contains: str, timeout: float = 60) -> Mail:
        """The newest mail to ``address`` whose subject has the words, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [mail for mail in self.mails_to(address) if subject_contains in mail.subject]
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no mail to {address} about {subject_contains!r} within {timeout}s")

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
