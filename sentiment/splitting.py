"""Split a comment into scored units: sentences, then clauses around contrastive conjunctions.

Works offline with a few precompiled regular expressions (NLTK's punkt is not available and would
not know survey comments anyway). Every unit keeps its character offsets into the original text, so
stored scores can point at a span without storing any text.

Sentences end at . ! ? and ellipses followed by whitespace, and at line breaks; bullet markers are left
out of the unit. A period after a known abbreviation (e.g., Dr.) or a single initial does not end a
sentence; decimals (3.5) and URLs never qualify because their dots are not followed by whitespace.

Within a sentence, a clause starts at "but", "however", ", yet" (contrast: what follows is what the
writer asserts), at "although", "though", "even though", "whereas", "while" (concession: the clause
they introduce is what the writer grants), and after ";". An aside set off by commas ("the leaderboard,
however, is toxic") stays inside its clause. Each unit gets a ``role`` so that the comment score can
keep VADER's rule that the asserted side of a contrast counts more than the conceded side.
"""

import re
from dataclasses import dataclass

PLAIN = "plain"
ASSERTED = "asserted"
CONCEDED = "conceded"

CONTRAST = "contrast"
CONCESSION = "concession"

LINE = re.compile(r"[^\n]+")
BULLET = re.compile(r"[ \t]*(?:[-*•·‣▪◦–—+>]|\d{1,3}[.)]|[A-Za-z]\))[ \t]+")
SENTENCE_END = re.compile(r"(?P<stop>\.{2,}|…|[.!?]+)[\"'”’)\]]*(?=\s|$)")
WORD = re.compile(r"[\w'’]+")
FIRST_VISIBLE = re.compile(r"\s*(\S)")
MARKER = re.compile(
    r"(?<![\w'’-])(?P<word>even though|although|though|whereas|while|however|but|yet)(?![\w'’-])|(?P<semicolon>;)",
    re.IGNORECASE,
)
AFTER_MARKER = re.compile(r"[\s,:]*")
COMMA_AHEAD = re.compile(r",")
# A single initial ("J.") or an initialism ("U.S.", "e.g."): the period belongs to the word.
INITIALS = re.compile(r"(?:[a-z]\.)+")

# Never the end of a sentence: titles and Latin abbreviations are always followed by more of it.
NEVER_FINAL = frozenset(
    "e.g. i.e. eg. ie. cf. vs. viz. approx. incl. esp. fig. no. nr. mr. mrs. ms. dr. prof. st. sr. jr. dept.".split()
)
# The end of a sentence only if the next word starts with a capital: "tools, etc. The rest".
SOMETIMES_FINAL = frozenset("etc. a.m. p.m. inc. ltd. co. corp.".split())

CONCESSIVE_WORDS = frozenset({"although", "though", "even though", "whereas", "while"})
NOT_A_CONTRAST_BUT = frozenset({"nothing", "all", "anything", "everything", "last"})
NOT_A_CLAUSE_YET = frozenset({"another", "again", "more"})
NOT_A_CLAUSE_HOWEVER = frozenset({"much", "many", "long", "often", "hard", "little", "far"})
NOT_A_CLAUSE_WHILE = frozenset({"a", "the", "worth", "for"})


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    # Where the text to score starts: after a leading contrastive word, whose weight is the role.
    body_start: int
    role: str = PLAIN


@dataclass(frozen=True)
class _Cut:
    at: int
    body_start: int
    kind: str | None


@dataclass(frozen=True)
class _DraftUnit:
    start: int
    end: int
    body_start: int
    kind: str | None
    opens_sentence: bool


def split_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    for start, end in sentence_spans(text):
        units.extend(_units_from_sentence(text, start, end))
    return _roles_assign(units)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for line in LINE.finditer(text):
        start = _after_bullet(text, line.start(), line.end())
        spans.extend(_sentences_in_line(text, start, line.end()))
    return spans


def _after_bullet(text: str, start: int, end: int) -> int:
    bullet = BULLET.match(text, start, end)
    return bullet.end() if bullet else start


def _sentences_in_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    line_start = start
    for stop in SENTENCE_END.finditer(text, start, end):
        if _ends_sentence(text, stop, line_start, end):
            spans.append(_trimmed(text, start, stop.end()))
            start = stop.end()
    spans.append(_trimmed(text, start, end))
    return [span for span in spans if span[0] < span[1]]


def _ends_sentence(text: str, stop: re.Match, line_start: int, line_end: int) -> bool:
    following = FIRST_VISIBLE.match(text, stop.end(), line_end)
    next_char = following.group(1) if following else ""
    mark = stop.group("stop")
    if mark == "…" or (len(mark) > 1 and set(mark) == {"."}):
        # An ellipsis that trails off mid-thought ("it works... mostly") is not an ending.
        return not next_char or next_char.isupper() or next_char.isdigit()
    if mark != ".":
        return True
    return _period_ends_sentence(_token_before(text, line_start, stop.start() + 1), next_char)


