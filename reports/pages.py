"""The reports' content, built from engine tables: indicators, distributions, themes, heatmaps and trends.

Each function returns ``presentation`` data that the page, the charts and the exports render as they are. Every
number comes from ``Publication.table``; none is computed here from anything but published cells (a theme's share of
a group divides two published counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reports import formatting
from reports.disclosure import Filter, FilterRefused, Query, Table
from reports.disclosure_data import Measure
from reports.measures import (
    question_headline,
    question_options,
    theme_people,
    theme_sentiments,
)
from reports.presentation import ChartKind, Figure, Report, Row, Section
from reports.publication import Publication
from reports.selectors import RoundData
from surveys.models import Question, RoundQuestion

INDICATOR_ORDER = [choice for choice, _ in Question.Indicator.choices if choice]
INDICATOR_LABELS = dict(Question.Indicator.choices)


@dataclass(frozen=True)
class Options:
    """What the reader chose: a filter (one attribute value) and an attribute to break the heatmaps down by."""

    filters: tuple[Filter, ...] = ()
    by: str | None = None
    detail: bool = True  # False: the organisation-level view employees get (no heatmaps, no filters)


def round_report(data: RoundData, options: Options, *, previous: RoundData | None = None, participation=None) -> Report:
    engine = data.engine
    sections = [indicators_section(data, options, previous=previous)]
    if options.detail and options.by and engine is not None:
        sections += [questions_heatmap(data, options), themes_heatmap(data, options)]
    sections += [
        themes_section(data, options, previous=previous),
        *distribution_sections(data, options),
        *participation_sections(participation, publication=engine, labels=data.labels, k=data.round.k),
    ]
    return Report(
        title=data.round.title,
        subtitle=formatting.round_subtitle(data.round, respondents=_respondents(data, options)),
        k=data.round.k,
        comment_threshold=data.round.comment_threshold,
        sections=tuple(section for section in sections if section is not None and section.shown),
        filters=formatting.filters_described(options.filters, data.labels),
    )


def _respondents(data: RoundData, options: Options) -> Figure:
    table = _table(data.engine, Query(Measure.count(), filters=options.filters))
    return formatting.count_figure(table.total, table.threshold) if table else Figure.blank()


def _table(publication: Publication | None, query: Query, *, comment_groups: bool = False) -> Table | None:
    """The table, or None before the round is published or when it published no such measure.

    ``comment_groups`` asks on the comments' coarser groups, for counts that comment-derived numbers are divided by.
    """
    if publication is None:
        return None
    try:
        return publication.table(query, comment_groups=comment_groups)
    except (ValueError, FilterRefused):
        return None


# --- indicators -----------------------------------------------------------------------------


def indicator_questions(questions: Sequence[RoundQuestion]) -> list[RoundQuestion]:
    flagged = [question for question in questions if question.indicator and question_headline(question)]
    return sorted(flagged, key=lambda question: (INDICATOR_ORDER.index(question.indicator), question.position))


def indicators_section(data: RoundData, options: Options, *, previous: RoundData | None) -> Section:
    rows = []
    for question in indicator_questions(data.questions):
        headline = question_headline(question)
        figure = _headline_figure(data, question, options.filters)
        before = _previous_headline(previous, question.indicator, options.filters)
        rows.append(
            Row(
                label=INDICATOR_LABELS[question.indicator],
                figures=(figure, formatting.people_of(figure), formatting.change(figure, before, headline.unit)),
                note=f"{headline.label}: “{question.text}”",
            )
        )
    return Section(
        slug="indicators",
        title="Headline indicators",
        row_header="Indicator",
        columns=("Result", "People", "Change since the last round"),
        rows=tuple(rows),
        threshold=data.round.k,
        description="Each from the question it names; shares are of the people who answered it.",
    )


def _headline_figure(data: RoundData, question: RoundQuestion, filters: tuple[Filter, ...]) -> Figure:
    headline = question_headline(question)
    table = _table(data.engine, Query(headline.measure, filters=filters))
    if table is None:
        return Figure.blank()
    return formatting.measure_figure(table.total, headline.measure, table.threshold)


def _previous_headline(previous: RoundData | None, indicator: str, filters: tuple[Filter, ...]) -> Figure | None:
    if previous is None:
        return None
    matches = [question for question in indicator_questions(previous.questions) if question.indicator == indicator]
    if not matches:
        return None
    try:
        return _headline_figure(previous, matches[0], filters)
    except FilterRefused:  # the earlier round's groups are smaller: no comparison
        return None


# --- distributions --------------------------------------------------------------------------


def distribution_sections(data: RoundData, options: Options) -> list[Section]:
    """Questions with the same answer options share one stacked chart; the others get one each."""
    groups: dict[tuple[str, ...], list[RoundQuestion]] = {}
    for question in data.questions:
        labels = tuple(option.label for option in question_options(question))
        if labels:
            groups.setdefault((question.kind, *labels), []).append(question)
    sections = [
        _distribution(data, questions, options, number=number)
        for number, questions in enumerate(groups.values(), start=1)
    ]
    return _titles_unique(sections)


def _titles_unique(sections: list[Section]) -> list[Section]:
    """Two groups of the same kind ("How often") get their first question as well, so headings tell them apart."""
    titles = [section.title for section in sections]
    return [
        replace(section, title=f"{section.title}: “{section.rows[0].note or section.rows[0].label}”")
        if titles.count(section.title) > 1 and section.rows
        else section
        for section in sections
    ]


def _distribution(data: RoundData, questions: list[RoundQuestion], options: Options, *, number: int) -> Section:
    kind = questions[0].kind
    if kind == Question.Kind.MULTIPLE:
        return _several_choices(data, questions, options, number=number)
    labels = tuple(option.label for option in question_options(questions[0]))
    rows = []
    for question in questions:
        figures = _option_figures(data, question, options)
        rows.append(Row(label=question.text, figures=(*figures, formatting.people_of(figures[0]))))
    return Section(
        slug=f"distribution-{number}",
        title=formatting.distribution_title(kind, len(questions)),
        row_header="Question",
        columns=(*labels, "People"),
        rows=tuple(rows),
        threshold=data.round.k,
        description="Share of the people who answered each question.",
        chart=ChartKind.STACKED,
        unit="%",
        charted=len(labels),
    )


def _several_choices(data: RoundData, questions: list[RoundQuestion], options: Options, *, number: int) -> Section:
    """One row per option (several can be ticked, so the shares do not add up to 100%)."""
    rows = []
    for question in questions:
        figures = _option_figures(data, question, options)
        for option, figure in zip(question_options(question), figures, strict=True):
            rows.append(Row(label=option.label, figures=(figure, formatting.people_of(figure)), note=question.text))
    return Section(
        slug=f"distribution-{number}",
        title=questions[0].text if len(questions) == 1 else "Several choices",
        row_header="Option",
        columns=("Share who ticked it", "People who answered"),
        rows=tuple(rows),
        threshold=data.round.k,
        description="Share of the people who answered; several options can be ticked, so they add up to more "
        "than 100%.",
        chart=ChartKind.BAR,
        unit="%",
        charted=1,
    )


def _option_figures(data: RoundData, question: RoundQuestion, options: Options) -> list[Figure]:
    figures = []
    for option in question_options(question):
        table = _table(data.engine, Query(option.measure, filters=options.filters))
        figures.append(
            formatting.measure_figure(table.total, option.measure, table.threshold) if table else Figure.blank()
        )
    return figures


# --- themes ---------------------------------------------------------------------------------


def themes_section(data: RoundData, options: Options, *, previous: RoundData | None) -> Section:
    threshold = data.round.comment_threshold
    notice = _comments_refusal(data, options.filters)
    if notice:
        return _themes_section(rows=(), threshold=threshold, notice=notice)
    everyone = _table(data.engine, Query(Measure.count(), filters=options.filters), comment_groups=True)
    rows = []
    for theme in data.themes:
        people = _table(data.engine, Query(theme_people(theme.key), filters=options.filters))
        if people is None:
            continue
        count = formatting.count_figure(people.total, threshold)
        share = formatting.ratio_figure(people.total, everyone.total if everyone else None, threshold)
        sentiments = [
            formatting.measure_figure(table.total, option.measure, threshold) if table else Figure.blank()
            for option in theme_sentiments(theme.key)
            for table in [_table(data.engine, Query(option.measure, filters=options.filters))]
        ]
        before = _theme_share(previous, theme.key, options.filters) if previous else None
        rows.append(
            Row(
                label=theme.name,
                figures=(count, share, *sentiments, formatting.change(share, before, "%")),
                note=", ".join(theme.terms),
            )
        )
    rows.sort(key=lambda row: (row.figures[0].suppressed, -(row.figures[0].value or 0), row.label))
    return _themes_section(rows=tuple(rows), threshold=threshold)


def _comments_refusal(data: RoundData, filters: tuple[Filter, ...]) -> str:
    """Comment-derived numbers need the higher threshold: a group HR may filter on can still be too small for them."""
    if not filters or data.engine is None:
        return ""
    try:
        data.engine.filters_check(filters=filters, comment_derived=True)
    except FilterRefused as refused:
        return f"Themes are not shown for this group. {refused}"
    return ""


def _themes_section(*, rows: tuple[Row, ...], threshold: int, notice: str = "") -> Section:
    return Section(
        slug="themes",
        title="Themes in the comments",
        row_header="Theme",
        columns=("People", "Share of respondents", "Negative", "Neutral", "Positive", "Change since the last round"),
        rows=rows,
        threshold=threshold,
        description=f"Found by the analysis workers. A theme, a word or a number about it is shown only when at least "
        f"{threshold} different people wrote about it; comments themselves are never shown. Negative, neutral and "
        f"positive are shares of those people, by the tone of what they wrote on the theme.",
        chart=ChartKind.BAR,
        charted=1,
        notice=notice,
    )


def _theme_share(data: RoundData, key: str, filters: tuple[Filter, ...]) -> Figure | None:
    """The share of a round's respondents who wrote about a theme; None where the round cannot say."""
    if key not in {theme.key for theme in data.themes}:
        return None
    try:
        people = _table(data.engine, Query(theme_people(key), filters=filters))
        everyone = _table(data.engine, Query(Measure.count(), filters=filters), comment_groups=True)
    except FilterRefused:
        return None
    if people is None or everyone is None:
        return None
    return formatting.ratio_figure(people.total, everyone.total, data.round.comment_threshold)


