"""HR report pages and their exports, end to end: who may open them (P8), that no comment reaches them (P5), that
every number covers at least k people on the page as in its exports (P3, P4), and that a worker keeps the
snapshots they read up to date.
"""

import datetime
import html
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import PoolEntry, Response
from reports import pipeline, selectors
from reports.disclosure import Filter, FilterRefused
from reports.formatting import NOT_SHOWN_SEPARATELY
from reports.models import ReportSnapshot
from surveys import rounds, submission
from surveys.models import ReportableAttribute, Round
from tests.factories import PersonFactory, RoundFactory
from tests.rounds import open_round_with, people
from tests.test_exports import csv_rows, pdf_text

EXPORTS = ("csv", "pdf")
ATTRIBUTES = ("department", "location", "level_band", "tenure_band")
# A fixed start date puts everyone in one tenure band, so that only the departments differ between tests.
START = datetime.date(2021, 3, 1)
SENTENCES = [
    "The token leaderboard is toxic and makes people game their numbers.",
    "We are forced to hit weekly usage targets even when AI does not help.",
    "The leaderboard turns AI usage into a competition nobody asked for.",
    "It feels like surveillance, my manager checks my AI usage dashboard.",
]
COMMENT_THRESHOLD = 4
# Words fewer people used than the comment threshold: by one person each, and one by two people. At most one
# per sentence and department, so that every theme keeps enough people in each department of ``reported_round``.
MARKERS = {0: "Quuxmarker", 1: "Zorblatt", 22: "Frindlewick", 3: "Snorkelberry", 27: "Snorkelberry"}
OPEN_MARKERS = {0: "Glimmerquatch", 3: "Plonkavista"}
QUESTIONS = [
    {"kind": "likert", "indicator": "pressure", "text": "I feel pressure to use AI tools even when they don't help."},
    {"kind": "recommend", "indicator": "nps", "text": "How likely are you to recommend our AI tools?"},
    {"kind": "text", "text": "What would you change about AI tools here?"},
]


# --- building rounds ---------------------------------------------------------------------------------------------


def _team(**departments: int) -> list:
    return [
        person
        for department, size in departments.items()
        for person in people(size, department=department, start_date=START)
    ]


def _answers(round: Round, index: int, comment: str) -> list:
    answers = []
    for question in round.questions.order_by("position"):
        if question.kind == "text":
            answers.append((question, comment))
        elif question.kind == "recommend":
            answers.append((question, index % 11))
        else:
            answers.append((question, 1 + index % 5))
    return answers


def _comment(index: int) -> str:
    return f"{SENTENCES[index % len(SENTENCES)]} {MARKERS.get(index, '')}".strip()


def _round_reported(
    team: list,
    *,
    questions=QUESTIONS,
    closed_at: datetime.datetime | None = None,
    comment_threshold: int = COMMENT_THRESHOLD,
    **round_fields,
) -> Round:
    """A round everyone in ``team`` answered, closed (now, or at ``closed_at``), its comments scored if asked,
    themed and tallied into its report snapshot."""
    closed_at = closed_at or timezone.now()
    round_fields.setdefault("opens_at", closed_at - datetime.timedelta(days=14))
    round = open_round_with(team, k=3, questions=questions, **round_fields)
    Round.objects.filter(id=round.id).update(comment_threshold=comment_threshold)
    for index, person in enumerate(team):
        submission.round_submit(person=person, round=round, answers=_answers(round, index, _comment(index)))
    rounds.round_close(round, closed_at)
    pipeline.round_publish(round.id)
    return Round.objects.get(id=round.id)


def _open_feedback_reported(team: list) -> None:
    """Always-open comments, published as last month's."""
    for index, person in enumerate(team):
        text = f"{SENTENCES[index % len(SENTENCES)]} {OPEN_MARKERS.get(index, '')}".strip()
        submission.open_feedback_submit(person=person, topic="", text=text)
    # A month is published once it is over: these comments are moved back to last month, as if sent then.
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    PoolEntry.objects.filter(stream="open").update(period=last_month)
    pipeline.open_feedback_publish(last_month)


@pytest.fixture
def small_open_feedback_threshold(settings):
    """k=3 and one comment a month each: always-open themes need 6 comments instead of 50."""
    settings.CANDOR_OPEN_FEEDBACK_K = 3
    settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT = 1


@pytest.fixture
def reported_round(db):
    """40 people in two departments of 20; each sentence written by five people in each department."""
    return _round_reported(_team(Engineering=20, Sales=20))


# --- reading pages and exports -----------------------------------------------------------------------------------


