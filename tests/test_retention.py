"""Retention: comment text goes once its round has been closed (or its month over) for CANDOR_RETENTION_MONTHS;
every number HR sees stays the same, nothing re-creates or needs the text, and who took part is gone at close.
"""

import datetime
import logging
import re
import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app
from feedback.models import Comment, PoolEntry, Response, Stream
from feedback.services import groups_lock
from reports import pipeline
from reports.models import ReportSnapshot
from sentiment.models import Theme
from sentiment.scoring import score_comment
from surveys import retention, rounds, submission
from surveys.models import Invitation, Participation, Round
from surveys.tasks import comment_text_retention_apply, rounds_advance
from tests.factories import RoundFactory
from tests.rounds import open_round_with, people
from tests.test_celery import _wait_for
from tests.test_exports import csv_rows
from tests.test_report_pages import (
    EXPORTS,
    SENTENCES,
    _answers,
    _page_sections,
    _round_reported,
    _team,
)
from tests.test_settings import _settings_process

THEME_FIELDS = ("key", "name", "terms", "comments", "respondents", "compound", "negative", "neutral", "positive")
COMMENT_FIELDS = ("id", "compound", "sentiment", "theme_id")


@pytest.fixture
def retention_months(settings):
    settings.CANDOR_RETENTION_MONTHS = 24
    return 24


@pytest.fixture
def small_open_feedback_threshold(settings):
    """k=3 and one comment a month each: always-open themes need 6 comments instead of 50."""
    settings.CANDOR_OPEN_FEEDBACK_K = 3
    settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT = 1


# --- building what retention works on -----------------------------------------------------------------------------


def _round_closed(team: list, *, months_ago: int = 0) -> Round:
    """A round everyone in ``team`` answered, closed ``months_ago`` months ago (through round_close) and published:
    its comments scored and themed, its snapshot written."""
    return _round_reported(team, closed_at=_months_ago(months_ago))


def _open_feedback_of_last_month(team: list) -> str:
    """Always-open comments sent, then moved back to last month, as if sent then, and published: a month is
    published once it is over."""
    for index, person in enumerate(team):
        submission.open_feedback_submit(person=person, topic="", text=SENTENCES[index % len(SENTENCES)])
    period = _last_month()
    PoolEntry.objects.filter(stream=Stream.OPEN).update(period=period)
    assert pipeline.open_feedback_publish(period) is not None
    return period


def _last_month() -> str:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")


def _months_ago(months: int) -> datetime.datetime:
    now = timezone.now()
    return now.replace(**_date_parts(retention.months_shift(now.date(), -months)))


def _date_parts(day: datetime.date) -> dict:
    return {"year": day.year, "month": day.month, "day": day.day}


def _months_ahead(months: int) -> datetime.date:
    return retention.months_shift(timezone.localdate(), months)


def _texts(round_or_period) -> list[str]:
    return list(_comments_of(round_or_period).order_by("id").values_list("text", flat=True))


def _comments_of(round_or_period):
    if isinstance(round_or_period, Round):
        return Comment.objects.filter(response__round_id=round_or_period.id)
    return Comment.objects.filter(response__stream=Stream.OPEN, response__period=round_or_period)


def _kept_numbers(round_or_period) -> dict:
    comments = _comments_of(round_or_period).order_by("id")
    themes = Theme.objects.filter(
        Q(round_id=round_or_period.id) if isinstance(round_or_period, Round) else Q(period=round_or_period)
    )
    return {
        "comments": list(comments.values_list(*COMMENT_FIELDS)),
        "unit_scores": [_unit_scores(units) for units in comments.values_list("sentences", flat=True)],
        "themes": sorted(themes.values_list(*THEME_FIELDS)),
    }


def _unit_scores(units: list[dict] | None) -> list[tuple]:
    return [(unit["compound"], unit["label"]) for unit in units or []]


# --- what is deleted and when --------------------------------------------------------------------------------------


def test_the_text_of_a_round_closed_longer_than_the_retention_is_deleted_and_its_scores_kept(db, retention_months):
    round = _round_closed(people(12), months_ago=retention_months + 1)
    kept = _kept_numbers(round)
    assert all(_texts(round)) and kept["themes"]

    deleted = retention.comment_text_retention_apply()

    assert deleted.round_comments == 12
    assert _texts(round) == [""] * 12
    assert _kept_numbers(round) == kept
    assert set(_comments_of(round).values_list("text_deleted_on", flat=True)) == {timezone.localdate()}