def _token_before(text: str, line_start: int, end: int) -> str:
    """The word the period belongs to; abbreviations are short, so a short window is enough."""
    words = text[max(line_start, end - 24) : end].split()
    return words[-1].lower().lstrip("([\"'“‘") if words else ""


def _period_ends_sentence(token: str, next_char: str) -> bool:
    if token in NEVER_FINAL or (INITIALS.fullmatch(token) and token not in SOMETIMES_FINAL):
        return False
    if token in SOMETIMES_FINAL:
        return not next_char or next_char.isupper()
    return True


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _units_from_sentence(text: str, start: int, end: int) -> list[_DraftUnit]:
    cuts = [_Cut(start, start, None)]
    for marker in MARKER.finditer(text, start, end):
        cuts.extend(_cuts_at(text, marker, start, end))
    cuts = _distinct_cuts(cuts)
    units = []
    for cut, following in zip(cuts, [*cuts[1:], None], strict=True):
        unit_start, unit_end = _trimmed(text, cut.at, following.at if following else end)
        if unit_start < unit_end:
            units.append(_DraftUnit(unit_start, unit_end, max(cut.body_start, unit_start), cut.kind, cut.at == start))
    return units


def _distinct_cuts(cuts: list[_Cut]) -> list[_Cut]:
    """Keep one cut per position; a marker at the sentence start replaces the plain opening cut."""
    by_position = {}
    for cut in sorted(cuts, key=lambda cut: cut.at):
        if cut.at not in by_position or cut.kind:
            by_position[cut.at] = cut
    return list(by_position.values())


def _cuts_at(text: str, marker: re.Match, start: int, end: int) -> list[_Cut]:
    if marker.group("semicolon"):
        after = AFTER_MARKER.match(text, marker.end(), end).end()
        return [_Cut(after, after, None)] if _words(text, after, end) else []
    word = marker.group("word").lower()
    body = AFTER_MARKER.match(text, marker.end(), end).end()
    before = _words(text, start, marker.start())
    after = _words(text, body, end)
    if not after or not _is_clause_marker(text, marker, before, after):
        return []
    kind = CONCESSION if word in CONCESSIVE_WORDS else CONTRAST
    if not before:
        return _opening_cuts(text, start, body, end, kind)
    return [_Cut(marker.start(), body, kind)] if len(before) >= 2 else []


def _opening_cuts(text: str, start: int, body: int, end: int, kind: str) -> list[_Cut]:
    """A sentence that opens with a contrastive word; an opening concession runs to its first comma."""
    cuts = [_Cut(start, body, kind)]
    if kind == CONCESSION:
        comma = COMMA_AHEAD.search(text, body, end)
        if comma and _words(text, comma.end(), end):
            cuts.append(_Cut(comma.end(), comma.end(), None))
    return cuts


def _is_clause_marker(text: str, marker: re.Match, before: list[str], after: list[str]) -> bool:
    word = marker.group("word").lower()
    previous, following = (before[-1].lower() if before else ""), after[0].lower()
    comma_before = text[max(0, marker.start() - 16) : marker.start()].rstrip().endswith(",")
    if word == "but":
        return previous not in NOT_A_CONTRAST_BUT
    if word == "yet":
        return (comma_before or not before) and following not in NOT_A_CLAUSE_YET
    if word in {"however", "though"} and comma_before and text.startswith(",", marker.end()):
        # "The leaderboard, however, is toxic": an aside inside one clause, not a second clause.
        return False
    if word == "however":
        return following not in NOT_A_CLAUSE_HOWEVER
    if word == "while":
        return previous not in NOT_A_CLAUSE_WHILE
    return True


def _words(text: str, start: int, end: int) -> list[str]:
    return WORD.findall(text, start, end)


def _roles_assign(drafts: list[_DraftUnit]) -> list[Unit]:
    """Mark asserted and conceded units: first from neighbouring markers, then a unit's own marker wins."""
    roles = [PLAIN] * len(drafts)
    for index, draft in enumerate(drafts):
        neighbour = _neighbour_of(drafts, index, draft)
        if neighbour is not None and roles[neighbour] == PLAIN:
            roles[neighbour] = CONCEDED if draft.kind == CONTRAST else ASSERTED
    for index, draft in enumerate(drafts):
        if draft.kind:
            roles[index] = ASSERTED if draft.kind == CONTRAST else CONCEDED
    return [Unit(draft.start, draft.end, draft.body_start, role) for draft, role in zip(drafts, roles, strict=True)]


def _neighbour_of(drafts: list[_DraftUnit], index: int, draft: _DraftUnit) -> int | None:
    """The unit a contrastive marker weighs against: what precedes "but", what "although" is attached to."""
    if draft.kind == CONTRAST:
        return index - 1 if index > 0 else None
    if draft.kind == CONCESSION:
        if draft.opens_sentence:
            following = index + 1
            return following if following < len(drafts) and not drafts[following].opens_sentence else None
        return index - 1
    return None
