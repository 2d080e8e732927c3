import base64
import csv
import datetime
import io
import re
import zlib

import pytest
from django.utils import timezone

from reports.exports import export_filename, report_csv, report_pdf, spreadsheet_safe
from reports.presentation import Figure, Report, Row, Section

INJECTIONS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def section(**overrides) -> Section:
    fields = {
        "slug": "participation",
        "title": "Participation by department",
        "description": "Share of invited people who answered.",
        "row_header": "Department",
        "columns": ("Answered", "Share"),
        "rows": (
            Row("Sales", (Figure("12", value=12, count=12), Figure("60%", value=60, count=12))),
            Row("Legal", (Figure.hidden(5), Figure.hidden(5))),
        ),
        "threshold": 5,
    }
    return Section(**{**fields, **overrides})


def report(*sections: Section, **overrides) -> Report:
    fields = {
        "title": "AI tools at work – spring round",
        "subtitle": "Closed 3 March 2026",
        "k": 5,
        "comment_threshold": 10,
        "sections": sections or (section(),),
    }
    return Report(**{**fields, **overrides})


def enps_section() -> Section:
    return section(
        slug="enps",
        title="Employee NPS",
        description="",
        row_header="Group",
        columns=("eNPS", "Trend"),
        rows=(Row("Everyone", (Figure("-12", value=-12, count=40), Figure("-0.4", value=-0.4, count=40))),),
    )


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages, line by line, as a PDF reader would extract it."""
    tokens = re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj|T\*|\bET\b", pdf_content(pdf), re.S)
    drawn = "".join(_pdf_string(token.group(1)) if token.group(1) is not None else "\n" for token in tokens)
    return re.sub(r"\n+", "\n", drawn).strip()


def pdf_content(pdf: bytes) -> bytes:
    """The pages' drawing operators; reportlab stores each page as ASCII85 over Flate."""
    streams = re.findall(rb"/ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)\s*endstream", pdf, re.S)
    return b"\n".join(zlib.decompress(base64.a85decode(stream, adobe=True)) for stream in streams)


def _pdf_string(raw: bytes) -> str:
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(match: re.Match) -> bytes:
        code = match.group(1)
        return bytes([int(code, 8)]) if code[:1].isdigit() else escapes.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, raw, flags=re.S).decode("cp1252")


def pdf_font_of(pdf: bytes, text: str) -> str:
    """The base font a string is drawn in (reportlab keeps font objects uncompressed)."""
    drawn = re.search(rb"/(F\d+) [\d.]+ Tf[^()]*\(" + re.escape(text.encode()) + rb"\) Tj", pdf_content(pdf))
    return re.search(rb"/BaseFont /([\w-]+)[^>]*/Name /" + drawn.group(1) + rb"\b", pdf).group(1).decode()


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


# CSV


def test_csv_has_the_preamble_then_each_section_as_a_block_in_page_order():
    second = section(slug="second", title="Second section", description="", columns=("Mean",), rows=())

    rows = csv_rows(report_csv(report(section(), second)))

    assert rows == [
        ["AI tools at work – spring round"],
        ["Closed 3 March 2026"],
        ["Numbers cover at least k=5 people; comment-derived numbers at least 10 people."],
        [],
        ["Participation by department"],
        ["Share of invited people who answered."],
        ["Department", "Answered", "Share"],
        ["Sales", "12", "60%"],
        ["Legal", "fewer than 5", "fewer than 5"],
        [],
        ["Second section"],
        ["Department", "Mean"],
    ]


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_it_as_utf8():
    content = report_csv(report())

    assert content.startswith(b"\xef\xbb\xbf")
    assert "at work – spring".encode() in content


def test_csv_names_the_filters_of_a_filtered_report():
    rows = csv_rows(report_csv(report(filters="department Sales and location Paris")))

    assert rows[2] == ["Filters: department Sales and location Paris"]


def test_csv_suppressed_cells_say_fewer_than_k_and_carry_no_number():
    # A figure built carelessly with its value still set: the export must show its text only.
    careless = Figure("fewer than 5", value=3, count=3, suppressed=True)
    rows = csv_rows(report_csv(report(section(rows=(Row("Legal", (careless, Figure.hidden(5))),)))))

    assert ["Legal", "fewer than 5", "fewer than 5"] in rows
    assert not any("3" in cell for row in rows[3:] for cell in row)


