"""What a report shows, as plain data: the HTML page, its charts, the CSV and the PDF all render one ``Report``.

A ``Report`` is built from engine tables only (``reports.pages``), so every number in it has passed disclosure
control; renderers format it and never compute a number of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChartKind(StrEnum):
    NONE = ""
    BAR = "bar"  # one horizontal bar per row, the first column's value
    STACKED = "stacked"  # one 100% bar per row, a segment per column (a distribution)
    LINE = "line"  # one line per row, the columns are points in time (a trend)
    HEATMAP = "heatmap"  # rows × columns, shaded by value; drawn as a table by the page itself


@dataclass(frozen=True)
class Figure:
    """One number as shown: ``text`` is what a reader sees ("42%", "3.8", "fewer than 5")."""

    text: str
    value: float | None = None
    count: int | None = None  # respondents behind the number
    suppressed: bool = False
    level: int | None = None  # 1–5, for heatmap shading; None when not shaded

    @classmethod
    def hidden(cls, threshold: int) -> Figure:
        return cls(text=f"fewer than {threshold}", suppressed=True)

    @classmethod
    def blank(cls) -> Figure:
        return cls(text="—")


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[Figure, ...]
    note: str = ""  # shown under the label, e.g. a theme's words


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    threshold: int
    description: str = ""
    chart: ChartKind = ChartKind.NONE
    unit: str = ""  # "%" or "" (plain numbers); used by charts for axes
    charted: int = 0  # how many leading columns the chart draws (0: all); the rest are in the table only
    notice: str = ""  # why rows are missing, e.g. a filter too narrow for comment-derived numbers

    @property
    def shown(self) -> bool:
        return bool(self.rows or self.notice)

    def chart_data(self) -> dict:
        """The JSON a chart is drawn from: the same rows and columns as the table beside it.

        Shares are figures from 0 to 1 that the table writes as percentages; a chart with a percent axis is given
        them as percentages too, so that "17%" in the table is drawn at 17, not at 0.17.
        """
        width = self.charted or len(self.columns)
        scale = 100 if self.unit == "%" else 1
        return {
            "kind": str(self.chart),
            "title": self.title,
            "unit": self.unit,
            "columns": list(self.columns[:width]),
            "suppressed": f"fewer than {self.threshold}",
            "rows": [
                {
                    "label": row.label,
                    "values": [_charted(figure, scale) for figure in row.figures[:width]],
                    "texts": [figure.text for figure in row.figures[:width]],
                }
                for row in self.rows
            ],
        }


def _charted(figure: Figure, scale: int) -> float | None:
    if figure.suppressed or figure.value is None:
        return None
    return figure.value * scale


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    k: int
    comment_threshold: int
    sections: tuple[Section, ...] = field(default=())
    filters: str = ""  # "department Sales and location Paris", or "" for everyone

    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(slug)