def _hr_urls(round: Round) -> list[str]:
    return [
        reverse("reports:home"),
        reverse("reports:round", args=[round.id]),
        *(reverse("reports:round_export", args=[round.id, export]) for export in EXPORTS),
        reverse("reports:trends"),
        *(reverse("reports:trends_export", args=[export]) for export in EXPORTS),
        reverse("reports:open_feedback"),
        *(reverse("reports:open_feedback_export", args=[export]) for export in EXPORTS),
    ]


def _employee_urls(round: Round) -> list[str]:
    return [reverse("reports:results"), reverse("reports:round_results", args=[round.id])]


def _round_url(round: Round, query: str = "", export: str = "") -> str:
    name, args = ("reports:round_export", [round.id, export]) if export else ("reports:round", [round.id])
    return f"{reverse(name, args=args)}?{query}" if query else reverse(name, args=args)


def _readable(response) -> str:
    """What a reader of the response can see, lower-cased with whitespace collapsed: page, CSV or PDF."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/pdf"):
        # The drawn text, and the document's metadata (title, subject), which is stored uncompressed.
        text = pdf_text(response.content) + "\n" + response.content.decode("latin-1")
    elif content_type.startswith("text/csv"):
        text = response.content.decode("utf-8-sig")
    else:
        text = html.unescape(response.content.decode())
    return " ".join(text.split()).lower()


@dataclass
class PageSection:
    slug: str
    title: str = ""
    row_header: str = ""
    columns: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # each row's header, with its note if it has one
    rows: list[list[str]] = field(default_factory=list)

    @property
    def figures(self) -> list[str]:
        return [text for row in self.rows for text in row]

    def column(self, name: str) -> list[str]:
        position = self.columns.index(name)
        return [row[position] for row in self.rows]


class _SectionsParser(HTMLParser):
    """The report sections of a page: each one's title, column headers and table cells (``<td>``)."""

    def __init__(self):
        super().__init__()
        self.sections: list[PageSection] = []
        self._capturing: str | None = None
        self._text: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "report-section" in (attrs.get("class") or ""):
            self.sections.append(PageSection(slug=attrs["id"]))
        elif not self.sections:
            return
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.sections[-1].rows.append([])
        elif tag in ("h2", "td") or (tag == "th" and attrs.get("scope") in ("col", "row")):
            self._capturing, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        if tag != self._capturing:
            return
        text, section = " ".join("".join(self._text).split()), self.sections[-1]
        if tag == "h2":
            section.title = text
        elif tag == "th" and self._in_body:
            section.labels.append(text)
        elif tag == "th" and not section.row_header:
            section.row_header = text
        elif tag == "th":
            section.columns.append(text)
        else:
            section.rows[-1].append(text)
        self._capturing = None

    def handle_data(self, data):
        if self._capturing:
            self._text.append(data)


def _page_sections(response) -> list[PageSection]:
    parser = _SectionsParser()
    parser.feed(response.content.decode())
    return parser.sections


def _page_section(response, slug: str) -> PageSection:
    return next(section for section in _page_sections(response) if section.slug == slug)


def _csv_sections(rows: list[list[str]]) -> list[PageSection]:
    """The CSV's blocks after the preamble, read back into sections (title, columns, figure cells of each row)."""
    blocks, current = [], []
    for row in [*rows, []]:
        if row:
            current.append(row)
        elif current:
            blocks.append(current)
            current = []
    sections = []
    for block in blocks[1:]:
        header_at = next(position for position, row in enumerate(block) if len(row) > 1)
        header = block[header_at]
        columns = header[2:] if header[1] == "Note" else header[1:]
        rows = [row[len(row) - len(columns) :] for row in block[header_at + 1 :]]
        sections.append(PageSection(slug="", title=block[0][0], row_header=header[0], columns=columns, rows=rows))
    return sections


def _refusal(response) -> str:
    match = re.search(rb'<p class="refusal" role="alert">(.*?)</p>', response.content, re.S)
    return html.unescape(match.group(1).decode()) if match else ""


# --- 1. who may open what (P8) -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["employee", "admin", "outsider"])
def test_every_hr_page_and_export_refuses_everyone_without_the_hr_role(persona, request, client_as, reported_round):
    client = client_as(request.getfixturevalue(persona))

    statuses = {url: client.get(url).status_code for url in _hr_urls(reported_round)}

    assert statuses == dict.fromkeys(_hr_urls(reported_round), 403)


def test_every_hr_page_and_export_sends_visitors_to_the_login_page(client, reported_round):
    for url in _hr_urls(reported_round):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login")), url


def test_an_hr_analyst_can_open_every_hr_page_and_export(hr, client_as, reported_round):
    client = client_as(hr)

    statuses = {url: client.get(url).status_code for url in _hr_urls(reported_round)}

    assert statuses == dict.fromkeys(_hr_urls(reported_round), 200)


