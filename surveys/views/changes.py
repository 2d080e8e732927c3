"""The change log HR reads: who changed the roster, a round or a role, and when. Read-only, HR only."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import hr_required
from surveys.changelog import change_log_page


@require_GET
@hr_required
def change_log(request):
    page = change_log_page(request.GET.get("page"))
    return render(request, "surveys/changes/log.html", {"page": page})
