"""Redaction of comment text before it is stored.

Contact details and names are what turn an honest comment into a signed one, so they are replaced
by placeholders. The roster's names come in as a parameter: this side never reads the roster.
"""

import re
import unicodedata

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|dev|ai|app|co)(?:/\S*)?\b", re.I)
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]{1,38}")
# Seven or more digits, allowing the separators people type: +49 30 1234567, (555) 123-4567.
PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{5,}\d(?!\w)")
# Control characters other than line breaks and tabs, and bidirectional overrides that can disguise text.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

# Name parts that are also everyday words are redacted only as part of a full name.
COMMON_WORDS = frozenset(
    """
    will may june april august mark bill grant hope joy faith rose summer autumn dawn guy art frank
    sunny lance chase hunter miles max ray rich young long short king white black brown green gray grey
    page park lee song wang case hall wood stone rock field bell cook baker mason taylor carter may
    """.split()
)
MIN_NAME_PART = 3


def text_clean(text: str) -> str:
    """Normalize, drop invisible control characters, and trim."""
    return UNSAFE_CHARACTERS.sub("", unicodedata.normalize("NFC", text)).strip()


def redact(text: str, names: list[str]) -> str:
    text = EMAIL.sub("[email]", text)
    text = URL.sub("[link]", text)
    text = HANDLE.sub("[handle]", text)
    text = PHONE.sub(_phone_placeholder, text)
    return _names_redact(text, names)


def _phone_placeholder(match: re.Match) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "[phone]" if digits >= 7 else match.group()


def _names_redact(text: str, names: list[str]) -> str:
    full_names = sorted({name for name in names if " " in name.strip()}, key=len, reverse=True)
    for full_name in full_names:
        text = re.sub(rf"\b{re.escape(full_name)}\b", "[name]", text, flags=re.I)
    for part in _name_parts(names):
        # Only the capitalized form: "Grace said" is a name, "by grace" usually is not.
        text = re.sub(rf"\b{re.escape(part)}\b", "[name]", text)
    return text


def _name_parts(names: list[str]) -> set[str]:
    parts = set()
    for name in names:
        for part in name.split():
            cleaned = part.strip(".,'")
            if len(cleaned) >= MIN_NAME_PART and cleaned.lower() not in COMMON_WORDS:
                parts.add(cleaned[:1].upper() + cleaned[1:])
    return parts
