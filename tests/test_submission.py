import re
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import PoolEntry, Receipt, Response
from feedback.sealing import sealed_length, unseal
from feedback.selectors import receipt_status
from surveys import attributes, submission
from surveys.forms import field_name
from surveys.models import Invitation, Participation, Round
from tests.factories import PersonFactory
from tests.rounds import open_round_with, people

COMMENT = "The token leaderboard feels like surveillance. Ask Ada Lovelace, ada@corp.example.com"


@pytest.fixture
def team(db):
    return [PersonFactory(department="Engineering", user__name="Ada Lovelace"), *people(5, department="Engineering")]


def _attributes_frozen(round) -> Round:
    """As opening a round does: each invitee's banded attributes as of today, copied onto their invitation."""
    for invitation in round.invitations.select_related("person"):
        invitation.attributes = attributes.raw_attributes(invitation.person, timezone.localdate(), extra_keys=[])
        invitation.save()
    return round


@pytest.fixture
def round(team):
    return _attributes_frozen(open_round_with(team, k=3))


@pytest.fixture
def me(team):
    return team[0]


@pytest.fixture
def my_client(me):
    client = Client()
    client.force_login(me.user)
    return client


def _answers(round, likert="4", comment=COMMENT) -> dict:
    likert_question, text_question = round.questions.all()
    return {field_name(likert_question): likert, field_name(text_question): comment}


def _url(round):
    return reverse("surveys:round_answer", args=[round.id])


def _submit(client, round, **answers) -> str:
    response = client.post(_url(round), _answers(round, **answers) | {"action": "submit"})
    assert response.status_code == 200, response.content
    return re.search(rb"[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}", response.content).group().decode()


def test_the_home_page_lists_my_open_rounds_and_whether_i_answered(my_client, round, team):
    page = my_client.get(reverse("surveys:employee_home"))
    assert round.title.encode() in page.content
    assert _url(round).encode() in page.content

    _submit(my_client, round)

    page = my_client.get(reverse("surveys:employee_home"))
    assert b"Answered" in page.content
    assert _url(round).encode() not in page.content


def test_the_preview_shows_exactly_what_will_be_stored_and_stores_nothing(my_client, round, team):
    response = my_client.post(_url(round), _answers(round) | {"action": "preview"})

    html = response.content.decode()
    shown_comment = re.search(r"<blockquote>(.*?)</blockquote>", html, re.S).group(1)
    assert shown_comment == "The token leaderboard feels like surveillance. Ask [name], [email]"
    assert "Agree" in html
    assert "Engineering" in html
    assert "generalized further" in html
    assert "Your IP address and browser" in html
    assert not PoolEntry.objects.exists()
    assert not Participation.objects.exists()


def test_submitting_seals_a_redacted_response_and_records_participation(my_client, round, me):
    code = _submit(my_client, round)

    payload = unseal(PoolEntry.objects.get().sealed)
    assert payload["comments"][0]["text"] == "The token leaderboard feels like surveillance. Ask [name], [email]"
    assert payload["attributes"] == Invitation.objects.get(round=round, person=me).attributes
    assert payload["attributes"]["department"] == "Engineering"
    assert Participation.objects.filter(round=round, person=me).exists()
    assert receipt_status(code) == "counted"


def test_a_submission_carries_the_attributes_frozen_at_open_whatever_the_roster_says_now(round, me):
    me.department, me.location = "Sales", "Oslo"
    me.save()

    submission.round_submit(person=me, round=round, answers=[(round.questions.first(), 3)])

    assert unseal(PoolEntry.objects.get().sealed)["attributes"]["department"] == "Engineering"


def test_nothing_is_published_while_the_round_is_open_and_every_entry_has_one_length(round, team):
    likert, text = round.questions.all()
    submission.round_submit(person=team[0], round=round, answers=[(likert, 1)])
    submission.round_submit(person=team[1], round=round, answers=[(likert, 5), (text, "AI targets are theatre " * 150)])
    submission.round_submit(person=team[2], round=round, answers=[(text, "ok")])

    lengths = {len(sealed) for sealed in PoolEntry.objects.values_list("sealed", flat=True)}

    assert not Response.objects.exists()
    assert PoolEntry.objects.count() == 3
    assert len(lengths) == 1
    assert lengths.pop() == sealed_length(submission._round_size(round))


def test_a_second_submission_gets_a_clear_page_and_no_second_record(my_client, round):
    _submit(my_client, round)

    again = my_client.post(_url(round), _answers(round) | {"action": "submit"})

    assert again.status_code == 409
    assert b"already answered this round" in again.content
    assert PoolEntry.objects.count() == 1


