from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import hr_required


@require_GET
@hr_required
def home(request):
    return render(request, "reports/home.html")