def test_an_unknown_export_format_is_not_found(hr, client_as, reported_round):
    client = client_as(hr)

    assert client.get(reverse("reports:round_export", args=[reported_round.id, "xlsx"])).status_code == 404
    assert client.get(reverse("reports:trends_export", args=["html"])).status_code == 404


def test_employee_results_refuse_someone_without_the_employee_role(outsider, client_as, reported_round):
    client = client_as(outsider)

    assert [client.get(url).status_code for url in _employee_urls(reported_round)] == [403, 403]


def test_results_and_what_hr_sees_send_visitors_to_the_login_page(client, reported_round):
    for url in [*_employee_urls(reported_round), reverse("reports:what_hr_sees")]:
        assert client.get(url)["Location"].startswith(reverse("account_login")), url


def test_an_invited_employee_reads_the_results_of_a_closed_round(client_as, reported_round):
    invited = reported_round.invitations.first().person.user
    client = client_as(invited)

    listing = client.get(reverse("reports:results"))
    page = client.get(reverse("reports:round_results", args=[reported_round.id]))

    assert reported_round.title in listing.content.decode()
    assert page.status_code == 200
    assert "Headline indicators" in page.content.decode()


def test_an_employee_who_was_not_invited_cannot_read_a_rounds_results(employee, client_as, reported_round):
    client = client_as(employee)

    assert reported_round.title not in client.get(reverse("reports:results")).content.decode()
    assert client.get(reverse("reports:round_results", args=[reported_round.id])).status_code == 404


@pytest.mark.parametrize("state", [Round.State.DRAFT, Round.State.SCHEDULED, Round.State.OPEN])
def test_an_employee_cannot_read_the_results_of_a_round_that_has_not_closed(state, employee, client_as, db):
    round = RoundFactory(state=state)

    page = client_as(employee).get(reverse("reports:round_results", args=[round.id]))

    assert page.status_code == 404


# --- 2. no comment reaches a page or an export (P5) --------------------------------------------------------------


def _round_queries() -> list[str]:
    """Everyone, every heatmap, an accepted filter, and the filter with a heatmap."""
    by = [f"by={attribute}" for attribute in ATTRIBUTES]
    return ["", *by, "group=department:Sales", "group=department:Sales&by=location"]


def _every_hr_view(round: Round) -> list[str]:
    round_views = [_round_url(round, query, export) for query in _round_queries() for export in ("", *EXPORTS)]
    return [*_hr_urls(round), *round_views, reverse("reports:what_hr_sees")]


def _leaks(text: str) -> list[str]:
    """Marker words, and runs of five words of any comment, found in ``text`` (lower-cased, whitespace collapsed)."""
    found = [marker for marker in {*MARKERS.values(), *OPEN_MARKERS.values()} if marker.lower() in text]
    for sentence in SENTENCES:
        words = sentence.lower().split()
        found += [" ".join(words[at : at + 5]) for at in range(len(words) - 4) if " ".join(words[at : at + 5]) in text]
    return found


@pytest.fixture
def everything_reported(db, small_open_feedback_threshold):
    round = _round_reported(_team(Engineering=20, Sales=20))
    _open_feedback_reported(_team(Engineering=10, Sales=10))
    return round


def test_the_accepted_filter_of_the_leak_test_is_really_applied(hr, client_as, everything_reported):
    page = client_as(hr).get(_round_url(everything_reported, "group=department:Sales"))

    assert _refusal(page) == ""
    assert "Showing: Department: Sales." in page.content.decode()
    assert _page_section(page, "themes").rows


def test_no_hr_page_or_export_shows_a_comment_or_a_word_fewer_than_the_threshold_used(
    hr, client_as, everything_reported
):
    client = client_as(hr)
    leaks = {}
    for url in _every_hr_view(everything_reported):
        response = client.get(url)
        assert response.status_code == 200, url
        leaks[url] = _leaks(_readable(response))

    assert leaks == {url: [] for url in _every_hr_view(everything_reported)}


def test_the_leak_test_reads_themes_from_every_kind_of_output(hr, client_as, everything_reported):
    """Without this, an empty page or a PDF the test cannot read would pass the leak test above."""
    client = client_as(hr)
    round_outputs = [_readable(client.get(_round_url(everything_reported, "", export))) for export in ("", *EXPORTS)]
    open_outputs = [
        _readable(client.get(url))
        for url in [
            reverse("reports:open_feedback"),
            *(reverse("reports:open_feedback_export", args=[e]) for e in EXPORTS),
        ]
    ]

    assert all("themes in the comments" in output for output in round_outputs)
    assert all("leaderboard" in output for output in round_outputs)
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    assert all(f"themes of {last_month:%B %Y}".lower() in output for output in open_outputs)


