"""Attacks on the anonymity of stored responses (P1, P2, P7 in DESIGN.md)."""

import io
import logging
import re
import threading

import pytest
from celery.signals import before_task_publish
from django.apps import apps
from django.db import connection, connections, models, transaction
from django.urls import reverse

from feedback.models import PoolEntry, Response
from reports import pipeline
from surveys import rounds, submission
from surveys.models import Participation, Round
from tests.rounds import open_round_with, people

ANONYMOUS_APPS = ("feedback", "sentiment")
MARKER = re.compile(r"Marker(\d{4})")
IDENTIFYING_WORDS = {"user", "person", "session", "ip", "address", "agent", "email", "participation", "created"}


def _anonymous_models():
    return [model for app in ANONYMOUS_APPS for model in apps.get_app_config(app).get_models()]


def test_the_anonymous_side_has_models_to_check():
    assert {model.__name__ for model in _anonymous_models()} >= {"PoolEntry", "Response", "Answer", "Comment"}


@pytest.mark.parametrize("model", _anonymous_models(), ids=lambda model: model.__name__)
def test_no_anonymous_model_references_a_person_a_session_an_address_or_a_precise_time(model):
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            assert field.related_model._meta.app_label in ANONYMOUS_APPS, f"{model.__name__}.{field.name}"
        assert not isinstance(field, models.DateTimeField | models.TimeField | models.GenericIPAddressField)
        assert IDENTIFYING_WORDS.isdisjoint(field.name.lower().split("_")), f"{model.__name__}.{field.name}"


@pytest.mark.parametrize("model", _anonymous_models(), ids=lambda model: model.__name__)
def test_anonymous_rows_have_random_keys_and_are_ordered_by_them(model):
    assert isinstance(model._meta.pk, models.UUIDField)
    assert model._meta.pk.default.__name__ == "uuid4"
    assert model._meta.ordering == ["id"]


def _spearman(xs: list[int], ys: list[int]) -> float:
    """Rank correlation for two permutations (no ties)."""
    n = len(xs)
    squared = sum((x - y) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * squared / (n * (n * n - 1))


def _submit_everyone(round, team) -> list[int]:
    """Each person submits a comment naming their place in the order; returns the responses visible after each."""
    visible = []
    question = round.questions.get(kind="text")
    for number, person in enumerate(team):
        submission.round_submit(person=person, round=round, answers=[(question, f"Comment Marker{number:04d}.")])
        visible.append(Response.objects.filter(round_id=round.id).count())
    return visible


def _close_and_publish(round) -> None:
    with transaction.atomic():
        rounds.round_close(round)
    pipeline.round_publish(round.id)


def test_the_stored_order_of_responses_does_not_follow_the_order_of_participation(db, seeded_randomness):
    team = people(200)
    round = open_round_with(team, k=5, questions=[{"kind": "text"}])
    _submit_everyone(round, team)
    _close_and_publish(round)

    # Read back as a backup or a careless query would, in physical order (no ORDER BY).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.text FROM feedback_response r JOIN feedback_comment c ON c.response_id = r.id "
            "WHERE r.round_id = %s ORDER BY r.rowid"
            if connection.vendor == "sqlite"
            else "SELECT c.text FROM feedback_response r JOIN feedback_comment c ON c.response_id = r.id "
            "WHERE r.round_id = %s ORDER BY r.ctid",
            [round.id.hex if connection.vendor == "sqlite" else round.id],
        )
        order = [int(MARKER.search(text).group(1)) for (text,) in cursor.fetchall()]

    assert sorted(order) == list(range(200))
    assert abs(_spearman(list(range(200)), order)) < 0.2


def test_nothing_reaches_the_analysed_responses_until_the_round_closes_then_everything_at_once(db):
    team = people(60)
    round = open_round_with(team, k=5, questions=[{"kind": "text"}])

    visible = _submit_everyone(round, team)
    _close_and_publish(round)

    assert set(visible) == {0}
    assert Response.objects.filter(round_id=round.id).count() == 60
    assert not Participation.objects.filter(round=round).exists()
    assert Round.objects.get(id=round.id).submitted_count == 60


@pytest.mark.usefixtures("postgres")
def test_postgresql_row_versions_do_not_single_out_anyone(db):
    team = people(30)
    round = open_round_with(team, k=5, questions=[{"kind": "text"}])
    _submit_everyone(round, team)
    _close_and_publish(round)

    with connection.cursor() as cursor:
        for table in ("feedback_response", "feedback_answer", "feedback_comment"):
            cursor.execute(f"SELECT count(DISTINCT xmin::text) FROM {table}")  # noqa: S608 - a fixed table name
            assert cursor.fetchone()[0] <= 1, table


@pytest.mark.usefixtures("postgres")
def test_concurrent_double_submissions_store_exactly_one_response(celery_worker):
    person, *others = people(4)
    round = open_round_with([person, *others], k=3, questions=[{"kind": "likert"}])
    question = round.questions.first()
    barrier = threading.Barrier(4)
    outcomes = []

    def submit():
        barrier.wait()
        try:
            submission.round_submit(person=person, round=round, answers=[(question, 4)])
            outcomes.append("stored")
        except submission.AlreadySubmitted:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    assert PoolEntry.objects.count() == 1


def test_nothing_from_a_submission_reaches_the_logs_or_the_celery_messages(celery_worker, client_as):
    """The submission and the publication at close, through the real worker."""
    team = people(4)
    round = open_round_with(team, k=3)
    author = team[0]
    secret_comment = "my lead Bob reads the token leaderboard every friday"
    published = []

    def capture(body=None, headers=None, **kwargs):
        published.append((body, headers))

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    logging.getLogger("django").addHandler(handler)
    before_task_publish.connect(capture)
    try:
        likert, text = round.questions.all()
        client = client_as(author.user)
        client.post(
            reverse("surveys:round_answer", args=[round.id]),
            {f"q_{likert.id.hex}": "2", f"q_{text.id.hex}": secret_comment, "action": "submit"},
            REMOTE_ADDR="198.51.100.23",
        )
        for person in team[1:]:
            submission.round_submit(person=person, round=round, answers=[(likert, 3), (text, "A usual comment.")])
        assert published == [], "a submission queues nothing: it is published at close"
        with transaction.atomic():
            rounds.round_close(round)
        celery_worker.wait_until_idle()
    finally:
        before_task_publish.disconnect(capture)
        logging.getLogger().removeHandler(handler)
        logging.getLogger("django").removeHandler(handler)

    assert Response.objects.filter(round_id=round.id).count() == len(team)
    assert published, "the close should queue the publication"
    traces = stream.getvalue() + repr(published) + celery_worker.log()
    for trace in (secret_comment, "leaderboard", author.user.email, author.user.name, str(author.id), "198.51.100.23"):
        assert trace not in traces
    for (args, task_kwargs, _), _ in published:
        assert list(args) == [str(round.id)]
        assert task_kwargs == {}


@pytest.mark.parametrize("url_name", ["surveys:employee_home", "surveys:open_feedback"])
def test_employee_pages_refuse_people_without_a_role_and_send_visitors_to_login(url_name, outsider, client_as, client):
    assert client_as(outsider).get(reverse(url_name)).status_code == 403
    assert client.get(reverse(url_name))["Location"].startswith(reverse("account_login"))


def test_the_answer_page_refuses_people_without_a_role(outsider, client_as, db):
    round = open_round_with(people(3), k=3)
    url = reverse("surveys:round_answer", args=[round.id])

    assert client_as(outsider).get(url).status_code == 403
    assert client_as(outsider).post(url, {"action": "submit"}).status_code == 403
