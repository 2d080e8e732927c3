"""Survey admins import the HR roster: upload a file, read the preview, then apply or cancel it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required
from surveys import roster
from surveys.models import ReportableAttribute, RosterImport

PREVIEW_LIST_LIMIT = 100
SECTIONS = (
    ("added", "To be added"),
    ("updated", "To be updated"),
    ("reactivated", "To be reactivated"),
    ("deactivated", "To be deactivated"),
)
NO_FILE = roster.RosterErrors([roster.RosterError(None, "Choose a roster file to upload.")])


def _roster_page(request, *, errors: roster.RosterErrors | None = None):
    context = {
        "counts": roster.roster_counts(),
        "attributes": ReportableAttribute.objects.all(),
        "imports": roster.roster_imports_recent(),
        "errors": errors,
        "required_columns": roster.REQUIRED_COLUMNS,
        "max_rows": roster.MAX_ROWS,
        "max_bytes": roster.MAX_FILE_BYTES,
    }
    return render(request, "surveys/roster/home.html", context)


def _sections(changes: roster.RosterChanges) -> list[dict]:
    sections = []
    for key, title in SECTIONS:
        people = getattr(changes, key)
        more = max(0, len(people) - PREVIEW_LIST_LIMIT)
        sections.append({"key": key, "title": title, "people": people[:PREVIEW_LIST_LIMIT], "more": more})
    return sections


def _summary_message(summary: dict) -> str:
    counts = ", ".join(f"{summary[key]:,} {key}" for key in (*dict(SECTIONS), "unchanged"))
    return f"The roster was applied: {counts}."


@require_http_methods(["GET", "POST"])
@admin_required
def roster_page(request):
    if request.method == "GET":
        return _roster_page(request)
    uploaded = request.FILES.get("roster_file")
    if uploaded is None:
        return _roster_page(request, errors=NO_FILE)
    parsed = roster.roster_file_parse(uploaded_file=uploaded)
    if isinstance(parsed, roster.RosterErrors):
        return _roster_page(request, errors=parsed)
    roster_import = roster.roster_import_create(parsed=parsed, file_name=uploaded.name, uploaded_by=request.user)
    return redirect("surveys:roster_import_preview", import_id=roster_import.id)


@require_GET
@admin_required
def roster_example(request):
    response = HttpResponse(roster.roster_example_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candor-roster-example.csv"'
    return response


@require_GET
@admin_required
def roster_import_preview(request, import_id):
    roster_import = get_object_or_404(RosterImport.objects.select_related("uploaded_by"), id=import_id)
    context = {"roster_import": roster_import, "applied": roster_import.status == RosterImport.Status.APPLIED}
    if context["applied"]:
        return render(request, "surveys/roster/preview.html", context)
    ticked = roster.roster_import_default_reportable(roster_import=roster_import)
    changes = roster.roster_changes_preview(rows=roster_import.rows, reportable_columns=ticked)
    extra_columns = roster.roster_import_extra_columns(roster_import=roster_import)
    context |= {
        "changes": changes,
        "sections": _sections(changes),
        "columns": [{"label": label, "ticked": label in ticked} for label in extra_columns],
        "superseded": roster.roster_import_is_superseded(roster_import=roster_import),
        "deactivates_you": any(change.person.user_id == request.user.pk for change in changes.deactivated),
    }
    return render(request, "surveys/roster/preview.html", context)


@require_POST
@admin_required
def roster_import_apply(request, import_id):
    roster_import = get_object_or_404(RosterImport.objects.defer("rows"), id=import_id)
    reportable_columns = request.POST.getlist("reportable")
    try:
        summary = roster.roster_import_apply(roster_import=roster_import, reportable_columns=reportable_columns)
    except roster.RosterImportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("surveys:roster_import_preview", import_id=roster_import.id)
    messages.success(request, _summary_message(summary))
    return redirect("surveys:roster")


@require_POST
@admin_required
def roster_import_cancel(request, import_id):
    roster_import = get_object_or_404(RosterImport.objects.defer("rows"), id=import_id)
    try:
        roster.roster_import_cancel(roster_import=roster_import)
    except roster.RosterImportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("surveys:roster_import_preview", import_id=roster_import.id)
    messages.success(request, f"The upload of {roster_import.file_name} was cancelled. Nothing was changed.")
    return redirect("surveys:roster")
