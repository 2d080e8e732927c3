"""Employee pages: my rounds, answering with a preview, the receipt, and the always-open box."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import employee_required
from surveys import rounds, submission
from surveys.forms import OpenFeedbackForm, RoundAnswerForm
from surveys.models import Person, Round
from surveys.selectors import employee_rounds

NOT_ON_ROSTER = "You are not on the roster yet, so there is nothing for you to answer. Ask your survey administrator."


def _person_or_none(request) -> Person | None:
    return Person.objects.filter(user=request.user).first()


def _refused(request, message: str, status: int = 403):
    return render(request, "surveys/employee/refused.html", {"message": message}, status=status)


def _resubmission_fields(form) -> list[tuple[str, str]]:
    """The raw values the employee sent, carried through the preview page unchanged."""
    return [(name, value) for name in form.fields for value in form.data.getlist(name)]


@require_GET
@employee_required
def employee_home(request):
    person = _person_or_none(request)
    rounds = employee_rounds(person) if person else []
    return render(request, "surveys/employee_home.html", {"person": person, "rounds": rounds})


@require_http_methods(["GET", "POST"])
@employee_required
def round_answer(request, round_id):
    person = _person_or_none(request)
    if person is None:
        return _refused(request, NOT_ON_ROSTER)
    round = get_object_or_404(Round, id=round_id)
    try:
        submission.round_eligibility_check(person=person, round=round)
    except submission.AlreadySubmitted as refusal:
        return _refused(request, str(refusal), status=409)
    except submission.SubmissionRefused as refusal:
        return _refused(request, str(refusal))
    questions = list(round.questions.all())
    form = RoundAnswerForm(request.POST or None, questions=questions)
    context = {"round": round, "form": form, "draft_key": f"candor-draft-{round.id}"}
    if request.method == "GET" or request.POST.get("action") == "edit" or not form.is_valid():
        return render(request, "surveys/employee/answer.html", context | {"audience": rounds.audience_statement(round)})
    if request.POST.get("action") != "submit":
        preview = submission.round_preview(person=person, round=round, answers=form.answers())
        context |= {"preview": preview, "fields": _resubmission_fields(form)}
        return render(request, "surveys/employee/preview.html", context)
    try:
        code = submission.round_submit(person=person, round=round, answers=form.answers())
    except submission.AlreadySubmitted as refusal:
        return _refused(request, str(refusal), status=409)
    except submission.SubmissionRefused as refusal:
        return _refused(request, str(refusal))
    return render(request, "surveys/employee/receipt.html", context | {"code": code})


@require_http_methods(["GET", "POST"])
@employee_required
def open_feedback(request):
    person = _person_or_none(request)
    if person is None:
        return _refused(request, NOT_ON_ROSTER)
    form = OpenFeedbackForm(request.POST or None)
    context = {"form": form, "draft_key": "candor-draft-open-feedback"}
    if request.method == "GET" or request.POST.get("action") == "edit" or not form.is_valid():
        return render(request, "surveys/employee/open_feedback.html", context)
    topic, text = form.cleaned_data["topic"], form.cleaned_data["text"]
    if request.POST.get("action") != "submit":
        preview = submission.open_feedback_preview(person=person, topic=topic, text=text)
        context |= {"preview": preview, "fields": _resubmission_fields(form)}
        return render(request, "surveys/employee/preview.html", context)
    try:
        code = submission.open_feedback_submit(person=person, topic=topic, text=text)
    except submission.SubmissionRefused as refusal:
        return _refused(request, str(refusal))
    return render(request, "surveys/employee/receipt.html", context | {"code": code})