def test_no_offset_into_the_deleted_text_is_kept(db, retention_months):
    round = _round_closed(people(12), months_ago=retention_months + 1)
    assert all("start" in unit for units in _comments_of(round).values_list("sentences", flat=True) for unit in units)

    retention.comment_text_retention_apply()

    for units in _comments_of(round).values_list("sentences", flat=True):
        assert units and all(set(unit) == {"compound", "label"} for unit in units)


@pytest.mark.parametrize("months_ago", [23, 0])
def test_a_round_closed_more_recently_than_the_retention_keeps_its_text(months_ago, db, retention_months):
    round = _round_closed(people(6), months_ago=months_ago)
    texts = _texts(round)

    assert retention.comment_text_retention_apply().total == 0
    assert _texts(round) == texts


def test_a_round_still_open_past_the_retention_keeps_its_text_until_it_is_closed(db, retention_months):
    team = people(6)
    round = open_round_with(team, k=3)
    for person in team:
        submission.round_submit(person=person, round=round, answers=_answers(round, 0, "The leaderboard is toxic."))
    # The close date passed long ago, but no close has run yet: its answers are still sealed in the pool.
    Round.objects.filter(id=round.id).update(closes_at=_months_ago(retention_months + 2))

    retention.comment_text_retention_apply()

    assert not Comment.objects.filter(text="").exists()
    assert PoolEntry.objects.filter(round_id=round.id).count() == 6


def test_always_open_comments_lose_their_text_once_their_month_is_older_than_the_retention(
    db, retention_months, small_open_feedback_threshold
):
    period = _open_feedback_of_last_month(people(8))
    texts = _texts(period)
    assert len(texts) == 8 and all(texts)
    month_start = datetime.date.fromisoformat(f"{period}-01")

    # Run on the first day N months after this month: the month is not over N months yet.
    not_yet = retention.months_shift(month_start, retention_months)
    assert retention.comment_text_retention_apply(today=not_yet).total == 0
    assert _texts(period) == texts
    # A month later it is.
    later = retention.months_shift(month_start, retention_months + 1)
    assert retention.comment_text_retention_apply(today=later).open_feedback_comments == len(texts)
    assert _texts(period) == [""] * len(texts)


def test_a_retention_of_zero_keeps_comment_text_forever(db, settings):
    settings.CANDOR_RETENTION_MONTHS = 0
    round = _round_closed(people(6), months_ago=120)
    texts = _texts(round)

    assert retention.comment_text_retention_apply(today=_months_ahead(1200)).total == 0
    assert _texts(round) == texts


def test_running_retention_again_changes_nothing(db, retention_months):
    round = _round_closed(people(6), months_ago=retention_months + 1)
    retention.comment_text_retention_apply()
    after_first = list(Comment.objects.order_by("id").values())

    again = retention.comment_text_retention_apply(today=timezone.localdate() + datetime.timedelta(days=3))

    assert again.total == 0
    assert list(Comment.objects.order_by("id").values()) == after_first
    assert retention.round_retention(round).deleted_on == timezone.localdate()


def test_retention_logs_counts_and_nothing_of_the_comments(db, retention_months, caplog):
    round = _round_closed(people(6), months_ago=retention_months + 1)
    texts, ids = _texts(round), [str(pk) for pk in _comments_of(round).values_list("id", flat=True)]
    caplog.clear()

    with caplog.at_level(logging.DEBUG):
        retention.comment_text_retention_apply()

    logged = caplog.text
    assert "retention (24 months) deleted the text of 6 round comments and 0 always-open comments" in logged
    assert not [text for text in texts if text[:20] in logged]
    assert str(round.id) not in logged and not [pk for pk in ids if pk in logged]


def test_the_command_counts_on_a_dry_run_and_deletes_on_a_real_one(db, retention_months, capsys):
    round = _round_closed(people(6), months_ago=retention_months + 1)
    texts = _texts(round)

    call_command("apply_retention", "--dry-run")
    assert "Would delete the text of 6 round comments and 0 always-open comments" in capsys.readouterr().out
    assert _texts(round) == texts

    call_command("apply_retention")
    assert "Deleted the text of 6 round comments" in capsys.readouterr().out
    assert _texts(round) == [""] * 6


# --- nothing later re-creates or needs the text -------------------------------------------------------------------


def test_hr_pages_and_exports_show_the_same_numbers_and_themes_after_the_text_is_deleted(
    db, retention_months, small_open_feedback_threshold, hr, client_as
):
    """40 people, each sentence by five in each department, so the round has themes HR may see."""
    round = _round_closed(_team(Engineering=20, Sales=20), months_ago=retention_months + 1)
    period = _open_feedback_of_last_month(people(12))
    client = client_as(hr)
    before = _hr_view(client, round)
    assert "Themes" in " ".join(section.title for section in before["round"])

    retention.comment_text_retention_apply(today=_months_ahead(retention_months + 1))
    assert not Comment.objects.exclude(text="").exists()
    _everything_a_sweeper_or_task_would_redo(round, period)

    assert _hr_view(client, round) == before


