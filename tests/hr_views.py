"""What an HR analyst can read in a page or an export, as text, with what the identified side shows taken out.

Participation ("12 of 15 answered") is counted on the identified side from who took part, so it moves with every
submission by design; everything else an HR view shows comes from the round's one publication at close.
``analysed_text`` keeps only the latter, so two readings can be compared number for number.
"""

import html
import re
from html.parser import HTMLParser

from tests.test_exports import csv_rows, pdf_text

NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")
RESPONDENTS = re.compile(r"; (\d+) respondents\.")
PARTICIPATION_TITLE = "Participation"


def analysed_text(response) -> str:
    """The page's or export's visible text, whitespace collapsed, without the participation counts."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/pdf"):
        text = _until_participation(pdf_text(response.content).splitlines())
    elif content_type.startswith("text/csv"):
        text = _until_participation([" ".join(row) for row in csv_rows(response.content)])
    else:
        text = _html_text(response.content.decode())
    return " ".join(text.split())


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def respondent_counts(text: str) -> list[int]:
    """Every count of respondents the text states in a published round's headline."""
    return [int(found) for found in RESPONDENTS.findall(text)]


def _until_participation(lines: list[str]) -> str:
    """Participation sections come last in every report, so the analysed content is everything before them."""
    kept = []
    for line in lines:
        if line.strip().startswith(PARTICIPATION_TITLE):
            break
        kept.append(line)
    return "\n".join(kept)


class _VisibleText(HTMLParser):
    """Text a reader sees, plus the charts' JSON data; without scripts' code, styles, participation sections, or
    cells of a column headed "Participation" (the list of rounds)."""

    CONTAINERS = ("section", "script", "style")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._open: list[bool] = []  # for each open container: does it hide its content?
        self._headers: list[str] = []
        self._in_head = False
        self._column = -1
        self._cell_hidden = False

    def handle_starttag(self, tag, attrs):
        if tag in self.CONTAINERS:
            self._open.append(_hides(tag, dict(attrs)))
        elif tag in ("table", "thead", "tbody", "tr"):
            self._table_tag(tag)
        elif tag in ("th", "td"):
            self._column += 1
            if self._in_head:
                self._headers.append("")
            else:
                self._cell_hidden = self._header(self._column) == PARTICIPATION_TITLE

    def _table_tag(self, tag: str) -> None:
        if tag == "table":
            self._headers = []
        self._in_head = tag == "thead" or (self._in_head and tag == "tr")
        self._column = -1 if tag == "tr" else self._column

    def _header(self, column: int) -> str:
        return self._headers[column].strip() if column < len(self._headers) else ""

    def handle_endtag(self, tag):
        if tag in self.CONTAINERS and self._open:
            self._open.pop()
        elif tag in ("th", "td"):
            self._cell_hidden = False
        elif tag == "thead":
            self._in_head = False

    def handle_data(self, data):
        if any(self._open) or self._cell_hidden:
            return
        if self._in_head and self._headers:
            self._headers[-1] += data
        self.parts.append(data)


def _hides(tag: str, attrs: dict) -> bool:
    if tag == "section":
        return (attrs.get("id") or "").startswith("participation")
    return not (tag == "script" and attrs.get("type") == "application/json")


def _html_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return html.unescape(" ".join(parser.parts))
