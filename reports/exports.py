"""CSV and PDF exports of an HR report: the sections, rows and figure texts of the page, and nothing more.

Every figure in a ``Report`` has passed disclosure control (``reports.presentation``). These renderers lay out
``Figure.text`` only, never ``value`` or ``count``, so a suppressed cell cannot leak its number through an export.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.text import slugify
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from reports.presentation import Figure, Report, Row, Section

FILENAME_SLUG_LENGTH = 60


def export_filename(report: Report, extension: str) -> str:
    """``candor-<title>-<date>.<extension>``, ASCII only, so it is safe in a Content-Disposition header."""
    slug = slugify(report.title)[:FILENAME_SLUG_LENGTH].strip("-") or "report"
    return f"candor-{slug}-{timezone.localdate().isoformat()}.{slugify(extension) or 'txt'}"


def thresholds_line(report: Report) -> str:
    return (
        f"Numbers cover at least k={report.k} people; "
        f"comment-derived numbers at least {report.comment_threshold} people."
    )


def filters_line(report: Report) -> str:
    return f"Filters: {report.filters}"


# CSV ------------------------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A signed number cannot call a function, and the NPS is often negative: it must stay a number in the sheet.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*%?")


def spreadsheet_safe(text: str) -> str:
    """Neutralise formula injection the OWASP way: text a spreadsheet would run as a formula gets a leading ``'``."""
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def report_csv(report: Report) -> bytes:
    """The report as CSV: a preamble, then one block per section; UTF-8 with a BOM so that Excel reads it as such."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    for line in _csv_lines(report):
        writer.writerow([spreadsheet_safe(cell) for cell in line])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_lines(report: Report) -> Iterator[list[str]]:
    yield from _csv_preamble(report)
    for section in report.sections:
        yield []
        yield from _csv_section(section)


def _csv_preamble(report: Report) -> Iterator[list[str]]:
    yield [report.title]
    if report.subtitle:
        yield [report.subtitle]
    if report.filters:
        yield [filters_line(report)]
    yield [thresholds_line(report)]


def _csv_section(section: Section) -> Iterator[list[str]]:
    # Notes get a column of their own (only where a section has any) so the figures stay under their headers.
    note_column = _has_notes(section)
    yield [section.title]
    if section.description:
        yield [section.description]
    if section.notice:
        yield [section.notice]
    yield [section.row_header, *(["Note"] if note_column else []), *section.columns]
    for row in section.rows:
        yield [row.label, *([row.note] if note_column else []), *(figure.text for figure in row.figures)]


def _has_notes(section: Section) -> bool:
    return any(row.note for row in section.rows)


# PDF: text --------------------------------------------------------------------------------------------------------

# Helvetica, a built-in PDF font, only has the WinAnsi (cp1252) characters; reportlab would draw others as boxes.
WINANSI_APPROXIMATIONS = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "≈": "~",
    "→": "->",
    "←": "<-",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "′": "'",
    "″": '"',
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "ı": "i",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}


def pdf_safe(text: str) -> str:
    """Text Helvetica can draw, escaped for reportlab's Paragraph markup (a label is never markup)."""
    return escape("".join(_winansi_char(char) for char in text))


def _winansi_char(char: str) -> str:
    if char in WINANSI_APPROXIMATIONS:
        return WINANSI_APPROXIMATIONS[char]
    if unicodedata.category(char) == "Cc":
        return " "
    if _in_winansi(char):
        return char
    plain = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    if plain and all(_in_winansi(part) for part in plain):
        return plain
    # No ASCII look-alike (Cyrillic, CJK, …): the code point keeps two such labels apart, where "?" would not.
    return f"[U+{ord(char):04X}]"


def _in_winansi(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


# PDF: layout ------------------------------------------------------------------------------------------------------

GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#bbbbbb")
HEADER_BACKGROUND = colors.HexColor("#e8e8e8")
STRIPE = colors.HexColor("#f6f6f6")

BODY = ParagraphStyle("candor-body", fontName="Helvetica", fontSize=9, leading=11.5)
TITLE = ParagraphStyle("candor-title", BODY, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=4)
SUBTITLE = ParagraphStyle("candor-subtitle", BODY, fontSize=11, leading=14, spaceAfter=2)
NOTICE = ParagraphStyle("candor-notice", BODY, textColor=GREY, spaceAfter=2)
SECTION_TITLE = ParagraphStyle(
    "candor-section", BODY, fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=14, spaceAfter=3
)
DESCRIPTION = ParagraphStyle("candor-description", BODY, textColor=GREY, spaceAfter=5)
CELL = ParagraphStyle("candor-cell", BODY, fontSize=8.5, leading=10.5)
HEADER_CELL = ParagraphStyle("candor-header-cell", CELL, fontName="Helvetica-Bold")
FIGURE_HEADER_CELL = ParagraphStyle("candor-figure-header-cell", HEADER_CELL, alignment=TA_RIGHT)
NOTE_CELL = ParagraphStyle("candor-note-cell", CELL, fontSize=7.5, leading=9.5, textColor=GREY)
FIGURE_CELL = ParagraphStyle("candor-figure-cell", CELL, alignment=TA_RIGHT)
SUPPRESSED_CELL = ParagraphStyle("candor-suppressed-cell", FIGURE_CELL, fontName="Helvetica-Oblique", textColor=GREY)

TABLE_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)

