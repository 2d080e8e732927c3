import pytest
from django.urls import reverse

from reports import pipeline
from surveys import rounds, submission
from surveys.models import Round
from tests.factories import RoundFactory
from tests.rounds import open_round_with, people

COMMENTS = [
    "The token leaderboard is toxic and makes people game their numbers.",
    "We are forced to hit weekly usage targets even when AI does not help.",
    "The leaderboard turns AI usage into a competition nobody asked for.",
    "It feels like surveillance, my manager checks my AI usage dashboard.",
]
# Words only one person uses: nothing of them may reach HR.
ONE_PERSONS_WORDS = {0: "Quuxmarker again.", 1: "Zorblatt zorblatt."}


def _hr_pages(round) -> list[str]:
    return [reverse("reports:home"), reverse("reports:round", args=[round.id]), reverse("reports:what_hr_sees")]


@pytest.fixture
def analysed_round(db):
    team = people(16)
    round = open_round_with(team, k=3, questions=[{"kind": "likert"}, {"kind": "text"}])
    Round.objects.filter(id=round.id).update(comment_threshold=4)
    likert, text = round.questions.all()
    for index, person in enumerate(team):
        comment = f"{COMMENTS[index % 4]} {ONE_PERSONS_WORDS.get(index, '')}".strip()
        submission.round_submit(person=person, round=round, answers=[(likert, 4), (text, comment)])
    rounds.round_close(round)
    pipeline.round_publish(round.id)
    return Round.objects.get(id=round.id)


def test_hr_sees_open_and_closed_rounds_but_not_drafts(hr, client_as, analysed_round):
    draft = RoundFactory(title="Draft nobody may see yet")

    page = client_as(hr).get(reverse("reports:home"))

    assert analysed_round.title.encode() in page.content
    assert draft.title.encode() not in page.content
    assert client_as(hr).get(reverse("reports:round", args=[draft.id])).status_code == 404


def test_the_round_page_shows_participation_and_themes(hr, client_as, analysed_round):
    page = client_as(hr).get(reverse("reports:round", args=[analysed_round.id]))

    assert page.status_code == 200
    assert b"<td>16</td><td>16</td><td>100%</td>" in page.content
    assert b"Themes in the comments" in page.content
    assert b"Usage targets and leaderboards" in page.content or b"leaderboard" in page.content


def test_no_hr_page_contains_a_comment_or_a_word_only_one_person_used(hr, client_as, analysed_round):
    client = client_as(hr)
    html = " ".join(client.get(url).content.decode() for url in _hr_pages(analysed_round)).lower()

    for marker in ("quuxmarker", "zorblatt", "competition nobody asked for", "feels like surveillance"):
        assert marker not in html


@pytest.mark.parametrize("persona", ["employee", "admin", "outsider"])
def test_hr_pages_refuse_everyone_without_the_hr_role(persona, request, client_as, analysed_round):
    client = client_as(request.getfixturevalue(persona))

    for url in _hr_pages(analysed_round)[:2]:
        assert client.get(url).status_code == 403


def test_hr_pages_send_visitors_to_the_login_page(client, analysed_round):
    for url in _hr_pages(analysed_round):
        assert client.get(url)["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["employee", "hr", "admin"])
def test_everyone_can_read_what_hr_can_and_cannot_see_with_each_rounds_thresholds(
    persona, request, client_as, analysed_round
):
    page = client_as(request.getfixturevalue(persona)).get(reverse("reports:what_hr_sees"))

    assert page.status_code == 200
    assert b"HR cannot see" in page.content
    assert f"<td>{analysed_round.k} people</td>".encode() in page.content
    assert f"<td>{analysed_round.comment_threshold} people</td>".encode() in page.content


def test_an_open_rounds_overall_count_is_the_only_number_the_rounds_list_shows_of_it(hr, client_as, db):
    round = open_round_with(people(6), k=5)
    person = round.invitations.first().person
    submission.round_submit(person=person, round=round, answers=[(round.questions.first(), 3)])

    page = client_as(hr).get(reverse("reports:home")).content.decode()

    assert "1 of 6 (17%)" in page
    assert "Engineering" not in page


def test_the_reports_list_takes_a_fixed_number_of_queries(hr, client_as, db, django_assert_max_num_queries):
    for _ in range(6):
        open_round_with(people(3), k=3)
    client = client_as(hr)
    client.get(reverse("reports:home"))

    with django_assert_max_num_queries(12):
        client.get(reverse("reports:home"))