def test_the_answer_page_of_an_answered_round_says_so(my_client, round):
    _submit(my_client, round)

    assert my_client.get(_url(round)).status_code == 409


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"likert": ""}, b"This field is required."),
        ({"likert": "9"}, b"Select a valid choice."),
        ({"likert": "three"}, b"Select a valid choice."),
        ({"comment": "x" * 4001}, b"at most 4000 characters"),
    ],
)
def test_bad_answers_are_refused_next_to_the_question_and_what_was_typed_is_kept(my_client, round, answers, message):
    response = my_client.post(_url(round), _answers(round, **answers) | {"action": "submit"})

    assert response.status_code == 200
    assert message in response.content
    assert b"feels like surveillance" in response.content or b"x" * 100 in response.content
    assert not PoolEntry.objects.exists()
    assert not Participation.objects.exists()


def test_an_answer_to_a_question_from_another_round_is_refused(my_client, round, team):
    other = open_round_with(team, k=3)
    smuggled = {field_name(other.questions.first()): "5"}

    response = my_client.post(_url(round), _answers(round) | smuggled | {"action": "submit"})

    assert b"not in this round" in response.content
    assert not PoolEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": Round.State.CLOSED}, b"not open for answers"),
        ({"state": Round.State.SCHEDULED}, b"not open for answers"),
        ({"closes_at": timezone.now() - timedelta(minutes=1)}, b"not open for answers"),
    ],
)
def test_rounds_that_are_not_open_refuse_answers(my_client, round, change, message):
    Round.objects.filter(id=round.id).update(**change)

    response = my_client.post(_url(round), _answers(round) | {"action": "submit"})

    assert response.status_code == 403
    assert message in response.content
    assert not PoolEntry.objects.exists()


def test_someone_outside_the_audience_cannot_answer(round, client_as):
    stranger = PersonFactory(department="Sales")

    response = client_as(stranger.user).post(_url(round), _answers(round) | {"action": "submit"})

    assert response.status_code == 403
    assert b"different group of people" in response.content
    assert not PoolEntry.objects.exists()


def test_html_emoji_and_right_to_left_text_survive_and_are_shown_escaped(my_client, round):
    comment = "<script>alert(1)</script> 🤖 שלום <img src=x onerror=alert(2)>"

    response = my_client.post(_url(round), _answers(round, comment=comment) | {"action": "preview"})

    assert b"<script>alert(1)</script>" not in response.content
    assert (
        b"&lt;script&gt;alert(1)&lt;/script&gt; \xf0\x9f\xa4\x96 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d" in response.content
    )


def test_a_post_without_a_csrf_token_is_refused(round, me):
    client = Client(enforce_csrf_checks=True)
    client.force_login(me.user)

    response = client.post(_url(round), _answers(round) | {"action": "submit"})

    assert response.status_code == 403
    assert not PoolEntry.objects.exists()


def test_a_receipt_says_counted_and_leads_to_nothing_else(round, team, client):
    codes = [
        submission.round_submit(person=person, round=round, answers=[(round.questions.first(), 3)]) for person in team
    ]

    assert {receipt_status(code) for code in codes} == {"counted"}
    assert Receipt.objects.filter(round_id=round.id).count() == len(team)
    page = client.post(reverse("feedback:receipt_check"), {"code": codes[0].lower()})
    assert b"Counted" in page.content
    assert b"when the round closes" in page.content
    assert b"No submission has this code" in client.post(reverse("feedback:receipt_check"), {"code": "ABCDE"}).content