# --- heatmaps -------------------------------------------------------------------------------


def questions_heatmap(data: RoundData, options: Options) -> Section:
    rows = []
    columns: tuple[str, ...] = ()
    for question in data.questions:
        headline = question_headline(question)
        if headline is None:
            continue
        table = _table(data.engine, Query(headline.measure, rows=options.by, filters=options.filters))
        if table is None:
            continue
        columns = tuple(formatting.value_label(value) for value in table.row_values)
        figures = tuple(
            formatting.measure_figure(table.cell(value), headline.measure, table.threshold, shaded=True)
            for value in table.row_values
        )
        rows.append(Row(label=question.text, figures=figures, note=headline.label))
    return Section(
        slug="heatmap-questions",
        title=f"Questions by {data.labels.get(options.by, options.by).lower()}",
        row_header="Question",
        columns=columns,
        rows=tuple(rows),
        threshold=data.round.k,
        description="Each cell: the question's headline result in that group (the NPS, or the share answering "
        "at the top of the scale). Darker is higher.",
        chart=ChartKind.HEATMAP,
    )


def themes_heatmap(data: RoundData, options: Options) -> Section:
    threshold = data.round.comment_threshold
    notice = _comments_refusal(data, options.filters)
    everyone = _table(
        data.engine, Query(Measure.count(), rows=options.by, filters=options.filters), comment_groups=True
    )
    rows = []
    for theme in data.themes if not notice else ():
        table = _table(data.engine, Query(theme_people(theme.key), rows=options.by, filters=options.filters))
        if table is None or everyone is None:
            continue
        figures = tuple(
            formatting.ratio_figure(table.cell(value), everyone.cell(value), threshold, shaded=True)
            for value in table.row_values
        )
        rows.append(Row(label=theme.name, figures=figures))
    return Section(
        slug="heatmap-themes",
        title=f"Themes by {data.labels.get(options.by, options.by).lower()}",
        row_header="Theme",
        columns=tuple(formatting.value_label(value) for value in everyone.row_values) if everyone else (),
        rows=tuple(rows),
        threshold=threshold,
        description="Each cell: the share of the group's respondents who wrote about the theme. Darker is higher.",
        chart=ChartKind.HEATMAP,
        notice=notice,
    )


