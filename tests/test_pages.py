import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

EXTERNAL_URL = re.compile(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE)


def test_every_page_carries_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]

    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_have_landmarks_a_skip_link_and_a_language(client, db):
    html = client.get(reverse("home")).content.decode()

    assert '<html lang="en">' in html
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert '<nav aria-label="Main">' in html
    assert "<header" in html
    assert "<footer" in html


def test_the_login_form_fields_have_labels(client, db):
    html = client.get(reverse("account_login")).content.decode()

    for field_id in re.findall(r'<input[^>]+type="(?:email|password)"[^>]+id="([^"]+)"', html):
        assert f'for="{field_id}"' in html


@pytest.mark.parametrize("template", sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")), ids=str)
def test_no_template_loads_anything_from_another_site(template):
    assert not EXTERNAL_URL.search(template.read_text())


def test_the_stylesheet_is_served_from_our_own_static_files(client, db):
    response = client.get("/static/css/candor.css")

    assert response.status_code == 200
    assert b":focus-visible" in b"".join(response.streaming_content)
