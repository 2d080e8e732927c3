import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys import questions
from surveys.models import Question
from surveys.rounds import round_questions_set
from tests.factories import QuestionFactory, RoundFactory

Kind = Question.Kind


def _library_texts() -> list[str]:
    return list(Question.objects.filter(archived=False).order_by("position").values_list("text", flat=True))


def _form(**overrides) -> dict:
    data = {"text": "AI tools save me time.", "kind": "likert", "choices": "", "indicator": ""}
    data.update(overrides)
    return data


# --- services -----------------------------------------------------------------------------


def test_a_new_question_goes_to_the_end_of_the_library(db):
    QuestionFactory(text="First", position=0)
    QuestionFactory(text="Second", position=7)

    question = questions.question_create(text="  Third  ", kind=Kind.LIKERT)

    assert question.text == "Third"
    assert _library_texts() == ["First", "Second", "Third"]


def test_a_question_needs_some_text(db):
    with pytest.raises(ValidationError) as error:
        questions.question_create(text="   ", kind=Kind.TEXT)

    assert "text" in error.value.error_dict


def test_editing_a_question_changes_the_library_but_not_a_round_that_copied_it(db):
    question = questions.question_create(text="Which tool do you use?", kind=Kind.SINGLE, choices=["Copilot", "Chat"])
    round = RoundFactory()
    round_questions_set(round, [question.id])

    questions.question_update(
        question,
        text="Which AI tool do you use most?",
        kind=Kind.MULTIPLE,
        choices=["A", "B", "C"],
        required=True,
        indicator="",
    )

    question.refresh_from_db()
    assert (question.text, question.kind, question.choices, question.required) == (
        "Which AI tool do you use most?",
        Kind.MULTIPLE,
        ["A", "B", "C"],
        True,
    )
    copy = round.questions.get()
    assert (copy.text, copy.kind, copy.choices) == ("Which tool do you use?", Kind.SINGLE, ["Copilot", "Chat"])


def test_moving_a_question_up_swaps_it_with_the_one_above(db):
    QuestionFactory(text="First")
    QuestionFactory(text="Second")
    third = QuestionFactory(text="Third")

    assert questions.question_move(third, "up") is True

    assert _library_texts() == ["First", "Third", "Second"]


def test_moving_a_question_down_swaps_it_with_the_one_below(db):
    first = QuestionFactory(text="First")
    QuestionFactory(text="Second")
    QuestionFactory(text="Third")

    questions.question_move(first, "down")

    assert _library_texts() == ["Second", "First", "Third"]


def test_moving_past_either_end_changes_nothing(db):
    first, second = QuestionFactory(text="First"), QuestionFactory(text="Second")

    assert questions.question_move(first, "up") is False
    assert questions.question_move(second, "down") is False
    assert _library_texts() == ["First", "Second"]


def test_moving_still_works_when_older_questions_share_a_position(db):
    QuestionFactory(text="A", position=0)
    b = QuestionFactory(text="B", position=0)
    QuestionFactory(text="C", position=0)

    questions.question_move(b, "down")

    assert _library_texts() == ["A", "C", "B"]


def test_moving_skips_archived_questions(db):
    QuestionFactory(text="First")
    QuestionFactory(text="Archived", archived=True)
    third = QuestionFactory(text="Third")

    questions.question_move(third, "up")

    assert _library_texts() == ["Third", "First"]


def test_an_archived_question_leaves_the_library_and_comes_back_at_the_end(db):
    first = QuestionFactory(text="First")
    QuestionFactory(text="Second")

    questions.question_archive(first)
    assert _library_texts() == ["Second"]

    questions.question_unarchive(first)
    assert _library_texts() == ["Second", "First"]


def test_seeding_adds_the_default_ai_questions_once(db):
    assert questions.question_library_seed() == len(questions.DEFAULT_LIBRARY)
    assert questions.question_library_seed() == 0

    assert Question.objects.count() == len(questions.DEFAULT_LIBRARY)
    assert Question.objects.filter(kind=Kind.RECOMMEND, indicator="nps").exists()


# --- choices per kind ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "choices", "stored"),
    [
        (Kind.LIKERT, [], []),
        (Kind.LIKERT, ["Not at all", "A little", "Somewhat", "Mostly", "Completely"], None),
        (Kind.FREQUENCY, [], questions.FREQUENCY_LABELS),
        (Kind.FREQUENCY, ["Never", "Monthly", "Weekly", "Daily", "Hourly"], None),
        (Kind.RECOMMEND, [], []),
        (Kind.TEXT, [], []),
        (Kind.SINGLE, ["Yes", "No"], None),
        (Kind.MULTIPLE, [f"Tool {n}" for n in range(20)], None),
    ],
)
def test_choices_that_fit_the_kind_are_accepted(kind, choices, stored):
    assert questions.choices_clean(kind, choices) == (choices if stored is None else stored)


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        (Kind.SINGLE, ["Only one"], "between 2 and 20"),
        (Kind.MULTIPLE, [f"Tool {n}" for n in range(21)], "you gave 21"),
        (Kind.SINGLE, ["Yes", "yes"], "listed twice"),
        (Kind.MULTIPLE, ["Yes", "  "], "needs some text"),
        (Kind.FREQUENCY, ["Never", "Sometimes", "Always"], "exactly 5 labels"),
        (Kind.LIKERT, ["1", "2", "3", "4", "5", "6"], "exactly 5 labels"),
        (Kind.RECOMMEND, ["Low", "High"], "leave the choices empty"),
        (Kind.TEXT, ["Anything"], "leave the choices empty"),
        (Kind.SINGLE, ["x" * 201, "y"], "under 200 characters"),
    ],
)
def test_choices_that_do_not_fit_the_kind_are_refused_with_a_clear_message(kind, choices, message):
    with pytest.raises(ValidationError) as error:
        questions.choices_clean(kind, choices)

    assert message in " ".join(error.value.messages)


