"""The report charts: Chart.js from the lock file, served from our static files, drawn by static/js/charts.js."""

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.utils.html import json_script

from reports.presentation import ChartKind, Figure, Row, Section

ROOT = Path(settings.BASE_DIR)
CHART_JS_VERSION = "4.6.1"
REBUILD = "run `make static/vendor/chart.umd.min.js`"
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") == "1"


def _lock() -> dict:
    return json.loads((ROOT / "package-lock.json").read_text())


def test_chart_js_is_served_from_our_own_static_files():
    found = finders.find("vendor/chart.umd.min.js")

    assert found, f"static/vendor/chart.umd.min.js is missing: {REBUILD}"
    assert f"Chart.js v{CHART_JS_VERSION}" in Path(found).read_text()[:200], f"an old copy of Chart.js: {REBUILD}"
    assert finders.find("vendor/chart.js.LICENSE.md"), "Chart.js's licence must be shipped beside it"


def test_collectstatic_with_hashed_names_accepts_the_vendor_files(tmp_path):
    """Production's manifest storage follows the source map that chart.umd.min.js names: it must be there."""
    manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": manifest}):
        call_command("collectstatic", interactive=False, verbosity=0)

    assert "vendor/chart.umd.min.js" in json.loads((tmp_path / "staticfiles.json").read_text())["paths"]


def test_package_json_pins_exact_versions():
    package = json.loads((ROOT / "package.json").read_text())
    pins = {**package["dependencies"], **package["devDependencies"]}

    assert pins["chart.js"] == CHART_JS_VERSION
    assert re.fullmatch(r"4\.\d+\.\d+", pins["axe-core"])
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pins.values()), pins


def test_the_lock_file_pins_chart_js_and_takes_every_package_from_the_registry():
    packages = {path: entry for path, entry in _lock()["packages"].items() if path}

    assert packages["node_modules/chart.js"]["version"] == CHART_JS_VERSION
    for path, entry in packages.items():
        assert entry["integrity"].startswith("sha512-"), path
        assert not entry.get("link"), path
        # npm leaves `resolved` out for registry packages when told to (omit-lockfile-registry-resolved); a git,
        # file or other tarball source would always be written down, and never in the registry's tarball form.
        if "resolved" in entry:
            url = urlparse(entry["resolved"])
            name = path.rpartition("node_modules/")[2]
            tarball = f"/{name}/-/{name.rpartition('/')[2]}-{entry['version']}.tgz"
            assert (url.scheme, url.path) == ("https", tarball), entry["resolved"]


def test_the_image_builds_the_vendor_files_from_the_lock_file_before_collectstatic():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM node:20-slim AS assets" in dockerfile
    assert "npm ci" in dockerfile
    assert dockerfile.index("COPY --from=assets") < dockerfile.index("collectstatic")


@pytest.mark.parametrize("template", sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")), ids=str)
def test_templates_load_scripts_and_stylesheets_from_our_own_static_files(template):
    html = template.read_text()
    sources = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]*)", html, re.IGNORECASE)
    sources += re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]*)", html, re.IGNORECASE)

    assert not [source for source in sources if re.match(r"(https?:)?//", source, re.IGNORECASE)]


# --- charts.js in a real browser ----------------------------------------------------------------------------


