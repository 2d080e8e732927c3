"""The analysis pipeline: released comments become scores and themes, once, whatever goes wrong."""

import os
import re
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from feedback.models import Comment, Response
from sentiment.models import Theme
from surveys import analysis, release, submission
from surveys.models import Round
from surveys.tasks import analysis_sweep
from tests.rounds import open_round_with, people
from tests.test_submission import _connections_forget

COMMENTS = [
    "The token leaderboard is toxic and makes people game their numbers.",
    "We are forced to hit weekly usage targets even when AI does not help.",
    "The leaderboard turns AI usage into a competition nobody asked for.",
    "Usage targets mean I waste time writing prompts just to show activity.",
    "It feels like surveillance, my manager checks my AI usage dashboard.",
    "I think the dashboard is used to monitor us and judge our performance.",
    "The code assistant hallucinates APIs and I lose hours fixing its errors.",
    "Its answers are often wrong so I double check every single output.",
    "The summaries save me real time on meeting notes every week.",
    "Drafting documentation is much faster now, a real productivity gain.",
    "Nobody trained us on when to use the tools or what data is allowed.",
    "We need proper guidance and training on safe use of the AI tools.",
]


def _released_round(count: int = 24, k: int = 3, threshold: int = 4):
    team = people(count)
    round = open_round_with(team, k=k, questions=[{"kind": "text"}])
    Round.objects.filter(id=round.id).update(comment_threshold=threshold)
    question = round.questions.get()
    for index, person in enumerate(team):
        submission.round_submit(person=person, round=round, answers=[(question, COMMENTS[index % len(COMMENTS)])])
    Round.objects.filter(id=round.id).update(state=Round.State.CLOSED)
    release.round_release(round.id)
    return Round.objects.get(id=round.id)


def test_a_rounds_themes_are_built_named_and_every_comment_placed(db):
    round = _released_round()

    analysis.round_themes_build(round.id)

    themes = list(Theme.objects.filter(round_id=round.id))
    assert len(themes) >= 2
    assert not Comment.objects.filter(response__round_id=round.id, theme_id__isnull=True).exists()
    assert sum(theme.comments for theme in themes) == 24
    for theme in themes:
        assert theme.is_other or theme.respondents >= round.comment_threshold
        assert all(len(term.split()) <= 3 for term in theme.terms)


def test_no_theme_holds_a_sentence_of_a_comment(db):
    round = _released_round()

    analysis.round_themes_build(round.id)

    stored = " | ".join(f"{theme.name} {' '.join(theme.terms)}" for theme in Theme.objects.all()).lower()
    for comment in COMMENTS:
        words = re.findall(r"[a-z']+", comment.lower())
        for start in range(len(words) - 3):
            assert " ".join(words[start : start + 4]) not in stored


def test_a_term_used_by_one_person_never_becomes_a_theme_term(db):
    round = _released_round(count=23)
    marker = Response.objects.filter(round_id=round.id).first().comments.get()
    marker.text = marker.text + " Zanzibarquux zanzibarquux."
    marker.save()

    analysis.round_themes_build(round.id)

    assert not [theme for theme in Theme.objects.all() if any("zanzibarquux" in term for term in theme.terms)]


def test_rebuilding_stores_the_same_themes(db):
    round = _released_round()
    analysis.round_themes_build(round.id)
    first = sorted(Theme.objects.values_list("key", "name", "comments", "respondents"))

    analysis.round_themes_build(round.id)

    assert sorted(Theme.objects.values_list("key", "name", "comments", "respondents")) == first


def test_a_recurring_theme_keeps_its_key_in_the_next_round(db):
    first = _released_round()
    analysis.round_themes_build(first.id)
    second = _released_round()
    Round.objects.filter(id=second.id).update(opens_at=first.opens_at or None)
    Round.objects.filter(id=first.id).update(opens_at="2026-01-01T00:00Z")
    Round.objects.filter(id=second.id).update(opens_at="2026-04-01T00:00Z")

    analysis.round_themes_build(second.id)

    earlier = set(Theme.objects.filter(round_id=first.id, is_other=False).values_list("key", flat=True))
    later = set(Theme.objects.filter(round_id=second.id, is_other=False).values_list("key", flat=True))
    assert earlier & later


def test_too_few_comments_are_all_other(db):
    round = _released_round(count=5, k=3, threshold=10)

    analysis.round_themes_build(round.id)

    assert list(Theme.objects.filter(round_id=round.id).values_list("is_other", "terms")) == [(True, [])]


def test_theme_sentiment_comes_from_the_scored_sentences(db):
    round = _released_round()
    from sentiment.services import comments_score

    comments_score([str(pk) for pk in Comment.objects.values_list("id", flat=True)])
    analysis.round_themes_build(round.id)

    sentences = sum(theme.negative + theme.neutral + theme.positive for theme in Theme.objects.all())
    assert sentences >= 24
    assert any(theme.compound is not None and theme.compound < 0 for theme in Theme.objects.all())


def _scored_in_log(log: str) -> int:
    return sum(int(count) for count in re.findall(r"scored (\d+) comments", log))


def _wait_for(condition, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def _pool_child(pid: int) -> int | None:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = children.read_text().split() if children.exists() else []
    return int(found[0]) if found else None


def test_a_worker_killed_mid_batch_is_replaced_and_every_comment_is_scored_once(celery_worker):
    from sentiment.tasks import comments_score

    # Built directly, so that no release or theme task competes with the batch for the worker.
    response = Response.objects.create(stream="round", released_on=date.today(), receipt_hash="x" * 64)
    Comment.objects.bulk_create(
        [Comment(response=response, text=f"{COMMENTS[n % 12]} Batch line {n}.") for n in range(20_000)]
    )
    total = Comment.objects.count()
    log_before = _scored_in_log(celery_worker.log())

    task = comments_score.delay([str(pk) for pk in Comment.objects.values_list("id", flat=True)])
    assert _wait_for(lambda: f"comments_score[{task.id}] received" in celery_worker.log()), celery_worker.log()
    time.sleep(0.7)
    child = _pool_child(celery_worker.process.pid)
    assert child is not None
    os.kill(child, signal.SIGKILL)

    assert _wait_for(lambda: not Comment.objects.filter(compound__isnull=True).exists()), celery_worker.log()[-3000:]
    assert "WorkerLostError" in celery_worker.log()  # the batch was interrupted, not already done
    assert _scored_in_log(celery_worker.log()) - log_before == total


@pytest.fixture
def broker_down_then_back():
    from config.celery_app import app

    saved_url, saved_options = app.conf.broker_url, app.conf.broker_transport_options

    def down():
        app.conf.broker_url, app.conf.broker_transport_options = "redis://127.0.0.1:9/0", {}
        _connections_forget(app)

    def back():
        app.conf.broker_url, app.conf.broker_transport_options = saved_url, saved_options
        _connections_forget(app)

    yield down, back
    back()


def test_comments_released_while_the_broker_was_down_are_scored_by_the_sweeper(celery_worker, broker_down_then_back):
    down, back = broker_down_then_back
    down()
    round = _released_round(count=12)
    assert Comment.objects.filter(compound__isnull=True).count() == 12

    back()
    analysis_sweep.delay()

    assert _wait_for(lambda: not Comment.objects.filter(compound__isnull=True).exists()), celery_worker.log()[-3000:]
    assert _wait_for(lambda: Theme.objects.filter(round_id=round.id).exists()), celery_worker.log()[-3000:]
    assert not Comment.objects.filter(theme_id__isnull=True).exists()
