"""Browser tests: Playwright drives Debian's chromium, headless, against the live server on the loopback.

They need playwright (requirements-dev.txt), /usr/bin/chromium (Debian's package; never a browser download) and
axe-core (package.json, `npm ci`). Without one of them they are skipped with the reason; REQUIRE_BROWSER=1 (CI)
turns that into a failure, as REQUIRE_SERVICES=1 does for PostgreSQL and Redis.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# axe is served from the page's own origin, so that the test runs it under the real Content-Security-Policy.
AXE_PATH = "/__browser-tests__/axe.min.js"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") == "1"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(settings.VAR_DIR) / "test-screenshots"
TIMEOUT_MS = 20_000
DOCUMENT_STATUS = "Failed to load resource: the server responded with a status of"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not AXE.exists():
        return f"{AXE.relative_to(settings.BASE_DIR)} is missing (npm ci)"
    return None


@pytest.fixture(scope="package")
def browser():
    """One chromium for the browser tests, closed after them: the rest of the suite runs without its event loop."""
    missing = _missing()
    if missing:
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop in this thread; Django would take the test's own database
    # calls for calls from async code and refuse them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


@pytest.fixture
def mail_to_sink(settings, smtp_sink):
    """The live server's e-mail (login codes) goes to the SMTP sink, like the worker's (invitations)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    smtp_sink.clear()
    return smtp_sink


class Tab:
    """One browser page and what happened on it: the pages it loaded, which of them axe checked, console errors."""

    def __init__(self, page, *, javascript: bool = True):
        self.page = page
        self.javascript = javascript
        self.loads: list[str] = []
        self.checked: set[int] = set()
        self.errors: list[str] = []
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _response(self, response) -> None:
        """A page shown in the tab: not a redirect, a download, a script or an image."""
        request = response.request
        shown = request.resource_type == "document" and request.frame == self.page.main_frame
        download = "attachment" in (response.headers.get("content-disposition") or "")
        if shown and not download and not 300 <= response.status < 400:
            self.loads.append(response.url)

    def _console(self, message) -> None:
        # A page answered with an error status on purpose (409: already answered) is not a broken page.
        page_status = message.text.startswith(DOCUMENT_STATUS) and message.location.get("url") == self.page.url
        if message.type == "error" and not page_status:
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def unchecked(self) -> list[str]:
        """Pages axe did not check. Without JavaScript axe cannot run: those pages are checked with it elsewhere."""
        if not self.javascript:
            return []
        return [url for index, url in enumerate(self.loads) if index not in self.checked]


@pytest.fixture
def open_tab(browser, live_server, mail_to_sink, request):
    """Opens a page in a fresh browser context (no cookies) at a viewport; a failed test leaves a screenshot."""
    tabs: list[Tab] = []

    def opened(viewport: str = "desktop", **context_options) -> Tab:
        context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        tab = Tab(context.new_page(), javascript=context_options.get("java_script_enabled", True))
        tabs.append(tab)
        return tab

    yield opened
    failed = request.node.stash.get(_call_failed, True)
    for number, tab in enumerate(tabs, start=1):
        if failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-") + (f"-{number}" if number > 1 else "")
            tab.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        tab.page.context.close()
    if not failed:
        unchecked = [url for tab in tabs for url in tab.unchecked()]
        assert not unchecked, f"pages loaded but not checked with axe: {unchecked}"


@pytest.fixture(params=list(VIEWPORTS))
def tab(request, open_tab) -> Tab:
    """A page at each viewport: every journey runs on a desktop and on a phone."""
    return open_tab(request.param)
