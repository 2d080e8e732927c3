"""Attacks on the anonymity of stored responses (P1, P2, P7 in DESIGN.md)."""

import io
import logging
import random
import threading

import pytest
from celery.signals import before_task_publish
from django.apps import apps
from django.db import connection, connections, models
from django.urls import reverse

from feedback.models import PoolEntry, Response
from feedback.selectors import receipt_hash
from surveys import release, submission
from surveys.models import Participation, Round
from tests.rounds import open_round_with, people

ANONYMOUS_APPS = ("feedback", "sentiment")
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


def _submit_everyone(round, team) -> dict:
    """Submit one at a time, releasing after each as the on-commit task would. Returns person id → receipt hash."""
    hashes, visible = {}, []
    question = round.questions.first()
    for person in team:
        code = submission.round_submit(person=person, round=round, answers=[(question, random.randint(1, 5))])
        hashes[person.id] = receipt_hash(code)
        release.round_release(round.id)
        visible.append(Response.objects.filter(round_id=round.id).count())
    return hashes, visible


def test_the_stored_order_of_responses_does_not_follow_the_order_of_participation(db, seeded_randomness):
    team = people(200)
    round = open_round_with(team, k=5, questions=[{"kind": "likert"}])
    hashes, _ = _submit_everyone(round, team)
    Round.objects.filter(id=round.id).update(state=Round.State.CLOSED)
    release.round_release(round.id)

    # Read back as a backup or a careless query would, in physical order (no ORDER BY).
    with connection.cursor() as cursor:
        cursor.execute("SELECT receipt_hash FROM feedback_response WHERE round_id = %s", [round.id.hex])
        stored_position = {digest: position for position, (digest,) in enumerate(cursor.fetchall())}

    assert len(stored_position) == Participation.objects.filter(round=round).count() == 200
    # team is the order in which people submitted: the order an attacker would like to recover.
    positions = [stored_position[hashes[person.id]] for person in team]
    assert abs(_spearman(list(range(200)), positions)) < 0.2


def test_hr_visible_counts_only_ever_change_in_steps_of_at_least_k(db):
    team = people(60)
    round = open_round_with(team, k=5, questions=[{"kind": "likert"}])

    _, visible = _submit_everyone(round, team)
    Round.objects.filter(id=round.id).update(state=Round.State.CLOSED)
    release.round_release(round.id)
    visible.append(Response.objects.filter(round_id=round.id).count())

    steps = [after - before for before, after in zip([0, *visible], visible, strict=False) if after != before]
    assert steps, "nothing was ever released"
    assert min(steps) >= 5
    assert visible[-1] == 60


@pytest.mark.usefixtures("postgres")
def test_postgresql_row_versions_do_not_single_out_the_newest_batch(db):
    team = people(30)
    round = open_round_with(team, k=5, questions=[{"kind": "likert"}])
    _submit_everyone(round, team)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM feedback_response WHERE round_id = %s", [round.id])
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM feedback_answer")
        assert cursor.fetchone()[0] == 1


@pytest.mark.usefixtures("postgres")
def test_concurrent_double_submissions_store_exactly_one_response(celery_worker):
    # celery_worker: the session's worker releases what this test submits; its teardown waits for that
    # before the tables are flushed.
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
    finally:
        before_task_publish.disconnect(capture)
        logging.getLogger().removeHandler(handler)
        logging.getLogger("django").removeHandler(handler)

    assert PoolEntry.objects.count() == 1
    assert published, "the submission should queue its release"
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