# --- trends ---------------------------------------------------------------------------------


def trends_report(rounds: Sequence[RoundData]) -> Report:
    """Each indicator and each theme, round by round, oldest first (organisation level, no filters)."""
    titles = tuple(data.round.title for data in rounds)
    rows = [_indicator_trend(rounds, indicator) for indicator in INDICATOR_ORDER]
    rows = [row for row in rows if any(figure.value is not None for figure in row.figures)]
    names = {theme.key: theme.name for data in rounds for theme in data.themes}
    theme_rows = [
        Row(label=name, figures=tuple(_theme_share(data, key, ()) or Figure.blank() for data in rounds))
        for key, name in sorted(names.items(), key=lambda item: item[1])
    ]
    k = max((data.round.k for data in rounds), default=0)
    threshold = max((data.round.comment_threshold for data in rounds), default=0)
    nps = INDICATOR_LABELS[Question.Indicator.NPS]
    trend = {"columns": titles, "chart": ChartKind.LINE}
    sections = (
        Section(
            slug="trend-indicators",
            title="Indicators, round by round",
            row_header="Indicator",
            rows=tuple(row for row in rows if row.label != nps),
            threshold=k,
            description="Share of each round's respondents, in percent.",
            unit="%",
            **trend,
        ),
        Section(
            slug="trend-nps",
            title="AI net promoter score, round by round",
            row_header="Indicator",
            rows=tuple(row for row in rows if row.label == nps),
            threshold=k,
            description="Promoters minus detractors, from −100 to 100.",
            **trend,
        ),
        Section(
            slug="trend-themes",
            title="Themes, round by round",
            row_header="Theme",
            rows=tuple(theme_rows),
            threshold=threshold,
            description="Share of each round's respondents who wrote about the theme.",
            unit="%",
            **trend,
        ),
    )
    return Report(
        title="Trends across rounds",
        subtitle=f"{len(rounds)} rounds, oldest first.",
        k=k,
        comment_threshold=threshold,
        sections=tuple(section for section in sections if section.rows),
    )