def test_csv_puts_row_notes_in_a_column_beside_the_label():
    themed = section(
        title="Themes",
        row_header="Theme",
        columns=("People",),
        rows=(
            Row("Leaderboards", (Figure("14"),), note="leaderboard, ranking, tokens"),
            Row("Time saved", (Figure.hidden(10),)),
        ),
    )

    rows = csv_rows(report_csv(report(themed)))

    assert rows[-3:] == [
        ["Theme", "Note", "People"],
        ["Leaderboards", "leaderboard, ranking, tokens", "14"],
        ["Time saved", "", "fewer than 10"],
    ]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_csv_neutralises_formulas_in_titles_labels_notes_and_headers(payload):
    hostile = section(
        title=payload,
        columns=(payload,),
        rows=(Row(payload, (Figure(payload),), note=payload),),
    )

    rows = csv_rows(report_csv(report(hostile, title=payload)))

    assert rows[0] == ["'" + payload]
    assert rows[-4:] == [
        ["'" + payload],
        ["Share of invited people who answered."],
        ["Department", "Note", "'" + payload],
        ["'" + payload] * 3,
    ]


def test_csv_keeps_negative_numbers_as_numbers():
    rows = csv_rows(report_csv(report(enps_section())))

    assert rows[-1] == ["Everyone", "-12", "-0.4"]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("-", "'-"),
        ("-1-1", "'-1-1"),
        ("-12", "-12"),
        ("-0.4", "-0.4"),
        ("+3", "+3"),
        ("-4%", "-4%"),
        ("42%", "42%"),
        ("fewer than 5", "fewer than 5"),
        ("Sales = Paris", "Sales = Paris"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_prefixes_only_what_a_spreadsheet_would_run(text, safe):
    assert spreadsheet_safe(text) == safe


# PDF


def test_pdf_shows_the_title_each_section_and_suppressed_cells():
    pdf = report_pdf(report(section(), enps_section()))
    text = pdf_text(pdf)

    assert pdf.startswith(b"%PDF")
    for expected in ["Closed 3 March 2026", "Participation by department", "Employee NPS", "fewer than 5", "-12"]:
        assert expected in text
    assert "AI tools at work – spring round" in text


def test_pdf_sets_suppressed_figures_in_italics():
    pdf = report_pdf(report())

    assert pdf_font_of(pdf, "fewer than 5") == "Helvetica-Oblique"
    assert pdf_font_of(pdf, "60%") == "Helvetica"


def test_pdf_shows_markup_in_labels_as_text():
    script = Row("<script>alert(1)</script>", (Figure("1 & 2"),), note="<b>bold</b>")
    hostile = section(columns=("<i>",), rows=(script,))

    text = pdf_text(report_pdf(report(hostile)))

    assert "<script>alert(1)</script>" in text
    assert "<b>bold</b>" in text
    assert "1 & 2" in text


def test_pdf_replaces_characters_helvetica_lacks_with_readable_ascii():
    odd = section(
        title="Teams ≥ 5 people − it’s fine",
        rows=(Row("Łódź", (Figure.blank(),)), Row("東京", (Figure("12"),)), Row("\t=1\r", (Figure("3"),))),
        columns=("Count",),
    )

    text = pdf_text(report_pdf(report(odd)))

    assert "Teams >= 5 people - it’s fine" in text
    assert "Lódz" in text
    assert "[U+6771][U+4EAC]" in text
    assert "—" in text


def test_pdf_repeats_the_table_header_on_every_page_of_a_long_section():
    rows = tuple(Row(f"Team {number}", (Figure(f"{number}%"),)) for number in range(300))
    long = section(row_header="Team name", columns=("Agreeing",), rows=rows)

    pdf = report_pdf(report(long))
    text = pdf_text(pdf)

    pages = page_count(pdf)
    assert pages > 3
    assert text.count("Team name") == pages
    assert f"Page {pages} of {pages}" in text
    assert "Team 299" in text


def test_pdf_turns_pages_to_landscape_for_a_wide_heatmap():
    columns = tuple(f"Question {number}" for number in range(10))
    wide = section(columns=columns, rows=(Row("Sales", tuple(Figure("50%") for _ in columns)),))

    portrait, landscape = report_pdf(report()), report_pdf(report(wide))

    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in portrait
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in landscape


def test_pdf_survives_a_report_with_no_sections():
    pdf = report_pdf(Report(title="Empty", subtitle="", k=5, comment_threshold=10))

    assert pdf.startswith(b"%PDF")
    assert "Page 1 of 1" in pdf_text(pdf)


# File names


def test_export_filename_is_an_ascii_slug_of_the_title_and_todays_date(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 3, 1))

    assert export_filename(report(title="AI tools – Sales & Paris, Q1"), "csv") == (
        "candor-ai-tools-sales-paris-q1-2026-03-01.csv"
    )
    assert export_filename(report(title="東京"), ".pdf") == "candor-report-2026-03-01.pdf"