def _browser_missing() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian package chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install playwright)"
    return ""


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright; skipped without them unless REQUIRE_BROWSER=1."""
    missing = _browser_missing()
    if missing and REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
    if missing:
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Function-scoped on purpose: Playwright's event loop must not outlive the test, or Django's ORM refuses
    # to run in the tests after it.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


def _section(slug: str, kind: ChartKind, columns: tuple[str, ...], rows: tuple[Row, ...]) -> Section:
    return Section(slug, slug.title(), "Group", columns, rows, threshold=5, chart=kind, unit="%")


def _percent(value: float) -> Figure:
    return Figure(text=f"{value:.0f}%", value=value, count=40)


HIDDEN = Figure.hidden(5)
SECTIONS = (
    _section(
        "headline",
        ChartKind.BAR,
        ("Share",),
        (
            Row("Use AI tools weekly", (_percent(72),)),
            Row("Feel pressure to use them", (_percent(58),)),
            Row("Trust the token dashboard", (HIDDEN,)),
        ),
    ),
    _section(
        "agreement",
        ChartKind.STACKED,
        ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"),
        (
            Row("Sales", tuple(_percent(value) for value in (10, 20, 30, 25, 15))),
            Row("Finance", (HIDDEN,) * 5),
        ),
    ),
    _section(
        "trend",
        ChartKind.LINE,
        ("Spring round", "Summer round", "Autumn round"),
        (
            Row("Sales", (_percent(40), HIDDEN, _percent(55))),
            Row("Engineering", (_percent(61), _percent(64), _percent(70))),
        ),
    ),
)


def _figure_html(section: Section, data: dict | None = None) -> str:
    data = section.chart_data() if data is None else data
    return f"""
    <figure class="chart chart-with-table" data-chart-source="chart-{section.slug}">
      <figcaption>{section.title}</figcaption>
      <div class="chart__canvas"><canvas role="img" aria-label="{section.title}, as in the table"></canvas></div>
      <div class="chart__table"><table class="table"><tr><th>{section.row_header}</th></tr></table></div>
    </figure>
    {json_script(data, f"chart-{section.slug}")}"""


def _page(tmp_path: Path, figures: str, with_chart_js: bool = True) -> str:
    """A report-like page under the product's CSP, with the product's stylesheet and scripts beside it."""
    for source in ("static/vendor/chart.umd.min.js", "static/js/charts.js", "static/css/candor.css"):
        shutil.copy(ROOT / source, tmp_path)
    chart_js = '<script src="chart.umd.min.js" defer></script>' if with_chart_js else ""
    page = tmp_path / "report.html"
    page.write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'">
<link rel="stylesheet" href="candor.css"><title>Report</title></head>
<body><main class="wrap">{figures}</main>{chart_js}<script src="charts.js" defer></script></body></html>""")
    return page.as_uri()


def _charts_read(browser, url: str, **context) -> tuple[list, list]:
    """What each figure shows once the page has loaded, and every console error and uncaught exception."""
    page = browser.new_page(**context)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("load")
    charts = page.evaluate("""() => Array.from(document.querySelectorAll("figure.chart")).map((figure) => {
        const canvas = figure.querySelector("canvas");
        const chart = window.Chart ? Chart.getChart(canvas) : null;
        return {
            drawn: Boolean(chart),
            type: chart && chart.config.type,
            labels: chart ? chart.data.labels.concat(chart.data.datasets.map((dataset) => dataset.label)) : [],
            animation: chart ? chart.options.animation : null,
            spanGaps: chart ? chart.data.datasets.map((dataset) => dataset.spanGaps) : [],
            height: canvas.getBoundingClientRect().height,
            width: canvas.getBoundingClientRect().width,
            ariaLabel: canvas.getAttribute("aria-label"),
            role: canvas.getAttribute("role"),
            tableShown: figure.querySelector("table").getClientRects().length > 0,
        };
    })""")
    page.close()
    return charts, errors


def test_each_chart_is_drawn_on_a_phone_with_the_hidden_rows_marked(browser, tmp_path):
    url = _page(tmp_path, "".join(_figure_html(section) for section in SECTIONS))

    charts, errors = _charts_read(browser, url, viewport={"width": 390, "height": 844}, reduced_motion="reduce")
    bar, stacked, line = charts

    assert errors == []
    assert [chart["drawn"] for chart in charts] == [True, True, True]
    assert "Trust the token dashboard (fewer than 5)" in bar["labels"]
    assert "Finance (fewer than 5)" in stacked["labels"]
    assert "Sales (gaps: fewer than 5)" in line["labels"]
    assert line["spanGaps"] == [False, False]
    for chart in charts:
        assert chart["animation"] is False
        assert 0 < chart["width"] <= 390
        assert chart["height"] >= 200
        assert chart["role"] == "img"
        assert chart["ariaLabel"].endswith(", as in the table")
        assert chart["tableShown"]


def test_without_chart_js_the_tables_stay_and_nothing_fails(browser, tmp_path):
    url = _page(tmp_path, "".join(_figure_html(section) for section in SECTIONS), with_chart_js=False)

    charts, errors = _charts_read(browser, url)

    assert errors == []
    assert [(chart["drawn"], chart["tableShown"]) for chart in charts] == [(False, True)] * 3


def test_a_broken_or_unknown_chart_is_left_as_its_table_and_the_others_are_drawn(browser, tmp_path):
    headline, agreement, trend = SECTIONS
    broken = _figure_html(agreement).replace('{"kind"', '{"kind"::')
    unknown = _figure_html(trend, {**trend.chart_data(), "kind": "radar"})
    url = _page(tmp_path, _figure_html(headline) + broken + unknown)

    charts, errors = _charts_read(browser, url)

    assert errors == []
    assert [(chart["drawn"], chart["tableShown"]) for chart in charts] == [(True, True), (False, True), (False, True)]
