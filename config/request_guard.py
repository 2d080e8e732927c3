"""Refuses requests whose framing Django cannot read, before any middleware or view tries to read them."""

from django.http import HttpResponseBadRequest


def content_length_check(get_response):
    """A Content-Length that is not a whole number makes Django's ``request.body`` raise ValueError: a 500.

    gunicorn refuses such a request itself; runserver and other WSGI servers pass it on, so check here too.
    """

    def middleware(request):
        if not content_length_valid(request.META.get("CONTENT_LENGTH")):
            return HttpResponseBadRequest("The Content-Length header must be a whole number of bytes.")
        return get_response(request)

    return middleware


def content_length_valid(value: str | None) -> bool:
    return not value or value.strip().isdecimal()
