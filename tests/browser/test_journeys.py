"""The three journeys, in a real browser on a desktop and on a phone, with axe on every page they visit.

The e-mail they read (sign-in codes from the web server, invitations from the real worker) goes through a real SMTP
server on the loopback. What a journey does not itself show (the other employees' answers, closing a round) is done
through the same services the pages call.
"""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.db import transaction

from feedback.models import Response
from reports.models import ReportSnapshot
from surveys import questions, rounds, submission
from surveys.models import Person, Round
from tests import factories
from tests.browser.pages import click, go, log_in_by_code
from tests.rounds import people

pytestmark = pytest.mark.browser

ROSTER_COLUMNS = "email,name,department,location,level,start_date,team"
ROSTER_BAD_LINE = "ines@example.com,Ines Okafor,Engineering,Berlin,3,31/02/2023,Platform"
ROSTER_GOOD_LINE = "ines@example.com,Ines Okafor,Engineering,Berlin,3,28/02/2023,Platform"
ROSTER_OTHERS = [
    "admin@example.com,Ada Admin,People,Berlin,5,2019-05-01,Operations",
    "bo@example.com,Bo Berg,Engineering,Berlin,2,2022-01-10,Platform",
    "cy@example.com,Cy Chen,Engineering,Lisbon,3,2020-09-01,Platform",
    "dee@example.com,Dee Diaz,Engineering,Lisbon,4,2018-03-15,Data",
    "eli@example.com,Eli Evans,Engineering,Berlin,2,2023-06-01,Data",
    "fay@example.com,Fay Fox,Sales,Lisbon,3,2021-11-20,Field",
    "gus@example.com,Gus Gray,Sales,Berlin,2,2024-02-01,Field",
    "hal@example.com,Hal Hart,Engineering,Berlin,3,2021-04-01,Platform",
    "ivy@example.com,Ivy Ito,Engineering,Lisbon,2,2022-08-15,Data",
    "jo@example.com,Jo James,Engineering,Berlin,4,2017-01-09,Platform",
    "kai@example.com,Kai Kim,Engineering,Lisbon,3,2019-10-01,Data",
    "lea@example.com,Lea Lund,Engineering,Berlin,2,2023-02-20,Platform",
]
ENGINEERING = [
    "ines@example.com",
    "bo@example.com",
    "cy@example.com",
    "dee@example.com",
    "eli@example.com",
    "hal@example.com",
    "ivy@example.com",
    "jo@example.com",
    "kai@example.com",
    "lea@example.com",
]
COMMENT = (
    "The usage leaderboard makes people open the assistant just to be seen using it. "
    "Write to me at ines.okafor@example.com if you want details."
)
SENTENCES = [
    "The token leaderboard is toxic and makes people game their numbers.",
    "We are forced to hit weekly usage targets even when AI does not help.",
    "The leaderboard turns AI usage into a competition nobody asked for.",
    "It feels like surveillance, my manager checks my AI usage dashboard.",
]


def _roster_file(lines: list[str]) -> dict:
    return {"name": "roster.csv", "mimeType": "text/csv", "buffer": "\n".join([ROSTER_COLUMNS, *lines]).encode()}


# --- 1. the survey admin -----------------------------------------------------------------------------------------


