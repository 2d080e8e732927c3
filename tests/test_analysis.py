"""Publication analyses a round once: every comment scored, themes built and named, nothing from one person."""

import datetime
import re

from django.utils import timezone

from feedback.models import Comment
from reports import pipeline
from sentiment.models import Theme
from surveys import rounds, submission
from surveys.models import Round
from tests.rounds import open_round_with, people

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


def _published_round(count: int = 24, k: int = 3, threshold: int = 4, *, marked: int | None = None, opens_at=None):
    """``count`` people answer one free-text question; the round closes and is published. ``marked`` adds a word
    nobody else uses to that person's comment."""
    team = people(count)
    round = open_round_with(team, k=k, questions=[{"kind": "text"}], opens_at=opens_at or timezone.now())
    Round.objects.filter(id=round.id).update(comment_threshold=threshold)
    question = round.questions.get()
    for index, person in enumerate(team):
        text = COMMENTS[index % len(COMMENTS)] + (" Zanzibarquux zanzibarquux." if index == marked else "")
        submission.round_submit(person=person, round=round, answers=[(question, text)])
    rounds.round_close(round)
    pipeline.round_publish(round.id)
    return Round.objects.get(id=round.id)


def test_a_rounds_themes_are_built_named_and_every_comment_placed(db):
    round = _published_round()

    themes = list(Theme.objects.filter(round_id=round.id))
    assert len(themes) >= 2
    assert not Comment.objects.filter(response__round_id=round.id, theme_id__isnull=True).exists()
    assert sum(theme.comments for theme in themes) == 24
    for theme in themes:
        assert theme.is_other or theme.respondents >= round.comment_threshold
        assert all(len(term.split()) <= 3 for term in theme.terms)


def test_no_theme_holds_a_sentence_of_a_comment(db):
    _published_round()

    stored = " | ".join(f"{theme.name} {' '.join(theme.terms)}" for theme in Theme.objects.all()).lower()
    for comment in COMMENTS:
        words = re.findall(r"[a-z']+", comment.lower())
        for start in range(len(words) - 3):
            assert " ".join(words[start : start + 4]) not in stored


def test_a_term_used_by_one_person_never_becomes_a_theme_term(db):
    _published_round(count=23, marked=5)

    assert not [theme for theme in Theme.objects.all() if any("zanzibarquux" in term for term in theme.terms)]


def test_publishing_again_changes_nothing(db):
    round = _published_round()
    first = sorted(Theme.objects.values_list("id", "key", "name", "comments", "respondents"))
    scores = sorted(Comment.objects.values_list("id", "compound"))

    assert pipeline.round_publish(round.id) is None

    assert sorted(Theme.objects.values_list("id", "key", "name", "comments", "respondents")) == first
    assert sorted(Comment.objects.values_list("id", "compound")) == scores


def test_a_recurring_theme_keeps_its_key_in_the_next_round_of_the_same_audience(db):
    now = timezone.now()
    first = _published_round(opens_at=now - datetime.timedelta(days=90))
    second = _published_round(opens_at=now - datetime.timedelta(days=1))

    earlier = set(Theme.objects.filter(round_id=first.id, is_other=False).values_list("key", flat=True))
    later = set(Theme.objects.filter(round_id=second.id, is_other=False).values_list("key", flat=True))
    assert second.previous_of_same_audience() == first
    assert earlier & later


def test_too_few_comments_are_all_other(db):
    round = _published_round(count=5, k=3, threshold=10)

    assert list(Theme.objects.filter(round_id=round.id).values_list("is_other", "terms")) == [(True, [])]


def test_every_comment_is_scored_at_publication_and_themes_take_their_tone_from_it(db):
    _published_round()

    assert not Comment.objects.filter(compound__isnull=True).exists()

    sentences = sum(theme.negative + theme.neutral + theme.positive for theme in Theme.objects.all())
    assert sentences >= 24
    assert any(theme.compound is not None and theme.compound < 0 for theme in Theme.objects.all())
