import pytest

from feedback.redaction import redact, text_clean

ROSTER = ["Ada Lovelace", "Grace Hopper", "Mark Young", "Li Wei"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to ada.l@corp.example.com today", "write to [email] today"),
        ("call me on +49 30 1234567", "call me on [phone]"),
        ("call (555) 123-4567 now", "call [phone] now"),
        ("the board is at https://dash.corp.example/leaderboard?team=7", "the board is at [link]"),
        ("see www.example.org for the rules", "see [link] for the rules"),
        ("ask @j.smith about the quota", "ask [handle] about the quota"),
        ("Grace Hopper watches the token dashboard", "[name] watches the token dashboard"),
        ("grace hopper watches it", "[name] watches it"),
        ("Lovelace ranks us by tokens", "[name] ranks us by tokens"),
        ("Li Wei set the target", "[name] set the target"),
    ],
)
def test_contact_details_and_roster_names_become_placeholders(text, expected):
    assert redact(text, ROSTER) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we spent 1,000,000 tokens in 2025",
        "mark my words, this target will backfire",
        "version 3.11.7 broke the plugin",
        "ticket 12345 is still open",
        "by grace of the deadline",
    ],
)
def test_ordinary_words_and_numbers_are_left_alone(text):
    assert redact(text, ROSTER) == text


def test_control_characters_and_direction_overrides_are_removed_but_emoji_and_rtl_text_kept():
    text = "ok\x00\x1b[31m \u202eevil\u202c 🤖 שלום مرحبا"

    assert text_clean(text) == "ok[31m evil 🤖 שלום مرحبا"
