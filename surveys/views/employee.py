from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import employee_required


@require_GET
@employee_required
def employee_home(request):
    return render(request, "surveys/employee_home.html")
