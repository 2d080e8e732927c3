"""Survey administration: the question library and survey rounds. Survey admins only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required
from surveys import questions, retention, rounds
from surveys.manage_forms import QuestionForm, RoundForm, RoundQuestionsForm
from surveys.models import Question, Round

# --- question library ---------------------------------------------------------------------


@require_GET
@admin_required
def question_list(request):
    library = list(Question.objects.order_by("position", "text", "id"))
    return render(
        request,
        "surveys/manage/question_list.html",
        {
            "active": [question for question in library if not question.archived],
            "archived": [question for question in library if question.archived],
        },
    )


@require_http_methods(["GET", "POST"])
@admin_required
def question_new(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questions.question_create(**form.cleaned_data)
        except ValidationError as error:
            form.errors_add(error)
        else:
            messages.success(request, "The question is in the library, at the end of the list.")
            return redirect("surveys:question_list")
    return render(request, "surveys/manage/question_form.html", {"form": form, "question": None})


@require_http_methods(["GET", "POST"])
@admin_required
def question_edit(request, question_id):
    question = get_object_or_404(Question, id=question_id)
    form = QuestionForm.for_question(question, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questions.question_update(question, **form.cleaned_data)
        except ValidationError as error:
            form.errors_add(error)
        else:
            messages.success(request, "Question saved. Rounds that already ask it keep their own copy.")
            return redirect("surveys:question_list")
    return render(request, "surveys/manage/question_form.html", {"form": form, "question": question})


@require_POST
@admin_required
def question_move(request, question_id):
    question = get_object_or_404(Question, id=question_id, archived=False)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, "Choose whether to move the question up or down.")
    else:
        questions.question_move(question, direction)
    return redirect("surveys:question_list")


@require_POST
@admin_required
def question_archive(request, question_id):
    question = get_object_or_404(Question, id=question_id)
    questions.question_archive(question)
    messages.success(request, f"Archived “{question.text}”. Rounds that ask it keep their copy.")
    return redirect("surveys:question_list")


@require_POST
@admin_required
def question_unarchive(request, question_id):
    question = get_object_or_404(Question, id=question_id)
    questions.question_unarchive(question)
    messages.success(request, f"“{question.text}” is back in the library, at the end of the list.")
    return redirect("surveys:question_list")


@require_POST
@admin_required
def question_library_seed(request):
    added = questions.question_library_seed()
    if added:
        messages.success(request, f"Added {added} default AI question{'' if added == 1 else 's'}.")
    else:
        messages.info(request, "The library already has every default AI question.")
    return redirect("surveys:question_list")


# --- rounds -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_required
def round_new(request):
    overview = rounds.audience_overview({}, timezone.localdate())
    form = RoundForm(request.POST or None, overview=overview)
    if request.method == "POST" and form.is_valid():
        try:
            round = rounds.round_create(**form.round_settings())
        except ValidationError as error:
            form.errors_add(error)
        else:
            messages.success(request, "Round created as a draft. Now choose its questions.")
            return redirect("surveys:round_detail", round_id=round.id)
    return render(request, "surveys/manage/round_new.html", {"form": form, "overview": overview})


@require_http_methods(["GET", "POST"])
@admin_required
def round_detail(request, round_id):
    round = get_object_or_404(Round, id=round_id)
    if request.method == "GET":
        return _round_page(request, round)
    if round.state == Round.State.CLOSED:
        messages.error(request, "This round is closed, so its settings can no longer change.")
        return redirect("surveys:round_detail", round_id=round.id)
    form = RoundForm(request.POST, round=round, overview=_overview(round))
    if form.is_valid():
        try:
            rounds.round_update(round, **form.round_settings())
        except ValidationError as error:
            form.errors_add(error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("surveys:round_detail", round_id=round.id)
    return _round_page(request, round, settings_form=form)


@require_POST
@admin_required
def round_questions(request, round_id):
    round = get_object_or_404(Round, id=round_id)
    form = RoundQuestionsForm(request.POST, library=rounds.round_question_library(round), chosen=[])
    if form.is_valid():
        try:
            chosen = rounds.round_questions_set(round, form.ordered_ids())
        except ValidationError as error:
            form.errors_add(error)
        else:
            messages.success(request, f"The round asks {len(chosen)} question{'' if len(chosen) == 1 else 's'}.")
            return redirect("surveys:round_detail", round_id=round.id)
    return _round_page(request, round, questions_form=form)


@require_POST
@admin_required
def round_schedule(request, round_id):
    round = get_object_or_404(Round, id=round_id)
    return _state_step(request, round, rounds.round_schedule, "Scheduled: the round opens by itself at its time.")


@require_POST
@admin_required
def round_unschedule(request, round_id):
    round = get_object_or_404(Round, id=round_id)
    return _state_step(request, round, rounds.round_unschedule, "Back to draft: the round will not open by itself.")


@require_http_methods(["GET", "POST"])
@admin_required
def round_open(request, round_id):
    round = get_object_or_404(Round, id=round_id)
    if request.method == "POST":
        return _state_step(request, round, rounds.round_open, "The round is open. Invitations are on their way.")
    if round.state not in rounds.EDITABLE_STATES:
        messages.info(request, f"This round is already {round.get_state_display().lower()}.")
        return redirect("surveys:round_detail", round_id=round.id)
    overview = rounds.audience_overview(round.audience, timezone.localdate())
    context = {"round": round, "audience_size": overview.size, "refusal": rounds.round_open_refusal(round)}
    return render(request, "surveys/manage/round_open.html", context)


@require_http_methods(["GET", "POST"])
@admin_required
def round_close(request, round_id):
    round = get_object_or_404(Round, id=round_id)
    if request.method == "POST":
        return _state_step(request, round, rounds.round_close, "The round is closed. Its results are being published.")
    if round.state != Round.State.OPEN:
        messages.info(request, "Only an open round can be closed.")
        return redirect("surveys:round_detail", round_id=round.id)
    return render(request, "surveys/manage/round_close.html", {"round": round})


def _state_step(request, round: Round, step, done: str):
    try:
        step(round)
    except (rounds.RoundCannotOpen, rounds.RoundStateError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("surveys:round_detail", round_id=round.id)


def _overview(round: Round) -> rounds.AudienceOverview | None:
    if round.state not in rounds.EDITABLE_STATES:
        return None
    return rounds.audience_overview(round.audience, timezone.localdate())


def _round_page(request, round: Round, settings_form=None, questions_form=None):
    overview = _overview(round)
    asked = list(round.questions.all())
    if settings_form is None and round.state != Round.State.CLOSED:
        settings_form = RoundForm(round=round, overview=overview)
    if questions_form is None and overview is not None:
        questions_form = RoundQuestionsForm(library=rounds.round_question_library(round), chosen=asked)
    context = {
        "round": round,
        "asked": asked,
        "settings_form": settings_form,
        "questions_form": questions_form,
        "audience": rounds.audience_described(round.audience),
        "audience_size": overview.size if overview else round.audience_size,
        "minimum_audience": rounds.minimum_audience(round.k),
        "participation": rounds.round_participation(round),
        "retention": retention.round_retention(round),
    }
    return render(request, "surveys/manage/round_detail.html", context)
