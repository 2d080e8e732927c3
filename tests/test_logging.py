import io
import logging
import runpy

import pytest
from django.conf import settings

SECRET_COMMENT = "my manager reads the token leaderboard every friday"
CLIENT_ADDRESS = "203.0.113.77"


@pytest.fixture
def log_output():
    """The text our configured log handlers write, captured from the handlers themselves."""
    stream = io.StringIO()
    handlers = {
        handler
        for name in ("", "django")
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, logging.StreamHandler)
    }
    assert handlers
    old_streams = {handler: handler.setStream(stream) for handler in handlers}
    yield stream
    for handler, old in old_streams.items():
        handler.setStream(old)


@pytest.mark.parametrize(("path", "expected_log"), [("/no-such-page/", "Not Found"), ("/hr/", "Method Not Allowed")])
def test_request_bodies_and_client_addresses_never_reach_the_logs(path, expected_log, client, db, log_output):
    client.post(path, {"comment": SECRET_COMMENT}, REMOTE_ADDR=CLIENT_ADDRESS, HTTP_X_FORWARDED_FOR=CLIENT_ADDRESS)

    text = log_output.getvalue()
    if expected_log:
        assert expected_log in text
    assert SECRET_COMMENT not in text
    assert CLIENT_ADDRESS not in text


def test_log_records_lose_the_request_django_attaches(client, db, log_output):
    seen = []

    class Spy(logging.Handler):
        def emit(self, record):
            seen.append(getattr(record, "request", "absent"))

    spy = Spy()
    spy.addFilter(logging.getLogger("django").handlers[0].filters[0])
    logging.getLogger("django.request").addHandler(spy)
    try:
        client.get("/no-such-page/", REMOTE_ADDR=CLIENT_ADDRESS)
    finally:
        logging.getLogger("django.request").removeHandler(spy)

    assert seen == [None]


def test_gunicorns_access_log_leaves_out_the_client_address():
    config = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.py"))

    assert "%(h)s" not in config["access_log_format"]
    assert "%({x-forwarded-for}i)s" not in config["access_log_format"].lower()
    assert config["forwarded_allow_ips"]
