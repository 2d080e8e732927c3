"""What the browser tests do on every page: check it with axe, and log in as a person would."""

import re
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.browser.conftest import AXE_PATH, Tab
from tests.smtp_sink import SmtpSink

BLOCKING_IMPACTS = ("serious", "critical")
LOGIN_CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


def axe_check(tab: Tab) -> None:
    """axe-core finds no serious or critical problem on the page, and the page logged no error.

    axe runs in the page, so a tab without JavaScript only gets the second check.
    """
    page = tab.page
    page.wait_for_load_state()
    if not tab.javascript:
        assert not tab.errors, f"errors in the browser console on {page.url}: {tab.errors}"
        return
    page.add_script_tag(url=AXE_PATH)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    tab.checked.add(len(tab.loads) - 1)
    blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(_described(violation) for violation in blocking)
    assert not tab.errors, f"errors in the browser console on {page.url}: {tab.errors}"


def _described(violation: dict) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
    return f"- {violation['impact']} {violation['id']}: {violation['help']} ({len(violation['nodes'])}x: {targets})"


def go(tab: Tab, path: str) -> None:
    tab.page.goto(path)
    axe_check(tab)


def click(tab: Tab, locator) -> None:
    """Click something that loads a new page, then check that page."""
    with tab.page.expect_navigation():
        locator.click()
    axe_check(tab)


def current_totp(secret: str) -> str:
    """The authenticator's code, taken early enough in its period to still be valid when the form arrives."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def log_in_by_code(tab: Tab, sink: SmtpSink, email: str, *, totp_secret: str | None = None) -> None:
    """From the sign-in page: ask for a code, read it in the e-mail, type it, then the authenticator's code."""
    page = tab.page
    if "/accounts/login/code/" not in page.url:
        click(tab, page.get_by_role("link", name="Send me a sign-in code"))
    page.get_by_label("Email").fill(email)
    click(tab, page.get_by_role("button", name="Request code"))
    code = LOGIN_CODE.search(sink.wait_for(email, "Sign-In Code").body).group(1)
    page.get_by_label("Code").fill(code)
    click(tab, page.get_by_role("button", name="Confirm"))
    if totp_secret:
        page.get_by_label("Code").fill(current_totp(totp_secret))
        click(tab, page.get_by_role("button", name="Sign in"))
