"""HR pages and exports. Every number on them comes out of the disclosure engine; no page shows a comment or a person.

A page and its CSV and PDF exports are built by the same function from the same query string, so an export is
exactly what the page shows.
"""

import contextlib
import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from accounts.access import employee_required, hr_required
from reports import pages, selectors
from reports.disclosure import Filter, FilterRefused
from reports.exports import export_filename, report_csv, report_pdf
from reports.presentation import Report
from surveys.analysis import open_feedback_comment_threshold
from surveys.models import Round
from surveys.rounds import round_participation

# Bump when the report's templates or builders change, so cached pages are not served in the old shape.
PAGE_FORMAT = 1
PAGE_CACHE_SECONDS = 3600
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
    round = get_object_or_404(Round, id=round_id, state__in=selectors.VISIBLE_STATES)
    data = selectors.round_data(round)
    options, refusal = _options(request, data)
    previous_round = selectors.previous_round(round)
    previous = selectors.round_data(previous_round, labels=data.labels) if previous_round else None
    participation = None if options.filters else round_participation(round)

    def report_build():
        return pages.round_report(data, options, previous=previous, participation=participation)

    if export:
        return _export(report_build(), export)
    context = {
        "round": round,
        "page": _report_page(key=_page_key(data, previous, options, participation), build=report_build),
        "refusal": refusal,
        "data": data,
        "chosen_group": request.GET.get("group", ""),
        "chosen_by": options.by or "",
        "query": request.GET.urlencode(),
        "released": selectors.released_count(round) if round.state == Round.State.OPEN else None,
    }
    return render(request, "reports/round.html", context)


def _page_key(data, previous, options: pages.Options, participation) -> str:
    """Everything a round page's content depends on: the snapshots it reads, the reader's choices, participation."""
    parts = [PAGE_FORMAT, data.round.id, data.version, previous.version if previous else 0, options, participation]
    return "report-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _report_page(*, key: str, build) -> dict:
    """The rendered report, from the cache when its snapshots have not changed since it was last rendered."""
    page = _cache_get(key)
    if page is None:
        report = build()
        sections = render_to_string("reports/_sections.html", {"report": report})
        page = {"subtitle": report.subtitle, "filters": report.filters, "sections": sections}
        _cache_set(key, page)
    return page


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # a cache outage costs time, not the page
        return None


def _cache_set(key: str, value) -> None:
    with contextlib.suppress(Exception):
        cache.set(key, value, timeout=PAGE_CACHE_SECONDS)


def _options(request, data: selectors.RoundData) -> tuple[pages.Options, str]:
    """The reader's filter (``group=attribute:value``) and heatmap attribute (``by``), or a refusal saying why."""
    by = request.GET.get("by") or None
    if by not in data.attributes:
        by = None
    group = request.GET.get("group", "")
    if not group:
        return pages.Options(by=by), ""
    attribute, _, value = group.partition(":")
    chosen = (Filter(attribute=attribute, value=value),)
    if attribute == by:
        return pages.Options(by=by), "A heatmap cannot be split by the attribute it is filtered on; showing everyone."
    if attribute not in data.attributes or value not in data.values(attribute):
        return pages.Options(by=by), "That group is not one this round can show; showing everyone instead."
    try:
        data.engine.filters_check(filters=chosen)
    except FilterRefused as refused:
        return pages.Options(by=by), f"{refused} Showing everyone instead."
    return pages.Options(filters=chosen, by=by), ""


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
    """For employees: the closed rounds whose organisation-level results they can read."""
    return render(request, "reports/results.html", {"rounds": selectors.closed_rounds()})


@require_GET
@employee_required
def round_results(request, round_id):
    round = get_object_or_404(Round, id=round_id, state=Round.State.CLOSED)
    data = selectors.round_data(round)
    report = pages.round_report(data, pages.Options(detail=False))
    return render(request, "reports/report.html", {"report": report, "round": round, "employee_view": True})


@require_GET
@login_required
def what_hr_sees(request):
    """For everyone with an account: what HR can and cannot see, with each round's thresholds."""
    context = {"rounds": selectors.hr_rounds(), "retention_months": settings.CANDOR_RETENTION_MONTHS}
    return render(request, "reports/what_hr_sees.html", context)