def test_an_employees_results_show_no_comment_or_rare_word(client_as, everything_reported):
    client = client_as(everything_reported.invitations.first().person.user)

    for url in _employee_urls(everything_reported):
        page = client.get(url)
        assert page.status_code == 200
        assert _leaks(_readable(page)) == [], url


# --- 3. an export shows what the page shows ----------------------------------------------------------------------


def test_the_csv_of_a_round_has_every_section_column_and_figure_of_its_page(hr, client_as, reported_round):
    client = client_as(hr)
    page = _page_sections(client.get(_round_url(reported_round, "by=department")))
    exported = _csv_sections(csv_rows(client.get(_round_url(reported_round, "by=department", "csv")).content))

    assert "heatmap-questions" in [section.slug for section in page]
    assert [section.title for section in exported] == [section.title for section in page]
    for on_page, in_csv in zip(page, exported, strict=True):
        assert (in_csv.row_header, in_csv.columns) == (on_page.row_header, on_page.columns), on_page.title
        assert Counter(in_csv.figures) == Counter(on_page.figures), on_page.title


def test_the_csv_of_a_filtered_round_has_the_figures_of_the_filtered_page(hr, client_as, reported_round):
    client = client_as(hr)
    query = "group=department:Sales&by=location"
    page = _page_sections(client.get(_round_url(reported_round, query)))
    exported = _csv_sections(csv_rows(client.get(_round_url(reported_round, query, "csv")).content))

    assert next(section for section in page if section.slug == "indicators").column("People") == ["20", "20"]
    assert [section.title for section in exported] == [section.title for section in page]
    assert [Counter(section.figures) for section in exported] == [Counter(section.figures) for section in page]


INJECTIONS = ['=HYPERLINK("http://x")', "@SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"]
SIGNED_NUMBER = re.compile(r"[+-][0-9]+%?")


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(hr, client_as, db):
    questions = [
        {"kind": "likert", "indicator": "pressure", "text": INJECTIONS[1]},
        {"kind": "likert", "text": INJECTIONS[2]},
        {"kind": "recommend", "indicator": "nps", "text": INJECTIONS[3]},
    ]
    round = _round_reported(_team(Engineering=6, Sales=6), questions=questions, title=INJECTIONS[0])

    rows = csv_rows(client_as(hr).get(_round_url(round, "by=department", "csv")).content)

    cells = [cell for row in rows for cell in row]
    assert rows[0] == ["'" + INJECTIONS[0]]
    assert {"'" + injection for injection in INJECTIONS[1:]} <= set(cells)
    risky = [cell for cell in cells if cell[:1] in "=+-@\t\r" and not SIGNED_NUMBER.fullmatch(cell)]
    assert risky == []
    assert any(SIGNED_NUMBER.fullmatch(cell) for cell in cells)  # the NPS stays a number


# --- 4. k on the page (P3, P4) -----------------------------------------------------------------------------------

COUNT_COLUMNS = ("People", "Invited", "Answered", "People who answered")
LIKERTS = [
    {"kind": "likert", "indicator": "pressure", "text": "I feel pressure to use AI tools."},
    {"kind": "likert", "text": "I have had enough guidance on AI tools."},
    {"kind": "recommend", "indicator": "nps", "text": "Would you recommend our AI tools?"},
]


@pytest.fixture
def round_with_a_department_of_two(db):
    """12 respondents, k=3: Engineering 6, Sales 4, and Legal 2 (recorded as "other", being under k)."""
    return _round_reported(_team(Engineering=6, Sales=4, Legal=2), questions=LIKERTS)


def _counts_shown(response) -> list[int]:
    """Every head count on the page: indicator "n = …" lines and the cells of count columns."""
    counts = [int(n) for n in re.findall(rb"n = (\d+)", response.content)]
    for section in _page_sections(response):
        for name in set(COUNT_COLUMNS) & set(section.columns):
            counts += [int(text) for text in section.column(name) if text.isdigit()]
    return counts


def test_the_heatmap_shows_a_department_under_k_only_merged_with_the_next_smallest(
    hr, client_as, round_with_a_department_of_two
):
    page = client_as(hr).get(_round_url(round_with_a_department_of_two, "by=department"))
    heatmap = _page_section(page, "heatmap-questions")

    # Legal (2) is under k, and Sales (4) goes with it, so that neither can be subtracted from the total.
    assert heatmap.columns == ["Engineering", NOT_SHOWN_SEPARATELY]
    assert len(heatmap.rows) == len(LIKERTS)
    assert not any(text.startswith("fewer than") for row in heatmap.rows for text in row)


def test_no_count_under_k_appears_anywhere_on_the_round_page(hr, client_as, round_with_a_department_of_two):
    client = client_as(hr)

    for query in ["", *(f"by={attribute}" for attribute in ATTRIBUTES)]:
        counts = _counts_shown(client.get(_round_url(round_with_a_department_of_two, query)))
        assert counts, query
        assert min(counts) >= 3, query


