"""Redaction of comment text before it is stored.

Contact details and names are what turn an honest comment into a signed one, so they are replaced
by placeholders. The roster's names come in as a parameter: this side never reads the roster.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

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
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


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


@dataclass(frozen=True)
class NameIndex:
    full_names: frozenset[tuple[str, ...]]
    parts: frozenset[str]
    longest: int


@lru_cache(maxsize=4)
def _name_index(names: tuple[str, ...]) -> NameIndex:
    """Sets built once per roster version: lookups stay constant-time however long the roster is."""
    full_names = frozenset(tuple(word.lower() for word in WORD.findall(name)) for name in names)
    full_names = frozenset(name for name in full_names if len(name) > 1)
    return NameIndex(
        full_names=full_names,
        parts=frozenset(_name_parts(names)),
        longest=max((len(name) for name in full_names), default=1),
    )


def _names_redact(text: str, names: list[str]) -> str:
    index = _name_index(tuple(names))
    words = list(WORD.finditer(text))
    spans, position = [], 0
    while position < len(words):
        length = _full_name_at(text, words, position, index)
        if length:
            spans.append((words[position].start(), words[position + length - 1].end()))
            position += length
            continue
        # Only the capitalized form of a single name part: "Grace said" is a name, "by grace" usually is not.
        if words[position].group() in index.parts:
            spans.append(words[position].span())
        position += 1
    for start, end in reversed(spans):
        text = text[:start] + "[name]" + text[end:]
    return text


def _full_name_at(text: str, words: list[re.Match], position: int, index: NameIndex) -> int:
    """The number of words of the longest roster full name starting here (any case), or 0."""
    for length in range(min(index.longest, len(words) - position), 1, -1):
        window = words[position : position + length]
        separated_by_spaces = all(text[left.end() : right.start()].isspace() for left, right in pairwise(window))
        if separated_by_spaces and tuple(word.group().lower() for word in window) in index.full_names:
            return length
    return 0


def _name_parts(names: tuple[str, ...]) -> set[str]:
    parts = set()
    for name in names:
        for part in WORD.findall(name):
            if len(part) >= MIN_NAME_PART and part.lower() not in COMMON_WORDS:
                parts.add(part[:1].upper() + part[1:])
    return parts