def test_the_service_refuses_bad_choices_on_the_choices_field(db):
    with pytest.raises(ValidationError) as error:
        questions.question_create(text="Pick one", kind=Kind.SINGLE, choices=["Alone"])

    assert list(error.value.error_dict) == ["choices"]


# --- pages --------------------------------------------------------------------------------


def test_the_library_lists_questions_in_order_with_their_actions(admin, client_as):
    QuestionFactory(text="Second question", position=2)
    QuestionFactory(text="First question", position=1)
    QuestionFactory(text="Old question", archived=True)

    html = client_as(admin).get(reverse("surveys:question_list")).content.decode()

    assert html.index("First question") < html.index("Second question") < html.index("Old question")
    assert "Move down" in html
    assert "Bring back" in html
    assert "Add the default AI questions" in html


def test_an_admin_adds_a_choice_question_one_choice_per_line(admin, client_as):
    data = _form(text="Which AI tool helps most?", kind="single", choices="Copilot\r\n\r\nChat assistant\r\nNone\r\n")

    response = client_as(admin).post(reverse("surveys:question_new"), data)

    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.text, question.choices) == ("Which AI tool helps most?", ["Copilot", "Chat assistant", "None"])


def test_a_refused_question_shows_the_error_next_to_the_choices_and_keeps_what_was_typed(admin, client_as):
    data = _form(text="Which AI tool helps most?", kind="single", choices="Copilot")

    response = client_as(admin).post(reverse("surveys:question_new"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Question.objects.exists()
    assert "Give between 2 and 20 choices" in html
    assert 'id="id_choices_error"' in html
    assert 'aria-describedby="id_choices_helptext id_choices_error"' in html
    assert "Which AI tool helps most?" in html
    assert ">\nCopilot</textarea>" in html


def test_an_admin_edits_a_question(admin, client_as):
    question = QuestionFactory(text="Old wording")

    response = client_as(admin).post(
        reverse("surveys:question_edit", args=[question.id]), _form(text="New wording", required="on")
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.required) == ("New wording", True)


def test_the_edit_page_shows_the_choices_one_per_line(admin, client_as):
    question = QuestionFactory(kind="single", choices=["Yes", "No"])

    html = client_as(admin).get(reverse("surveys:question_edit", args=[question.id])).content.decode()

    assert ">\nYes\nNo</textarea>" in html


def test_the_move_buttons_reorder_the_library(admin, client_as):
    QuestionFactory(text="First")
    second = QuestionFactory(text="Second")

    response = client_as(admin).post(reverse("surveys:question_move", args=[second.id]), {"direction": "up"})

    assert response.status_code == 302
    assert _library_texts() == ["Second", "First"]


def test_the_archive_and_bring_back_buttons_work(admin, client_as):
    question = QuestionFactory(text="Sometimes")
    client = client_as(admin)

    client.post(reverse("surveys:question_archive", args=[question.id]))
    assert _library_texts() == []

    client.post(reverse("surveys:question_unarchive", args=[question.id]))
    assert _library_texts() == ["Sometimes"]


def test_the_seed_button_adds_the_default_ai_questions(admin, client_as):
    response = client_as(admin).post(reverse("surveys:question_library_seed"), follow=True)

    assert Question.objects.count() == len(questions.DEFAULT_LIBRARY)
    assert f"Added {len(questions.DEFAULT_LIBRARY)} default AI questions" in response.content.decode()


def test_the_library_page_needs_a_bounded_number_of_queries(admin, client_as, django_assert_max_num_queries):
    QuestionFactory.create_batch(30)
    client = client_as(admin)

    with django_assert_max_num_queries(8):
        client.get(reverse("surveys:question_list"))


# --- who may use these pages --------------------------------------------------------------


def _question_pages(question) -> list[tuple[str, str]]:
    return [
        ("get", reverse("surveys:question_list")),
        ("get", reverse("surveys:question_new")),
        ("post", reverse("surveys:question_new")),
        ("get", reverse("surveys:question_edit", args=[question.id])),
        ("post", reverse("surveys:question_edit", args=[question.id])),
        ("post", reverse("surveys:question_move", args=[question.id])),
        ("post", reverse("surveys:question_archive", args=[question.id])),
        ("post", reverse("surveys:question_unarchive", args=[question.id])),
        ("post", reverse("surveys:question_library_seed")),
    ]


@pytest.mark.parametrize("persona", ["employee", "hr", "outsider"])
def test_every_question_page_is_refused_to_anyone_but_a_survey_admin(persona, request, client_as):
    client = client_as(request.getfixturevalue(persona))
    question = QuestionFactory(text="Untouched")

    for method, url in _question_pages(question):
        assert getattr(client, method)(url, {"direction": "up"}).status_code == 403, (method, url)

    question.refresh_from_db()
    assert (question.text, question.archived, Question.objects.count()) == ("Untouched", False, 1)


def test_every_question_page_sends_visitors_who_are_not_logged_in_to_the_login_page(client, db):
    for method, url in _question_pages(QuestionFactory()):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login"))