def test_participation_by_department_counts_the_same_groups_as_the_results(
    hr, client_as, round_with_a_department_of_two
):
    page = client_as(hr).get(_round_url(round_with_a_department_of_two))
    by_department = next(section for section in _page_sections(page) if section.title == "Participation by department")

    assert by_department.labels == ["Engineering", NOT_SHOWN_SEPARATELY]
    assert by_department.rows == [["6", "6", "100%"], ["6", "6", "100%"]]


# --- 5. filters that would reveal a small group are refused (P4) -------------------------------------------------


@pytest.fixture
def round_with_all_but_two_in_engineering(db):
    return _round_reported(_team(Engineering=10, Legal=2), questions=LIKERTS)


def _refused_and_unfiltered(client, round: Round, group: str) -> None:
    query = f"group={group}&by=location"
    refused, everyone = client.get(_round_url(round, query)), client.get(_round_url(round, "by=location"))

    assert "Showing everyone instead." in _refusal(refused)
    assert "Showing:" not in refused.content.decode()
    assert _page_sections(refused) == _page_sections(everyone)
    refused_csv = csv_rows(client.get(_round_url(round, query, "csv")).content)
    assert refused_csv == csv_rows(client.get(_round_url(round, "by=location", "csv")).content)
    assert not any(row[0].startswith("Filters:") for row in refused_csv if row)
    refused_pdf = pdf_text(client.get(_round_url(round, query, "pdf")).content)
    assert refused_pdf == pdf_text(client.get(_round_url(round, "by=location", "pdf")).content)
    assert "Filters:" not in refused_pdf


@pytest.mark.parametrize("group", ["department:other", "department:Sales", "department:Legal"])
def test_a_filter_on_a_hidden_group_is_refused_and_everyone_is_shown(
    group, hr, client_as, round_with_a_department_of_two
):
    _refused_and_unfiltered(client_as(hr), round_with_a_department_of_two, group)


def test_a_filter_leaving_fewer_than_k_outside_it_is_refused_and_everyone_is_shown(
    hr, client_as, round_with_all_but_two_in_engineering
):
    _refused_and_unfiltered(client_as(hr), round_with_all_but_two_in_engineering, "department:Engineering")


def test_a_group_shown_for_answers_but_too_small_for_themes_gets_its_answers_and_a_notice_for_themes(hr, client_as, db):
    """Sales (3) is a group of its own for answers (k=3) but not for themes (threshold 6): the page, its heatmaps
    and its exports show the answers, and say why the themes are not shown, instead of failing."""
    round = _round_reported(_team(Engineering=10, Sales=3), comment_threshold=6)
    client = client_as(hr)

    for export in ("", *EXPORTS):
        response = client.get(_round_url(round, "group=department:Sales&by=location", export))
        assert response.status_code == 200, export
    page = client.get(_round_url(round, "group=department:Sales&by=location"))
    assert "Showing: Department: Sales." in page.content.decode()
    assert "Themes are not shown for this group." in page.content.decode()


def test_a_filter_on_a_group_the_round_does_not_have_is_refused(hr, client_as, round_with_a_department_of_two):
    page = client_as(hr).get(_round_url(round_with_a_department_of_two, "group=department:Legal"))

    assert "not one this round can show" in _refusal(page)


def test_an_accepted_filter_names_itself_on_the_page_and_in_the_exports(hr, client_as, round_with_a_department_of_two):
    client = client_as(hr)
    query = "group=department:Engineering"

    page = client.get(_round_url(round_with_a_department_of_two, query))
    exported = csv_rows(client.get(_round_url(round_with_a_department_of_two, query, "csv")).content)

    assert _refusal(page) == ""
    assert "Showing: Department: Engineering." in page.content.decode()
    assert ["Filters: Department: Engineering"] in exported
    assert "Filters: Department: Engineering" in pdf_text(
        client.get(_round_url(round_with_a_department_of_two, query, "pdf")).content
    )