@pytest.mark.parametrize(
    "change",
    [{"state": Round.State.CLOSED}, {"closes_at": timezone.now() - timedelta(seconds=1)}],
    ids=["closed", "past its closing time"],
)
def test_a_submission_that_arrives_after_the_close_is_refused_and_nothing_is_stored(round, me, change):
    Round.objects.filter(id=round.id).update(**change)

    with pytest.raises(submission.SubmissionRefused, match="closed before your answers arrived"):
        submission.round_submit(person=me, round=round, answers=[(round.questions.first(), 3)])

    assert not Participation.objects.exists()
    assert not PoolEntry.objects.exists()
    assert not Receipt.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_submission_racing_a_close_waits_for_it_and_is_refused_as_late():
    team = people(4, department="Engineering")
    round = _attributes_frozen(open_round_with(team, k=3))
    close_holds_the_round = threading.Event()

    def close_by_hand():
        try:
            with transaction.atomic():
                Round.objects.select_for_update().get(id=round.id)
                close_holds_the_round.set()
                time.sleep(0.5)  # the submission arrives now, while the round is still open in the database
                Round.objects.filter(id=round.id).update(state=Round.State.CLOSED)
        finally:
            connection.close()

    closer = threading.Thread(target=close_by_hand)
    closer.start()
    close_holds_the_round.wait(timeout=10)
    try:
        with pytest.raises(submission.SubmissionRefused, match="closed before your answers arrived"):
            submission.round_submit(person=team[0], round=round, answers=[(round.questions.first(), 3)])
    finally:
        closer.join()

    assert Round.objects.get(id=round.id).state == Round.State.CLOSED
    assert not PoolEntry.objects.exists()
    assert not Participation.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_submissions_to_one_round_do_not_wait_for_each_other(postgres):
    team = people(4, department="Engineering")
    round = _attributes_frozen(open_round_with(team, k=3))
    first_is_stored, second_is_stored = threading.Event(), threading.Event()
    first_waited_out = []

    def first_submission_left_open():
        try:
            with transaction.atomic():
                submission.round_submit(person=team[0], round=round, answers=[(round.questions.first(), 3)])
                first_is_stored.set()
                first_waited_out.append(not second_is_stored.wait(timeout=5))
        finally:
            connection.close()

    first = threading.Thread(target=first_submission_left_open)
    first.start()
    first_is_stored.wait(timeout=10)
    submission.round_submit(person=team[1], round=round, answers=[(round.questions.first(), 4)])
    second_is_stored.set()
    first.join()

    assert first_waited_out == [False]
    assert Participation.objects.filter(round=round).count() == 2


def test_an_always_open_comment_is_previewed_then_sealed_without_attributes(my_client, me):
    url = reverse("surveys:open_feedback")
    preview = my_client.post(url, {"topic": "targets", "text": COMMENT, "action": "preview"})
    assert b"[email]" in preview.content
    assert b"Nothing about you" in preview.content
    assert not PoolEntry.objects.exists()

    page = my_client.post(url, {"topic": "targets", "text": COMMENT, "action": "submit"})

    payload = unseal(PoolEntry.objects.get(stream="open").sealed)
    assert payload["attributes"] == {}
    assert payload["comments"][0]["topic"] == "targets"
    assert b"after its month ends" in page.content
    assert not Response.objects.exists()


def _rows_outside_the_pool() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model not in (PoolEntry, Receipt) and not model._meta.label.startswith(("sessions.", "auditlog."))
    }


def test_the_monthly_quota_lives_in_the_cache_and_no_table_grows_with_always_open_comments(me, team):
    before = _rows_outside_the_pool()

    for person in (me, *team[1:], me):
        submission.open_feedback_submit(person=person, topic="", text="Too much pressure")

    assert _rows_outside_the_pool() == before
    assert PoolEntry.objects.count() == len(team) + 1


def test_the_quota_is_refused_when_the_cache_cannot_count(me, settings):
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.OutageTolerantRedisCache", "LOCATION": "redis://127.0.0.1:9/1"}
    }

    with pytest.raises(submission.SubmissionRefused, match="cannot be checked right now"):
        submission.open_feedback_submit(person=me, topic="", text="Too much pressure")

    assert not PoolEntry.objects.exists()
    assert not Receipt.objects.exists()


def test_always_open_feedback_is_limited_per_person_per_month(me, settings):
    settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT = 2
    for _ in range(2):
        submission.open_feedback_submit(person=me, topic="", text="Too much pressure")

    with pytest.raises(submission.SubmissionRefused, match="2 comments this month"):
        submission.open_feedback_submit(person=me, topic="", text="Too much pressure")

    assert PoolEntry.objects.count() == 2
    assert Receipt.objects.count() == 2


def test_an_oversize_request_body_is_refused_and_nothing_is_stored(my_client, round):
    response = my_client.post(_url(round), _answers(round, comment="x" * 3_000_000) | {"action": "submit"})

    assert response.status_code == 400
    assert not PoolEntry.objects.exists()


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens, as when Redis is stopped."""
    from config.celery_app import app

    saved_url, saved_options = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url, app.conf.broker_transport_options = "redis://127.0.0.1:9/0", {}
    _connections_forget(app)
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved_url, saved_options
    _connections_forget(app)


def _connections_forget(app):
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_a_submission_succeeds_while_the_broker_is_down_and_queues_nothing(broker_down, caplog):
    team = people(4)
    round = _attributes_frozen(open_round_with(team, k=3))
    client = Client()
    client.force_login(team[0].user)

    with caplog.at_level("WARNING", logger="config.dispatch"):
        code = _submit(client, round)

    assert receipt_status(code) == "counted"
    assert Participation.objects.filter(round=round).count() == 1
    assert "was not queued" not in caplog.text