def _indicator_trend(rounds: Sequence[RoundData], indicator: str) -> Row:
    figures = []
    for data in rounds:
        matches = [question for question in indicator_questions(data.questions) if question.indicator == indicator]
        figures.append(_headline_figure(data, matches[0], ()) if matches else Figure.blank())
    return Row(label=INDICATOR_LABELS[indicator], figures=tuple(figures))


# --- participation --------------------------------------------------------------------------


def participation_sections(participation, *, publication=None, labels: dict[str, str], k: int) -> list[Section]:
    """The overall count, and once the round is published the participation of each published group.

    The groups are the publication's (every one a union of whole k-anonymous leaves), so a group's invited and
    answered counts cover the same people as its results; ``other`` gathers the people not shown separately.
    """
    if participation is None:
        return []
    overall = Section(
        slug="participation",
        title="Participation",
        row_header="Group",
        columns=("Invited", "Answered", "Rate"),
        rows=(_participation_row("Everyone invited", participation),),
        threshold=k,
        description="Who answered is never recorded with what they answered; these are counts of invitations "
        "and submissions only. Participation by group is published with the results when the round closes.",
    )
    groups: dict[str, list] = {}
    for group in publication.participation[1:] if publication else ():
        groups.setdefault(group.attribute, []).append(group)
    by_attribute = [
        Section(
            slug=f"participation-{number}",
            title=f"Participation by {(labels.get(attribute) or attribute).lower()}",
            row_header=labels.get(attribute) or attribute,
            columns=("Invited", "Answered", "Rate"),
            rows=tuple(_participation_row(formatting.value_label(group.value), group) for group in rows),
            threshold=k,
        )
        for number, (attribute, rows) in enumerate(groups.items(), start=1)
    ]
    return [overall, *by_attribute]