def test_an_admin_imports_the_roster_builds_a_round_from_the_ai_library_and_opens_it(tab, celery_worker, smtp_sink):
    admin = factories.survey_admin(email="admin@example.com")
    page = tab.page

    go(tab, "/manage/")
    log_in_by_code(tab, smtp_sink, admin.email, totp_secret=admin.totp_secret_for_tests)
    assert page.get_by_role("heading", name="Survey administration").is_visible()

    click(tab, page.get_by_role("link", name="Roster", exact=True))
    page.get_by_label("Roster file").set_input_files(_roster_file([ROSTER_BAD_LINE, *ROSTER_OTHERS]))
    click(tab, page.get_by_role("button", name="Check the file"))
    assert "Nothing was imported" in page.locator(".roster-errors").inner_text()
    assert "Line 2:" in page.locator(".roster-errors").inner_text()

    page.get_by_label("Roster file").set_input_files(_roster_file([ROSTER_GOOD_LINE, *ROSTER_OTHERS]))
    click(tab, page.get_by_role("button", name="Check the file"))
    assert page.get_by_role("heading", name="Roster preview: roster.csv").is_visible()
    added = page.get_by_role("row", name=re.compile("People to be added"))
    assert added.get_by_role("cell").inner_text() == "13"
    page.get_by_label("team").check()
    click(tab, page.get_by_role("button", name="Apply this roster"))
    assert "The roster was applied: 13 added" in page.get_by_role("status").inner_text()

    go(tab, "/manage/questions/")
    click(tab, page.get_by_role("button", name="Add the default AI questions"))
    assert "Added 11 default AI questions" in page.get_by_role("status").inner_text()

    go(tab, "/manage/")
    click(tab, page.get_by_role("link", name="New round"))
    page.get_by_label("Title").fill("AI tools pulse, spring")
    page.get_by_label("k (smallest group shown)").fill("3")
    page.get_by_role("group", name="Department").get_by_label("Engineering").check()
    click(tab, page.get_by_role("button", name="Create the round"))
    assert "Round created as a draft" in page.get_by_role("status").inner_text()
    assert "This audience has 10 people" in page.locator("#audience-size").inner_text()

    for checkbox in page.locator(".manage-table input[type=checkbox]").all():
        checkbox.check()
    click(tab, page.get_by_role("button", name="Save the questions"))
    assert "The round asks 11 questions" in page.get_by_role("status").inner_text()

    click(tab, page.get_by_role("link", name="Open now…"))
    assert "10 people are in its audience today" in page.get_by_role("main").inner_text()
    click(tab, page.get_by_role("button", name="Open the round and send the invitations"))
    assert "The round is open" in page.get_by_role("status").inner_text()
    assert page.locator(".manage-state").first.inner_text() == "Open"
    for address in ENGINEERING:
        assert "AI tools pulse, spring" in smtp_sink.wait_for(address, "You are invited").subject
    assert not smtp_sink.mails_to("fay@example.com")


# --- 2. the employee ---------------------------------------------------------------------------------------------


def _round_opened(team: list[Person], *, k: int = 3) -> Round:
    questions.question_library_seed()
    round = rounds.round_create(title="AI tools pulse, autumn", k=k)
    rounds.round_questions_set(round, [question.id for question in rounds.round_question_library(round)])
    return rounds.round_open(round)


