"""Error pages. A database that is briefly away (a restart, a failover) gets a "try again" page, not a 500.

Django calls ``server_error`` for any exception a view or a middleware let through. When that exception says the
database could not be reached or dropped the connection, the transaction was rolled back: nothing was stored, and
the honest answer is 503 with a way to try again. On the employee answer forms the page carries what was posted,
so one click sends the same answers again.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.views.defaults import server_error as django_server_error

# The forms whose typed values are worth carrying to the "try again" page.
FORMS_KEPT = {"surveys:round_answer", "surveys:open_feedback"}
NOT_CARRIED = {"csrfmiddlewaretoken", "action"}
RETRY_AFTER_SECONDS = 10


def server_error(request):
    if not database_unavailable(sys.exc_info()[1]):
        return django_server_error(request)
    return database_unavailable_page(request)


def database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def database_unavailable_page(request) -> HttpResponse:
    """Rendered without context processors or the session: both would need the database that is away."""
    fields = posted_fields(request)
    context = {"fields": fields, "path": request.get_full_path()}
    if fields:
        context |= {"action": request.POST.get("action", ""), "csrf_token": get_token(request)}
    response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def posted_fields(request) -> list[tuple[str, str]]:
    """What the employee sent on an answer form, value by value; nothing for any other request."""
    match = getattr(request, "resolver_match", None) or _resolved(request.path_info)
    if request.method != "POST" or match is None or match.view_name not in FORMS_KEPT:
        return []
    return [(name, value) for name, values in request.POST.lists() if name not in NOT_CARRIED for value in values]


def _resolved(path: str):
    """The URL's match when a middleware needed the database before the URL was resolved (the change log's reads the
    user in every request)."""
    try:
        return resolve(path)
    except Resolver404:
        return None