def _hr_view(client, round: Round) -> dict:
    cache.clear()  # the page cache is keyed by snapshot version; read the pages afresh
    pages = {
        "round": reverse("reports:round", args=[round.id]),
        "trends": reverse("reports:trends"),
        "open_feedback": reverse("reports:open_feedback"),
    }
    view = {name: _sections(client.get(url)) for name, url in pages.items()}
    view["round_csv"] = csv_rows(client.get(reverse("reports:round_export", args=[round.id, EXPORTS[0]])).content)
    return view


def _sections(response) -> list:
    assert response.status_code == 200
    return _page_sections(response)


def _everything_a_sweeper_or_task_would_redo(round: Round, period: str) -> None:
    """The beat sweeper finds nothing waiting, and the round and the month published again anyway change nothing."""
    assert pipeline.publications_due() == {"rounds": 0, "months": 0}
    assert pipeline.round_publish(round.id) is None
    assert pipeline.open_feedback_publish(period) is None


def test_publishing_again_after_the_deletion_keeps_the_published_themes_and_scores(db, retention_months):
    round = _round_closed(people(24), months_ago=retention_months + 1)
    kept = _kept_numbers(round)
    snapshot = ReportSnapshot.objects.values().get(round_id=round.id)
    assert [theme for theme in kept["themes"] if theme[0] != "other"]

    retention.comment_text_retention_apply()
    pipeline.round_publish(round.id)
    pipeline.publications_due()

    assert _kept_numbers(round) == kept
    assert list(ReportSnapshot.objects.filter(round_id=round.id).values()) == [snapshot]


def test_a_round_published_after_its_retention_passed_is_scored_before_its_text_goes(db, retention_months):
    """A publication held up past the retention (an outage) still scores and themes the real text; the next
    retention run then deletes it."""
    team = people(6)
    round = open_round_with(team, k=3, questions=[{"kind": "text"}])
    for person in team:
        submission.round_submit(person=person, round=round, answers=[(round.questions.get(), SENTENCES[0])])
    rounds.round_close(round, _months_ago(retention_months + 1))

    assert retention.comment_text_retention_apply().total == 0
    assert PoolEntry.objects.filter(round_id=round.id).count() == 6
    pipeline.round_publish(round.id)
    assert _texts(round) == [SENTENCES[0]] * 6
    assert retention.comment_text_retention_apply().round_comments == 6

    scored = _comments_of(round).values_list("compound", "sentiment", "text_deleted_on")
    assert set(scored) == {(score_comment(SENTENCES[0]).compound, "negative", timezone.localdate())}


def test_a_retention_run_waits_for_another_on_the_same_round_and_deletes_nothing_twice(
    postgres, transactional_db, settings
):
    """Row locks are PostgreSQL's: a second run (beat's task delivered twice) holding the round's responses is waited
    for, not raced, so each text is deleted and counted once."""
    settings.CANDOR_RETENTION_MONTHS = 24
    round = _round_built_directly(closes_at=_months_ago(25), comments=6)
    holding, done = threading.Event(), threading.Event()
    other_run = threading.Thread(target=_hold_the_round_and_delete_its_text, args=(round, holding, done))
    other_run.start()
    assert holding.wait(10)

    started = time.monotonic()
    deleted = retention.comment_text_retention_apply()
    waited = time.monotonic() - started
    other_run.join(10)

    assert done.is_set() and waited >= HOLD_SECONDS * 0.8
    assert deleted.round_comments == 0
    assert set(_comments_of(round).values_list("text", "text_deleted_on")) == {("", OTHER_RUN_DAY)}


HOLD_SECONDS = 1.0
OTHER_RUN_DAY = datetime.date(2001, 2, 3)


def _round_built_directly(*, closes_at: datetime.datetime, comments: int) -> Round:
    """Rows only, so that no task is queued for a worker this test does not run."""
    round = RoundFactory(state=Round.State.CLOSED, closes_at=closes_at)
    for index in range(comments):
        response = Response.objects.create(stream=Stream.ROUND, round_id=round.id, released_on=closes_at.date())
        Comment.objects.create(response=response, text=SENTENCES[index % len(SENTENCES)])
    return round


def _hold_the_round_and_delete_its_text(round: Round, holding: threading.Event, done: threading.Event) -> None:
    """Another run, caught between locking the round's responses and emptying their comments."""
    try:
        with transaction.atomic():
            groups_lock([(Stream.ROUND, round.id, "")])
            holding.set()
            time.sleep(HOLD_SECONDS)
            Comment.objects.filter(response__round_id=round.id).update(text="", text_deleted_on=OTHER_RUN_DAY)
        done.set()
    finally:
        connection.close()