def _answer_everything(page) -> None:
    """The middle of every scale, and one comment; clicking the visible labels, as a person would."""
    for group in page.locator("fieldset.question").all():
        options = group.locator("label.option")
        options.nth(options.count() // 2).click()
    page.get_by_label("What is one thing about AI tools or AI policies here that you would change?").fill(COMMENT)


def test_an_employee_follows_the_invitation_answers_checks_what_is_stored_and_gets_a_receipt(
    tab, celery_worker, smtp_sink
):
    team = people(10, department="Engineering")
    me = team[0].user
    round = _round_opened(team)
    page = tab.page

    invitation = smtp_sink.wait_for(me.email, "You are invited")
    link = urlsplit(re.search(r"http://\S+", invitation.body).group(0))
    assert link.query == f"next=/rounds/{round.id}/"
    # The link starts with CANDOR_SITE_URL; this test's server listens on a port of its own.
    invited_at = f"{link.path}?{link.query}"
    go(tab, invited_at)
    log_in_by_code(tab, smtp_sink, me.email)
    assert page.get_by_role("heading", name="AI tools pulse, autumn").is_visible()

    _answer_everything(page)
    click(tab, page.get_by_role("button", name="Preview what will be stored"))
    stored = page.get_by_role("main").inner_text()
    assert "This is exactly what will be stored" in stored
    assert "Neither agree nor disagree" in stored
    assert "The usage leaderboard makes people open the assistant" in stored
    assert "ines.okafor@example.com" not in stored
    click(tab, page.get_by_role("button", name="Submit anonymously"))
    receipt = page.locator(".receipt__code").inner_text().strip()
    assert receipt
    click(tab, page.get_by_role("link", name="Back to your feedback page"))
    assert "Answered" in page.get_by_role("listitem").filter(has_text="AI tools pulse, autumn").inner_text()

    go(tab, invited_at)
    assert (
        "You have already answered this round. Each person can answer once." in page.get_by_role("alert").inner_text()
    )

    go(tab, "/receipts/")
    page.get_by_label("Receipt code").fill(receipt)
    click(tab, page.get_by_role("button", name="Check"))
    assert "Counted: this submission is sealed" in page.get_by_role("status").inner_text()

    _answered_and_closed(round, team[1:])
    assert _wait_for(lambda: Response.objects.filter(round_id=round.id).count() == len(team))
    go(tab, "/me/")
    click(tab, page.get_by_role("link", name="Check that it was counted"))
    page.get_by_label("Receipt code").fill(receipt)
    click(tab, page.get_by_role("button", name="Check"))
    assert "Counted and published" in page.get_by_role("status").inner_text()


def _answered_and_closed(round: Round, team: list[Person]) -> None:
    """``team`` answers through the submission service, then the round closes: in one transaction, so that the worker
    starts on it only once everything is written (on SQLite a test writing while the worker releases could find the
    database locked)."""
    comment, recommend = round.questions.filter(kind="text").first(), round.questions.get(kind="recommend")
    with transaction.atomic():
        for index, person in enumerate(team):
            answers = [
                (question, 1 + index % 5) for question in round.questions.exclude(kind__in=["text", "recommend"])
            ]
            answers += [(recommend, index % 11), (comment, SENTENCES[index % len(SENTENCES)])]
            submission.round_submit(person=person, round=round, answers=answers)
        rounds.round_close(round)


def _wait_for(condition, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


# --- 3. the HR analyst -------------------------------------------------------------------------------------------

# k=3. Legal has two people, so their answers are published only merged with the next-smallest department (Sales),
# as "not shown separately", so that neither can be worked out from the total.
DEPARTMENTS = {"Engineering": 8, "Sales": 5, "Legal": 2}
START = datetime.date(2021, 3, 1)


def _round_answered_and_analysed(worker) -> Round:
    team = [
        person
        for department, size in DEPARTMENTS.items()
        for person in people(size, department=department, start_date=START)
    ]
    round = _round_opened(team)
    Round.objects.filter(id=round.id).update(comment_threshold=4)
    _answered_and_closed(round, team)
    everyone = len(team)

    def analysed() -> bool:
        return ReportSnapshot.objects.filter(round_id=round.id, respondents=everyone).exists()

    assert _wait_for(analysed), worker.log()[-3000:]
    worker.wait_until_idle()
    return round


def test_hr_reads_a_round_sees_what_is_hidden_is_refused_a_revealing_filter_and_exports_it(
    tab, celery_worker, smtp_sink
):
    hr = factories.hr_analyst(email="hr@example.com")
    round = _round_answered_and_analysed(celery_worker)
    page = tab.page

    go(tab, "/hr/")
    log_in_by_code(tab, smtp_sink, hr.email, totp_secret=hr.totp_secret_for_tests)
    click(tab, page.get_by_role("link", name="AI tools pulse, autumn"))
    main = page.get_by_role("main")
    assert "Headline indicators" in main.inner_text()
    assert "themes in the comments" in main.inner_text().lower()
    assert "leaderboard" in page.locator("#themes").inner_text().lower()

    page.get_by_label("Heatmap by").select_option(label="Department")
    click(tab, page.get_by_role("button", name="Show"))
    heatmap = page.locator("#heatmap-questions")
    assert "Not shown separately (groups too small)" in heatmap.inner_text()
    assert "Legal" not in heatmap.inner_text()

    offered = page.get_by_label("Show results for").inner_text()
    assert "Sales" not in offered and "Legal" not in offered  # groups under k are not offered at all
    go(tab, f"/hr/rounds/{round.id}/?group=department:Sales")  # and asked for by hand, they are refused
    refusal = page.locator("p.refusal[role=alert]").inner_text()
    assert "not one this round can show: results are published only for groups of at least 3" in refusal
    assert "Showing everyone instead." in refusal
    assert "Showing:" not in main.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert round.title in exported
    assert "Filters:" not in exported
