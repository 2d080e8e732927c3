"""HR pages. Every number on them covers at least k people; no page shows a comment or a person."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.access import hr_required
from reports import selectors
from surveys.models import Round
from surveys.rounds import round_participation


@require_GET
@hr_required
def home(request):
    return render(request, "reports/home.html", {"rounds": selectors.hr_rounds()})


@require_GET
@hr_required
def round_detail(request, round_id):
    round = get_object_or_404(Round, id=round_id, state__in=selectors.VISIBLE_STATES)
    context = {
        "round": round,
        "participation": round_participation(round),
        "released": selectors.released_count(round),
        "themes": selectors.round_themes(round),
    }
    return render(request, "reports/round.html", context)


@require_GET
@login_required
def what_hr_sees(request):
    """For everyone with an account: what HR can and cannot see, with each round's thresholds."""
    return render(request, "reports/what_hr_sees.html", {"rounds": selectors.hr_rounds()})