# --- where people read about it -----------------------------------------------------------------------------------


def test_the_round_page_of_the_admin_says_until_when_and_then_since_when_the_text_is_kept(
    db, retention_months, admin, client_as
):
    round = _round_closed(people(6), months_ago=retention_months + 1)
    page = reverse("surveys:round_detail", args=[round.id])
    due = retention.months_shift(timezone.localdate(round.closes_at), retention_months)

    before = _text_of(client_as(admin).get(page))
    retention.comment_text_retention_apply()
    after = _text_of(client_as(admin).get(page))

    assert f"Comment text is kept until {_day(due)} under the 24-month retention setting, then deleted" in before
    assert f"Comment text deleted on {_day(timezone.localdate())} under the 24-month retention setting." in after


def test_the_round_page_of_an_open_round_says_how_long_text_is_kept_after_closing(
    db, retention_months, admin, client_as
):
    round = open_round_with(people(3), k=3)

    page = _text_of(client_as(admin).get(reverse("surveys:round_detail", args=[round.id])))

    assert "Comment text is kept for 24 months after the round closes, then deleted" in page


@pytest.mark.parametrize(
    ("months", "said"),
    [
        (24, "The text of your comments is deleted 24 months after its round closes"),
        (6, "The text of your comments is deleted 6 months after its round closes"),
        (0, "Comment text is kept with no time limit here"),
    ],
)
def test_what_hr_sees_says_how_long_comment_text_is_kept(months, said, settings, employee, client_as):
    settings.CANDOR_RETENTION_MONTHS = months

    assert said in _text_of(client_as(employee).get(reverse("reports:what_hr_sees")))


def _text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _day(day: datetime.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


# --- on the real worker, as beat sends it -------------------------------------------------------------------------


def test_beat_schedules_the_retention_task_daily_and_the_worker_knows_it():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-comment-text"]

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 86400.0


def test_a_bad_retention_setting_stops_the_start_with_what_it_expects():
    negative = _settings_process("config.settings.test", "print('started')", CANDOR_RETENTION_MONTHS="-1")
    words = _settings_process("config.settings.test", "print('started')", CANDOR_RETENTION_MONTHS="two years")
    unset = _settings_process("config.settings.test", "print(s.CANDOR_RETENTION_MONTHS)")

    assert "CANDOR_RETENTION_MONTHS='-1' is invalid: expected a whole number of at least 0" in negative.stderr
    assert "CANDOR_RETENTION_MONTHS='two years' is invalid: expected a whole number" in words.stderr
    assert unset.stdout.strip() == "24"


def test_the_beat_task_closing_a_due_round_publishes_it_forgets_who_took_part_and_loses_no_answer(celery_worker):
    team = people(5)
    round = open_round_with(team, k=3, closes_at=timezone.now() + datetime.timedelta(hours=1))
    for index, person in enumerate(team[:4]):
        submission.round_submit(person=person, round=round, answers=_answers(round, index, SENTENCES[index]))
    assert Participation.objects.filter(round=round).count() == 4
    Round.objects.filter(id=round.id).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))

    rounds_advance.delay()

    assert _wait_for(lambda: ReportSnapshot.objects.filter(round_id=round.id).exists()), celery_worker.log()[-3000:]
    celery_worker.wait_until_idle()
    assert not Participation.objects.filter(round=round).exists()
    # Invitations stay: they decide who may read the round's results.
    assert Invitation.objects.filter(round=round).count() == 5
    assert Round.objects.get(id=round.id).submitted_count == 4
    assert Response.objects.filter(round_id=round.id).count() == 4
    assert not PoolEntry.objects.filter(round_id=round.id).exists()


def test_the_beat_task_deletes_expired_text_on_the_worker_and_logs_only_counts(celery_worker):
    from django.conf import settings

    months = settings.CANDOR_RETENTION_MONTHS  # the worker reads the same environment
    assert months, "the worker test needs retention on"
    round = _round_closed(people(6), months_ago=months + 1)
    celery_worker.wait_until_idle()
    texts, kept = _texts(round), _kept_numbers(round)

    comment_text_retention_apply.delay()

    assert _wait_for(lambda: _texts(round) == [""] * 6), celery_worker.log()[-3000:]
    assert _kept_numbers(round) == kept
    log = celery_worker.log()
    assert f"retention ({months} months) deleted the text of 6 round comments" in log
    assert not [text for text in texts if text[:20] in log]