def test_a_filter_accepted_for_answers_but_too_small_for_comments_still_shows_the_page(hr, client_as, db):
    round = _round_reported(_team(Engineering=12, Sales=12))
    engine, sales = selectors.round_data(round).engine, (Filter("department", "Sales"),)
    engine.filters_check(filters=sales)
    with pytest.raises(FilterRefused):
        engine.filters_check(filters=sales, comment_derived=True)
    client = client_as(hr)

    query = "group=department:Sales&by=location"
    responses = [client.get(_round_url(round, query, export)) for export in ("", *EXPORTS)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "Showing: Department: Sales." in responses[0].content.decode()
    themes = [section for section in _page_sections(responses[0]) if section.slug.endswith("themes")]
    assert all(set(section.figures) <= {"fewer than 4", "—"} for section in themes)


# --- 6. query counts ---------------------------------------------------------------------------------------------

# Every request pays 4 queries to know who is asking (session, user, the user's and the groups' permissions), and
# HR pages one more for the two-factor check.
HR_LIST_QUERIES = 8  # 7 measured: those 5, the rounds with their live counts, and closed rounds' stored counts
EMPLOYEE_LIST_QUERIES = 6  # 5 measured: 4 for the user, 1 for the closed rounds
# 13 measured for a closed round's page with a heatmap, the first time it is shown: 5 for the user, the round with
# both snapshot versions, attribute labels, the snapshot row and (once per snapshot version) its engine blob,
# questions, themes, participation counts and labels again for participation. A previous round would add itself, its
# snapshot, blob, questions and themes. None of it grows with questions, themes or groups. From the cache: section 8.
ROUND_PAGE_QUERIES = 14
# 10 measured: 4 for the user, the round, snapshot, blob, questions, themes and labels (no participation, no heatmap).
EMPLOYEE_ROUND_QUERIES = 11


def _rounds_of_every_kind(count: int, *, invited=()) -> None:
    """``count`` open rounds with live participation and ``count`` closed ones with stored counts; ``invited`` are
    in the audience of each."""
    for _ in range(count):
        open_round_with([*people(3), *invited], k=3)
        rounds.round_close(open_round_with([*people(3), *invited], k=3))


def test_the_reports_list_takes_as_many_queries_for_ten_rounds_as_for_one(
    hr, client_as, db, django_assert_max_num_queries
):
    client = client_as(hr)
    _rounds_of_every_kind(1)
    with django_assert_max_num_queries(HR_LIST_QUERIES):
        client.get(reverse("reports:home"))

    _rounds_of_every_kind(9)
    with django_assert_max_num_queries(HR_LIST_QUERIES):
        page = client.get(reverse("reports:home"))

    assert page.content.decode().count("/hr/rounds/") == 20


def test_the_employee_results_list_takes_as_many_queries_for_ten_rounds_as_for_one(
    employee, client_as, db, django_assert_max_num_queries
):
    client = client_as(employee)
    person = PersonFactory(user=employee)
    _rounds_of_every_kind(1, invited=[person])
    with django_assert_max_num_queries(EMPLOYEE_LIST_QUERIES):
        client.get(reverse("reports:results"))

    _rounds_of_every_kind(9, invited=[person])
    with django_assert_max_num_queries(EMPLOYEE_LIST_QUERIES):
        page = client.get(reverse("reports:results"))

    assert page.content.decode().count("/results/") == 10


def test_a_round_page_with_a_heatmap_takes_a_fixed_number_of_queries(
    hr, client_as, reported_round, django_assert_max_num_queries
):
    client = client_as(hr)

    with django_assert_max_num_queries(ROUND_PAGE_QUERIES):
        page = client.get(_round_url(reported_round, "by=department"))

    assert "heatmap-questions" in [section.slug for section in _page_sections(page)]


def test_an_employees_round_results_take_a_fixed_number_of_queries(
    client_as, reported_round, django_assert_max_num_queries
):
    client = client_as(reported_round.invitations.first().person.user)

    with django_assert_max_num_queries(EMPLOYEE_ROUND_QUERIES):
        page = client.get(reverse("reports:round_results", args=[reported_round.id]))

    assert "Headline indicators" in page.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


CHART_DATA = re.compile(r'<script id="chart-([\w-]+)" type="application/json">(.*?)</script>', re.S)


def _charts(response) -> dict[str, dict]:
    return {slug: json.loads(html.unescape(data)) for slug, data in CHART_DATA.findall(response.content.decode())}


def _drawn_as_shown(value, text: str, unit: str) -> bool:
    """A chart's value read the way its table writes it: "17%" for 17.2 on a percent axis, "3.8" for 3.84."""
    if value is None:
        return not any(character.isdigit() for character in text) or text.startswith("fewer than")
    number = float(text.rstrip("%").replace("+", "").replace("no change", "0"))
    return abs(value - number) <= (0.5 if unit == "%" or "." not in text else 0.05)


def test_every_chart_draws_the_numbers_of_the_table_beside_it(hr, client_as, reported_round):
    """The trends chart drew shares of 0.17 on a 0–100 % axis, flat at zero (issue 13)."""
    _earlier_round(reported_round, days=30, team_size=12)
    client = client_as(hr)
    pages = [client.get(_round_url(reported_round, "by=department")), client.get(reverse("reports:trends"))]

    checked = 0
    for page in pages:
        tables = {section.slug: section for section in _page_sections(page)}
        for slug, chart in _charts(page).items():
            table = tables[slug]
            for row, chart_row in zip(table.rows, chart["rows"], strict=True):
                for value, text in zip(chart_row["values"], row, strict=False):
                    assert _drawn_as_shown(value, text, chart["unit"]), (slug, chart_row["label"], value, text)
                    checked += value is not None
    assert checked > 10
    trends = _charts(pages[1])["trend-indicators"]
    assert trends["unit"] == "%" and max(v for row in trends["rows"] for v in row["values"] if v is not None) > 1


def test_the_trends_page_takes_as_many_queries_for_ten_rounds_as_for_one(hr, client_as, db):
    client = client_as(hr)
    _round_reported(_team(Engineering=3), questions=LIKERTS)
    one = _queries(client, reverse("reports:trends"))

    for _ in range(9):
        _round_reported(_team(Engineering=3), questions=LIKERTS)

    assert _queries(client, reverse("reports:trends")) <= one + 1


# --- 7. the real worker keeps snapshots up to date ---------------------------------------------------------------


def _wait_for(condition, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def _round_answered_and_closed_through_the_worker(worker) -> Round:
    """Six people answer an open round (k=3); closing it queues its one publication, which the worker runs."""
    team = _team(Engineering=6)
    round = open_round_with(team, k=3, questions=[{"kind": "likert"}, {"kind": "text"}])
    for index, person in enumerate(team):
        submission.round_submit(person=person, round=round, answers=_answers(round, index, SENTENCES[index % 4]))
    rounds.round_close(round)
    assert _wait_for(lambda: ReportSnapshot.objects.filter(round_id=round.id).exists()), worker.log()[-3000:]
    worker.wait_until_idle()
    return round


def test_the_worker_publishes_a_round_once_it_closes(celery_worker, hr, client_as):
    round = _round_answered_and_closed_through_the_worker(celery_worker)

    assert Response.objects.filter(round_id=round.id).count() == 6
    assert ReportSnapshot.objects.get(round_id=round.id).respondents == 6
    assert "6 respondents" in client_as(hr).get(_round_url(round)).content.decode()


def test_the_beat_sweep_publishes_a_closed_round_whose_message_was_lost(db):
    team = _team(Engineering=6)
    round = open_round_with(team, k=3, questions=LIKERTS)
    for index, person in enumerate(team):
        submission.round_submit(person=person, round=round, answers=_answers(round, index, ""))
    Round.objects.filter(id=round.id).update(state=Round.State.CLOSED)  # closed, its publication never queued

    assert pipeline.publications_due() == {"rounds": 1, "months": 0}
    assert ReportSnapshot.objects.get(round_id=round.id).respondents == 6
    assert pipeline.publications_due() == {"rounds": 0, "months": 0}


def test_filtering_and_splitting_by_the_same_attribute_is_explained(hr, client_as, round_with_a_department_of_two):
    page = client_as(hr).get(_round_url(round_with_a_department_of_two, "group=department:Engineering&by=department"))

    assert "cannot be split by the attribute it is filtered on" in _refusal(page)


# --- 8. a round page from the cache: cheap, and exactly the page a miss renders ----------------------------------

# 5 for the user (as above), the round with its own and the previous round's snapshot versions, the attribute labels.
CACHED_ROUND_PAGE_QUERIES = 7
CHOICES = [
    "",
    "by=department",
    "by=no-such-attribute",
    "group=department:Engineering",
    "group=department:Engineering&by=location",
    "group=department:Sales&by=location",
    "group=department:Legal",
    "group=no-such-attribute:x",
    "group=department:Engineering&by=department",
    "by=department&unrelated=1",
]
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _page_html(response) -> str:
    """The page as served, without the one thing that differs between two readings: the masked CSRF token."""
    assert response.status_code == 200
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken"', response.content.decode())


def _page_rendered_afresh(client, url: str) -> str:
    cache.clear()
    return _page_html(client.get(url))


def _analysed(response) -> list[str]:
    return re.findall(r"(\d+) respondents analysed", response.content.decode())


def _change_column(response) -> list[str]:
    return _page_section(response, "indicators").column("Change since the last round")


def test_a_closed_rounds_page_from_the_cache_takes_a_few_queries_and_is_the_same_page(
    hr, client_as, reported_round, django_assert_max_num_queries
):
    client = client_as(hr)
    url = _round_url(reported_round, "by=department")
    rendered = _page_html(client.get(url))

    with django_assert_max_num_queries(CACHED_ROUND_PAGE_QUERIES):
        cached = _page_html(client.get(url))

    assert cached == rendered
    assert 'id="heatmap-questions"' in cached


def test_every_choice_read_from_the_cache_is_the_page_a_miss_renders_for_it(
    hr, client_as, round_with_a_department_of_two, django_assert_max_num_queries
):
    client = client_as(hr)
    urls = [_round_url(round_with_a_department_of_two, query) for query in CHOICES]
    afresh = {url: _page_rendered_afresh(client, url) for url in urls}
    for url in urls:  # every choice in the cache at once, so that a shared entry would be served for another
        client.get(url)

    for url in urls:
        with django_assert_max_num_queries(CACHED_ROUND_PAGE_QUERIES):
            cached = _page_html(client.get(url))
        assert cached == afresh[url], url


def test_a_cached_page_refuses_a_filter_and_ignores_an_unknown_heatmap_attribute_as_a_miss_does(
    hr, client_as, round_with_a_department_of_two
):
    client = client_as(hr)

    def read_twice(query: str) -> list:
        return [client.get(_round_url(round_with_a_department_of_two, query)) for _ in range(2)]

    for query in ("group=department:Sales&by=location", "group=department:Legal", "group=no-such-attribute:x"):
        missed, cached = (_refusal(page) for page in read_twice(query))
        assert cached == missed, query
        assert cached.endswith("instead."), query
    everyone = _round_url(round_with_a_department_of_two)
    for page in read_twice("group=department:Engineering&by=no-such-attribute"):
        content = page.content.decode()
        assert "heatmap-questions" not in content
        assert " selected>" not in content.split('id="id_by"')[1].split("</select>")[0]
        assert f'<a href="{everyone}">Show everyone</a>' in content


def _earlier_round(round: Round, *, days: int = 30, team_size: int = 20) -> Round:
    """A round that opened ``days`` before ``round``; teams of other sizes give other shares (``_answers``)."""
    team = _team(Engineering=team_size, Sales=team_size)
    return _round_reported(team, opens_at=round.opens_at - datetime.timedelta(days=days))


def test_a_round_that_opened_earlier_becomes_the_one_the_page_compares_with(hr, client_as, reported_round):
    client = client_as(hr)
    url = _round_url(reported_round)
    assert set(_change_column(client.get(url))) == {"—"}

    _earlier_round(reported_round, days=60)
    against_the_first = _change_column(client.get(url))
    # Opened in between, so it is the one compared with now, although both snapshots are at version 1.
    _earlier_round(reported_round, days=30, team_size=12)
    against_the_second = _change_column(client.get(url))

    assert set(against_the_first) != {"—"}
    assert against_the_second != against_the_first
    assert _page_html(client.get(url)) == _page_rendered_afresh(client, url)


def test_a_round_sent_to_another_audience_is_never_the_one_the_page_compares_with(hr, client_as, reported_round):
    client = client_as(hr)
    url = _round_url(reported_round)
    team = _team(Engineering=20)
    _round_reported(
        team, opens_at=reported_round.opens_at - datetime.timedelta(days=30), audience={"department": ["Engineering"]}
    )

    assert set(_change_column(client.get(url))) == {"—"}


def test_a_renamed_attribute_shows_its_new_name_on_a_cached_page(hr, client_as, reported_round):
    client = client_as(hr)
    url = _round_url(reported_round, "group=department:Engineering")
    assert "Showing: Department: Engineering." in client.get(url).content.decode()

    ReportableAttribute.objects.create(key="department", label="Business unit")

    assert "Showing: Business unit: Engineering." in client.get(url).content.decode()


@pytest.fixture
def open_round_reported(db):
    """An open round (k=3) of 12 invited people, 6 of whom answered."""
    team = _team(Engineering=12)
    round = open_round_with(team, k=3, questions=LIKERTS)
    for index, person in enumerate(team[:6]):
        submission.round_submit(person=person, round=round, answers=_answers(round, index, ""))
    round.unanswered = team[6:]
    return round


def test_an_open_rounds_page_shows_its_overall_count_and_nothing_else(hr, client_as, open_round_reported):
    client = client_as(hr)
    url = _round_url(open_round_reported)
    before = client.get(url)
    assert _page_section(before, "participation").rows == [["12", "6", "50%"]]
    assert "results are published once, when the round closes" in before.content.decode()

    person = open_round_reported.unanswered[0]
    submission.round_submit(person=person, round=open_round_reported, answers=_answers(open_round_reported, 6, ""))

    after = client.get(url)
    assert _page_section(after, "participation").rows == [["12", "7", "58%"]]
    assert _analysed(after) == _analysed(before) == []
    assert _page_html(after).replace(">7<", ">6<").replace("58%", "50%") == _page_html(before)


def test_an_open_round_given_a_new_closing_date_shows_it_on_the_next_view(hr, client_as, open_round_reported):
    client = client_as(hr)
    url = _round_url(open_round_reported)
    client.get(url)
    closes_at = timezone.now() + datetime.timedelta(days=40)

    rounds.round_update(open_round_reported, closes_at=closes_at)

    assert f"Open until {closes_at:%-d %B %Y}" in client.get(url).content.decode()