def _participation_row(label: str, group) -> Row:
    rate = Figure(text=f"{group.rate}%", value=group.rate / 100) if group.rate is not None else Figure.blank()
    return Row(
        label=label,
        figures=(
            Figure(text=str(group.invited), value=float(group.invited), count=group.invited),
            Figure(text=str(group.submitted), value=float(group.submitted), count=group.submitted),
            rate,
        ),
    )


# --- always-open feedback -------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodData:
    period: str
    themes: list
    engine: Publication | None


def open_feedback_report(months: Sequence[PeriodData], *, threshold: int) -> Report:
    """The newest month's themes, and every theme month by month (oldest first)."""
    latest = months[-1] if months else None
    rows = []
    for theme in latest.themes if latest else ():
        share = _period_theme_share(latest, theme.key, threshold)
        sentiments = [
            formatting.measure_figure(table.total, option.measure, threshold) if table else Figure.blank()
            for option in theme_sentiments(theme.key)
            for table in [_table(latest.engine, Query(option.measure))]
        ]
        rows.append(
            Row(
                label=theme.name, figures=(formatting.people_of(share), share, *sentiments), note=", ".join(theme.terms)
            )
        )
    names = {theme.key: theme.name for month in months for theme in month.themes}
    trend_rows = [
        Row(label=name, figures=tuple(_period_theme_share(month, key, threshold) for month in months))
        for key, name in sorted(names.items(), key=lambda item: item[1])
    ]
    sections = (
        Section(
            slug="open-themes",
            title=f"Themes of {formatting.month_name(latest.period)}" if latest else "Themes",
            row_header="Theme",
            columns=("Comments", "Share of comments", "Negative", "Neutral", "Positive"),
            rows=tuple(rows),
            threshold=threshold,
            description="Always-open comments are not linked to each other, so one person may have written several; "
            f"every number here therefore needs at least {threshold} comments.",
            chart=ChartKind.BAR,
            charted=1,
        ),
        Section(
            slug="open-trend",
            title="Themes, month by month",
            row_header="Theme",
            columns=tuple(formatting.month_name(month.period) for month in months),
            rows=tuple(trend_rows),
            threshold=threshold,
            description="Share of each month's comments that fall in the theme.",
            chart=ChartKind.LINE,
            unit="%",
        ),
    )
    return Report(
        title="Always-open feedback",
        subtitle=f"{len(months)} months of published comments.",
        k=threshold,
        comment_threshold=threshold,
        sections=tuple(section for section in sections if section.rows),
    )


def _period_theme_share(month: PeriodData, key: str, threshold: int) -> Figure:
    if key not in {theme.key for theme in month.themes}:
        return Figure.blank()
    people = _table(month.engine, Query(theme_people(key)))
    everyone = _table(month.engine, Query(Measure.count()), comment_groups=True)
    if people is None or everyone is None:
        return Figure.blank()
    return formatting.ratio_figure(people.total, everyone.total, threshold)
