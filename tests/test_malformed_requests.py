"""Oversize and malformed requests against the real views: a refusal (4xx) or the form again, never a 500.

Bodies are handed to Django's own WSGI request through the test client's handler with a plain byte stream,
so a request can say what a real one can: a wrong Content-Length, a broken multipart body, bytes that are not
UTF-8. An oversize or unreadable request stores nothing; one that still decodes to a valid answer is stored
once, as clean text.
"""

import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from feedback.models import PoolEntry
from feedback.sealing import unseal
from surveys.forms import field_name
from surveys.models import Participation, RosterImport
from tests.rounds import open_round_with, people

TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
BOUNDARY = "candorboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
FORM = "application/x-www-form-urlencoded"
TARGETS = ["round_answer", "open_feedback", "login", "roster_upload"]


@pytest.fixture
def round(db):
    return open_round_with(people(4), k=3)


@pytest.fixture
def targets(round, admin, client_as):
    """Each submission endpoint with a client allowed to post to it: (client, path, form field for text)."""
    respondent = round.invitations.first().person.user
    text_question = round.questions.get(kind="text")
    return {
        "round_answer": (
            client_as(respondent),
            reverse("surveys:round_answer", args=[round.id]),
            field_name(text_question),
        ),
        "open_feedback": (client_as(respondent), reverse("surveys:open_feedback"), "text"),
        "login": (Client(), reverse("account_login"), "login"),
        "roster_upload": (client_as(admin), reverse("surveys:roster"), "roster_file"),
    }


def _send(client, path, body: bytes, content_type: str, **environ):
    """POST exactly these bytes; environ entries (CONTENT_LENGTH, QUERY_STRING, PATH_INFO) override the defaults."""
    request = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    client.raise_request_exception = False
    return client.request(**(request | environ))


def _multipart(*parts: tuple[str, bytes], close: bool = True) -> bytes:
    body = b""
    for name, value in parts:
        body += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
    return body + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def _nothing_stored():
    return not PoolEntry.objects.exists() and not Participation.objects.exists() and not RosterImport.objects.exists()


def _nothing_or_one_clean_submission():
    """A broken body may still carry a valid answer once decoded; then it is stored once, as clean text."""
    entries = list(PoolEntry.objects.values_list("sealed", flat=True))
    texts = [comment["text"] for sealed in entries for comment in unseal(sealed)["comments"]]
    clean = all("\x00" not in text and "\ufffe" not in text for text in texts)
    return len(entries) <= 1 and Participation.objects.count() <= 1 and not RosterImport.objects.exists() and clean


# --- too big, too many ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TARGETS)
def test_a_body_over_the_upload_limit_is_refused_not_crashed(targets, name):
    client, path, field = targets[name]

    response = _send(client, path, f"{field}=".encode() + b"a" * TOO_BIG + b"&action=submit", FORM)

    assert response.status_code in (400, 413)
    assert _nothing_stored()


@pytest.mark.parametrize("name", TARGETS)
def test_a_content_length_claiming_gigabytes_is_refused_before_reading(targets, name):
    client, path, field = targets[name]

    response = _send(client, path, f"{field}=short".encode(), FORM, CONTENT_LENGTH=str(10**12))

    assert response.status_code in (400, 413)
    assert _nothing_stored()


@pytest.mark.parametrize("name", TARGETS)
def test_more_fields_than_allowed_are_refused(targets, name):
    client, path, _ = targets[name]
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)).encode()

    response = _send(client, path, body, FORM)

    assert response.status_code in (400, 413)
    assert _nothing_stored()


@pytest.mark.parametrize("name", TARGETS)
def test_too_many_multipart_fields_are_refused(targets, name):
    client, path, _ = targets[name]
    parts = [(f"f{n}", b"1") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]

    response = _send(client, path, _multipart(*parts), MULTIPART)

    assert response.status_code in (400, 413)
    assert _nothing_stored()


@pytest.mark.parametrize("name", TARGETS)
def test_the_limits_hold_when_the_csrf_check_reads_the_body_first(targets, name):
    _, path, field = targets[name]
    client = Client(enforce_csrf_checks=True)

    response = _send(client, path, f"{field}=".encode() + b"a" * TOO_BIG, FORM)

    assert response.status_code in (400, 403, 413)
    assert _nothing_stored()


# --- broken bodies --------------------------------------------------------------------------------------------


