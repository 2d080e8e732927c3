"""HR pages and exports. Every number on them comes out of the disclosure engine; no page shows a comment or a person.

A page and its CSV and PDF exports are built by the same function from the same query string, so an export is
exactly what the page shows.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.access import employee_required, hr_required
from reports import pages, selectors
from reports.exports import export_filename, report_csv, report_pdf
from reports.presentation import Report
from reports.publication import open_feedback_comment_threshold
from reports.round_page import Choices, report_inputs, round_page

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", report_csv),
    "pdf": ("application/pdf", report_pdf),
}


@require_GET
@hr_required
def home(request):
    return render(request, "reports/home.html", {"rounds": selectors.hr_rounds()})


@require_GET
@hr_required
def round_detail(request, round_id, export=None):
    round = selectors.round_with_versions(round_id)
    if round is None:
        raise Http404
    choices = Choices.from_query(request.GET)
    if export:
        return _export(report_inputs(round, choices).report(), export)
    context = {
        "round": round,
        "page": round_page(round, choices),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/round.html", context)


def _export(report: Report, export: str) -> HttpResponse:
    if export not in EXPORTS:
        raise Http404
    content_type, render_export = EXPORTS[export]
    response = HttpResponse(render_export(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(report, export)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@hr_required
def trends(request, export=None):
    rounds = selectors.rounds_data(selectors.rounds_in_order())
    report = pages.trends_report([data for data in rounds if data.engine is not None])
    if export:
        return _export(report, export)
    return render(request, "reports/report.html", {"report": report, "export_base": "reports:trends_export"})


@require_GET
@hr_required
def open_feedback(request, export=None):
    months = [
        pages.PeriodData(period, *selectors.open_feedback_data(period))
        for period in reversed(selectors.open_feedback_periods())
    ]
    report = pages.open_feedback_report(months, threshold=open_feedback_comment_threshold())
    if export:
        return _export(report, export)
    return render(request, "reports/report.html", {"report": report, "export_base": "reports:open_feedback_export"})


@require_GET
@employee_required
def results(request):
    """For employees: the published rounds they were invited to, at organisation level."""
    return render(request, "reports/results.html", {"rounds": selectors.results_rounds(request.user)})


@require_GET
@employee_required
def round_results(request, round_id):
    round = get_object_or_404(selectors.results_rounds_queryset(request.user), id=round_id)
    data = selectors.round_data(round)
    report = pages.round_report(data, pages.Options(detail=False))
    return render(request, "reports/report.html", {"report": report, "round": round, "employee_view": True})


@require_GET
@login_required
def what_hr_sees(request):
    """For everyone with an account: what HR can and cannot see, with each round's thresholds."""
    context = {"rounds": selectors.hr_rounds(), "retention_months": settings.CANDOR_RETENTION_MONTHS}
    return render(request, "reports/what_hr_sees.html", context)
