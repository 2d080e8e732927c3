"""Screenshots of the key pages for the README: `make screenshots` writes them to docs/screenshots/.

Builds the demo organisation in a throwaway SQLite database (`seed_demo` publishes its closed round through the
pipeline, in this process; the open round's answers stay sealed), serves it with runserver and photographs it with
Debian's chromium through Playwright. Nothing here touches var/ or a real database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="candor-screenshots-") as var_dir:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.local", CANDOR_VAR_DIR=var_dir, DATABASE_URL="", REDIS_URL=""
        )
        sys.path.insert(0, str(ROOT))
        rounds = _demo_prepare()
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 (a fixed command line: our own manage.py)
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base + "/accounts/login/")
            OUTPUT.mkdir(parents=True, exist_ok=True)
            _photograph(base, rounds)
        finally:
            server.terminate()
            server.wait(timeout=20)


def _demo_prepare() -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    from reports.models import ReportSnapshot
    from surveys.models import Round

    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["install_vader_lexicon"], ["seed_demo"]):
        call_command(*command, verbosity=0)
    visible = {round.state: round.id for round in Round.objects.exclude(state=Round.State.DRAFT)}
    if not ReportSnapshot.objects.filter(round_id=visible["closed"]).exists():
        raise RuntimeError("seed_demo did not publish the demo's closed round: the HR pages would be empty")
    return visible


def _session_cookies() -> dict[str, str]:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    cookies = {}
    for who in ("employee", "hr", "admin"):
        client = Client()
        client.force_login(User.objects.get(email=f"{who}@candor.test"))
        cookies[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def _photograph(base: str, rounds: dict) -> None:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    cookies = _session_cookies()
    closed, current = rounds["closed"], rounds["open"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)

        def page_as(who: str, viewport: dict):
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookies[who], "url": base}])
            return context.new_page()

        page = page_as("employee", DESKTOP)
        page.goto(f"{base}/rounds/{current}/")
        _answer_some(page)
        _shoot(page, "employee-answer-form")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        _shoot(page, "employee-preview")

        phone = page_as("employee", PHONE)
        phone.goto(f"{base}/rounds/{current}/")
        _shoot(phone, "employee-answer-form-phone", full_page=False)

        page = page_as("hr", DESKTOP)
        page.goto(f"{base}/hr/rounds/{closed}/?by=department")
        page.wait_for_timeout(500)  # charts draw after DOMContentLoaded
        _shoot(page, "hr-round", full_page=False)
        page.locator("#heatmap-questions").screenshot(path=str(OUTPUT / "hr-heatmap.png"))
        page.locator("#themes").screenshot(path=str(OUTPUT / "hr-themes.png"))
        page.goto(f"{base}/hr/trends/")
        page.wait_for_timeout(500)
        _shoot(page, "hr-trends")

        page = page_as("admin", DESKTOP)
        page.goto(f"{base}/manage/rounds/{current}/")
        _shoot(page, "admin-round")
        page.goto(f"{base}/manage/roster/")
        _shoot(page, "admin-roster")
        browser.close()


def _answer_some(page) -> None:
    """Tick the middle of every scale and write one comment, as an employee might."""
    for group in page.locator("fieldset.question").all():
        options = group.locator("input[type=radio]")
        if options.count():
            options.nth(options.count() // 2).check()
    comment = page.locator("textarea").first
    comment.fill(
        "The usage dashboard makes people open the assistant just to be seen using it. "
        "Mail me at jo.doe@example.com if you want details."
    )


def _shoot(page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=full_page)
    print(f"docs/screenshots/{name}.png")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


if __name__ == "__main__":
    main()
