"""The product's URLs plus one trivial logged-in page, the baseline of bench/submit.py."""

from django.http import HttpResponse, HttpResponseForbidden
from django.urls import include, path
from django.views.decorators.http import require_GET

from config.urls import handler500  # noqa: F401 (Django looks for it in the root URLconf)


@require_GET
def trivial(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("config.urls")),
]