MARGIN = 18 * mm
FIGURE_COLUMN_WIDTH = 24 * mm
FOOTER_TITLE_LENGTH = 90
# A section starts on a new page unless its title, description and first rows fit on this one. (keepWithNext
# would glue the title to the whole table and move a long table, whole, off a page it could have started on.)
SECTION_START_SPACE = 50 * mm
MIN_LABEL_SHARE = 0.3
# Beyond this many figure columns (a heatmap), portrait pages squeeze the headers into broken words.
PORTRAIT_MAX_COLUMNS = 6


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF: a heading, then each section's table, its header row repeated across pages."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=_page_size(report),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_plain(report.title),
        subject=_plain(report.subtitle),
        author="Candor",
    )
    canvasmaker = functools.partial(_FooterCanvas, footer=_plain(f"Candor · {report.title}")[:FOOTER_TITLE_LENGTH])
    document.build(_pdf_story(report, document.width), canvasmaker=canvasmaker)
    return buffer.getvalue()


def _page_size(report: Report) -> tuple[float, float]:
    widest = max((len(section.columns) for section in report.sections), default=0)
    return landscape(A4) if widest > PORTRAIT_MAX_COLUMNS else A4


def _plain(text: str) -> str:
    """For strings reportlab draws as they are (metadata, the footer) rather than as Paragraph markup."""
    return "".join(_winansi_char(char) for char in text)


def _pdf_story(report: Report, width: float) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(pdf_safe(report.title), TITLE)]
    if report.subtitle:
        story.append(Paragraph(pdf_safe(report.subtitle), SUBTITLE))
    if report.filters:
        story.append(Paragraph(pdf_safe(filters_line(report)), NOTICE))
    story.append(Paragraph(pdf_safe(thresholds_line(report)), NOTICE))
    for section in report.sections:
        story.extend(_pdf_section(section, width))
    return story


def _pdf_section(section: Section, width: float) -> list[Flowable]:
    heading = [CondPageBreak(SECTION_START_SPACE), Paragraph(pdf_safe(section.title), SECTION_TITLE)]
    if section.description:
        heading.append(Paragraph(pdf_safe(section.description), DESCRIPTION))
    if section.notice:
        heading.append(Paragraph(pdf_safe(section.notice), DESCRIPTION))
    return [*heading, _pdf_table(section, width)] if section.rows else heading


def _pdf_table(section: Section, width: float) -> Table:
    header = [
        Paragraph(pdf_safe(section.row_header), HEADER_CELL),
        *(Paragraph(pdf_safe(column), FIGURE_HEADER_CELL) for column in section.columns),
    ]
    rows = [[_pdf_label(row), *(_pdf_figure(figure) for figure in row.figures)] for row in section.rows]
    table = Table([header, *rows], colWidths=_column_widths(section, width), repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _column_widths(section: Section, width: float) -> list[float]:
    count = len(section.columns)
    figure_width = min(FIGURE_COLUMN_WIDTH, width * (1 - MIN_LABEL_SHARE) / max(count, 1))
    return [width - figure_width * count, *[figure_width] * count]


def _pdf_label(row: Row) -> list[Paragraph]:
    label = [Paragraph(pdf_safe(row.label), CELL)]
    if row.note:
        label.append(Paragraph(pdf_safe(row.note), NOTE_CELL))
    return label


def _pdf_figure(figure: Figure) -> Paragraph:
    return Paragraph(pdf_safe(figure.text), SUPPRESSED_CELL if figure.suppressed else FIGURE_CELL)


class _FooterCanvas(Canvas):
    """Writes "Page n of N" under every page; N is known only at the end, so pages are held back until then."""

    def __init__(self, *args, footer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held_pages: list[dict] = []

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for page in self._held_pages:
            self.__dict__.update(page)
            self._draw_footer(page_count=len(self._held_pages))
            super().showPage()
        super().save()

    def _draw_footer(self, page_count: int):
        self.saveState()
        self.setFont("Helvetica", 7.5)
        self.setFillColor(GREY)
        self.drawString(MARGIN, MARGIN / 2, self._footer)
        self.drawRightString(self._pagesize[0] - MARGIN, MARGIN / 2, f"Page {self._pageNumber} of {page_count}")
        self.restoreState()