BROKEN_BODIES = {
    "boundary missing from the header": (_multipart(("text", b"hello")), "multipart/form-data"),
    "boundary not in the body": (_multipart(("text", b"hello")), "multipart/form-data; boundary=other"),
    "boundary that is not ascii": (_multipart(("text", b"hello")), "multipart/form-data; boundary=\u00e9\u00e9"),
    "truncated mid-part": (_multipart(("text", b"hello there"))[:60], MULTIPART),
    "no closing boundary": (_multipart(("text", b"hello"), close=False), MULTIPART),
    "part without headers": (f"--{BOUNDARY}\r\n\r\nbody\r\n--{BOUNDARY}--\r\n".encode(), MULTIPART),
    "garbage": (bytes(range(256)) * 8, MULTIPART),
    "invalid utf-8 in values": (b"text=\xff\xfe\xc0\xaf&topic=%ff%c0%af&login=%e9&action=submit", FORM),
    "invalid utf-8 in names": (b"\xff\xfe=1&%c0%af=2&action=submit", FORM),
    "invalid utf-8 in a multipart value": (_multipart(("text", b"\xff\xfe\xc0"), ("action", b"submit")), MULTIPART),
    "null bytes": (b"text=a%00b&login=a%00b%40example.com&password=%00&action=submit", FORM),
    "deeply bracketed names": ((("a" + "[b]" * 2000) + "=1&text[0][1]=x&q_[]=1&action=submit").encode(), FORM),
    "a name of a megabyte": (b"a" * 1_000_000 + b"=1", FORM),
    "json where a form belongs": (b'{"text": "hi", "action": "submit"}', "application/json"),
    "form data labelled as another charset": (b"text=%e9t%e9&action=submit", f"{FORM}; charset=no-such-charset"),
    "form data labelled utf-16": (b"text=hi&action=submit", f"{FORM}; charset=utf-16"),
}


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("case", BROKEN_BODIES)
def test_a_broken_body_gets_a_refusal_or_the_form_again(targets, name, case):
    client, path, _ = targets[name]
    body, content_type = BROKEN_BODIES[case]

    response = _send(client, path, body, content_type)

    assert response.status_code < 500, response.content[:300]
    assert _nothing_or_one_clean_submission()


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "\u00b2"])
def test_a_content_length_that_is_not_a_number_is_a_bad_request(targets, name, length):
    client, path, field = targets[name]

    response = _send(client, path, f"{field}=hello&action=submit".encode(), FORM, CONTENT_LENGTH=length)

    assert response.status_code == 400
    assert _nothing_stored()


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("length", ["", " 12", "3", "999"])
def test_a_content_length_that_does_not_match_the_body_is_survived(targets, name, length):
    client, path, field = targets[name]

    response = _send(client, path, f"{field}=hello&action=submit".encode(), FORM, CONTENT_LENGTH=length)

    assert response.status_code < 500, response.content[:300]


def test_a_roster_file_whose_name_and_bytes_are_not_text_is_refused_with_a_message(targets):
    client, path, field = targets["roster_upload"]
    header = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
    body = header + b'\xff\xfe.csv"\r\n\r\n' + b"\x00\xff" * 1000 + f"\r\n--{BOUNDARY}--\r\n".encode()

    response = _send(client, path, body, MULTIPART)

    assert response.status_code == 200
    assert b"UTF-8" in response.content
    assert _nothing_stored()


# --- broken paths and query strings ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("query", ["%ff%fe=%c0%af", "\xff\xfe=\xc0", "a" * 100_000, "&".join(["x=1"] * 5000), "%"])
def test_a_broken_query_string_is_survived(targets, name, query):
    client, path, field = targets[name]

    response = _send(client, path, f"{field}=hi".encode(), FORM, QUERY_STRING=query)

    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize(
    "path",
    [
        "/rounds/\xff\xfe/",
        "/rounds/%ff%fe/",
        "/feedback/\xc0\xaf",
        "/accounts/login/\xff",
        "/manage/roster/imports/%00/",
        "/hr/rounds/\xff/export.\xfe",
    ],
)
def test_invalid_utf8_in_the_path_is_not_found_not_a_crash(targets, path):
    client, _, _ = targets["round_answer"]

    response = _send(client, path, b"text=hi", FORM)

    assert response.status_code in (400, 403, 404)
