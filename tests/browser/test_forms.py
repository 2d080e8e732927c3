"""The employee's forms with the keyboard alone, and with JavaScript turned off."""

import pytest

from surveys.models import Round
from tests.browser.conftest import Tab
from tests.browser.pages import LOGIN_CODE, axe_check, click, log_in_by_code
from tests.rounds import open_round_with, people

pytestmark = pytest.mark.browser

QUESTIONS = [
    {"kind": "likert", "text": "AI tools make me more productive.", "required": True},
    {"kind": "recommend", "text": "How likely are you to recommend our AI tools to a colleague?"},
    {"kind": "text", "text": "What would you change about AI tools here?"},
]
COMMENT = "Drop the weekly usage leaderboard."


@pytest.fixture
def round_for_me(celery_worker) -> tuple[Round, str]:
    """An open round of three people; the worker is there for the release each submission asks for."""
    team = people(3)
    return open_round_with(team, k=3, questions=QUESTIONS, title="AI tools pulse"), team[0].user.email


def _focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focus is on ``selector``; every stop on the way shows where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"no visible focus on {page.evaluate('() => document.activeElement.outerHTML')}"
        if _focused(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _press(tab: Tab, key: str) -> None:
    with tab.page.expect_navigation():
        tab.page.keyboard.press(key)
    axe_check(tab)


def test_an_employee_logs_in_answers_previews_and_submits_with_the_keyboard_alone(open_tab, smtp_sink, round_for_me):
    round, email = round_for_me
    tab = open_tab()
    page = tab.page
    page.goto(f"/rounds/{round.id}/")
    axe_check(tab)

    _tab_to(page, "a[href^='/accounts/login/code/']")
    _press(tab, "Enter")
    _tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    _press(tab, "Enter")
    code = LOGIN_CODE.search(smtp_sink.wait_for(email, "Sign-In Code").body).group(1)
    _tab_to(page, "input[name=code]")
    page.keyboard.type(code)
    _press(tab, "Enter")
    assert page.get_by_role("heading", name="AI tools pulse").is_visible()

    page.keyboard.press("Tab")
    assert _focused(page, ".skip-link")
    page.keyboard.press("Enter")
    _tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")  # the first choice: Strongly disagree
    page.keyboard.press("ArrowRight")  # the next one: Disagree
    _tab_to(page, "input[type=radio]:not(:checked)")
    page.keyboard.press("Space")  # 0
    _tab_to(page, "textarea")
    page.keyboard.type(COMMENT)
    _tab_to(page, "button[value=preview]")
    _press(tab, "Enter")

    stored = page.get_by_role("main").inner_text()
    assert "Disagree" in stored and COMMENT in stored
    _tab_to(page, "button[value=submit]")
    _press(tab, "Space")
    assert page.get_by_role("heading", name="Thank you. Your response is sealed.").is_visible()


def test_without_javascript_the_answer_form_preview_and_submit_still_work(open_tab, smtp_sink, round_for_me):
    round, email = round_for_me
    tab = open_tab(java_script_enabled=False)
    page = tab.page
    page.goto(f"/rounds/{round.id}/")
    log_in_by_code(tab, smtp_sink, email)

    page.get_by_role("group", name="AI tools make me more productive.").get_by_text("Agree", exact=True).click()
    page.get_by_label("What would you change about AI tools here?").fill(COMMENT)
    assert page.locator(".counter").inner_text() == "Up to 4000 characters."  # no script counted the letters
    click(tab, page.get_by_role("button", name="Preview what will be stored"))
    stored = page.get_by_role("main").inner_text()
    assert "Agree" in stored and COMMENT in stored

    click(tab, page.get_by_role("button", name="Change my answers"))
    assert page.get_by_label("What would you change about AI tools here?").input_value() == COMMENT
    click(tab, page.get_by_role("button", name="Preview what will be stored"))
    click(tab, page.get_by_role("button", name="Submit anonymously"))
    assert page.get_by_role("heading", name="Thank you. Your response is sealed.").is_visible()
    assert page.locator(".receipt__code").inner_text().strip()
