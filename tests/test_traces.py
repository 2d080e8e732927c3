"""What a database copy shows of logins: no moment, no readable session (found by the red team, DESIGN.md P6)."""

import base64
import datetime
import zlib

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import SessionStore, end_of_day
from tests import factories

PASSWORD = "correct-horse-battery-staple-42"


def _log_in(client, user) -> None:
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _read_without_the_key(data: str) -> str:
    """What someone with a database copy reads of a session: Django signs its sessions but does not encrypt them,
    so the part before the signature is base64 of JSON, zlib-compressed when that is shorter."""
    text = data
    payload = data.split(":", 1)[0]
    compressed = payload.startswith(".")
    try:
        raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
        text += (zlib.decompress(raw) if compressed else raw).decode(errors="replace")
    except (ValueError, zlib.error):
        pass
    return text


def test_a_login_is_not_recorded_on_the_account(client, db):
    user = factories.employee(email="ana@example.com")

    _log_in(client, user)

    user.refresh_from_db()
    assert user.last_login is None


def test_a_stored_session_shows_neither_who_nor_when(client, db):
    user = factories.employee(email="ana@example.com")

    _log_in(client, user)

    session = Session.objects.get()
    readable = _read_without_the_key(session.session_data)
    for trace in (user.email, "_auth_user_id", "_auth_user_backend"):
        assert trace not in readable
    expiry = timezone.localtime(session.expire_date)
    assert (expiry.hour, expiry.minute, expiry.second) == (23, 59, 59)
    assert SessionStore(session_key=session.session_key).load()["_auth_user_id"] == str(user.pk)


def test_a_session_written_in_clear_or_altered_reads_as_empty(db):
    store = SessionStore()

    assert store.decode("not a sealed session") == {}
    assert store.decode(base64.b64encode(b"x" * 40).decode()) == {}


def test_the_end_of_a_day_is_its_last_second_in_the_site_time_zone():
    moment = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 30))

    assert end_of_day(moment) == timezone.make_aware(datetime.datetime(2026, 3, 1, 23, 59, 59))
