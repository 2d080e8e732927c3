from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import admin_required
from surveys.rounds import rounds_overview


@require_GET
@admin_required
def manage_home(request):
    return render(request, "surveys/manage_home.html", {"rounds": rounds_overview()})
