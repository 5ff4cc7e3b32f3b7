"""The static HTML report, rendered in Debian's headless Chromium (driven by Playwright, no browser
download) as a reader would open it, on a wide screen and on a phone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dhr_etl.settings import SAMPLE_LIBRARY_DIR
from dhr_etl.warehouse.views import materialised_table
from tests.conftest import NightlyRun, query

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (1400, 360)


@pytest.fixture
def built(nightly_sample: NightlyRun) -> tuple[Path, Path]:
    """(report, warehouse) of the session's nightly run on the bundled sample (read only here)."""
    (materialization,) = nightly_sample.result.asset_materializations_for_node("report")
    return Path(materialization.metadata["report"].value), nightly_sample.warehouse


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root on Debian)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def open_page(browser, path: Path, width: int):  # noqa: ANN001, ANN201 - Playwright's Browser and Page
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.requests = requests
    return page


# Elements that stick out past the right edge of the viewport, other than the contents of a box
# that scrolls sideways on its own and itself fits (a wide table in its scrolling wrapper).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsItself = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    let box = el.parentElement, inScroller = false;
    for (; box && box !== document.body; box = box.parentElement) if (scrollsItself(box)) { inScroller = true; break; }
    const r = el.getBoundingClientRect();
    if (!inScroller && r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) out.push(el.tagName + ' ' + r.left + '..' + r.right);
  }
  return out;
}"""

# For every chart: its visible title (the figcaption of the figure holding it) and its data table.
CHARTS = """() => [...document.querySelectorAll('svg')].map((svg) => {
  const figure = svg.closest('figure');
  const caption = figure && figure.querySelector(':scope > figcaption');
  const box = caption ? caption.getBoundingClientRect() : {width: 0, height: 0};
  const table = document.getElementById(svg.getAttribute('aria-details') || '');
  const svgBox = svg.getBoundingClientRect();
  return {caption: caption ? caption.innerText.trim() : '', captionArea: box.width * box.height,
          captionShown: caption ? getComputedStyle(caption).visibility === 'visible' : false,
          table: table ? table.tagName : '', tableRows: table ? table.tBodies[0].rows.length : 0,
          tableInFigure: !!(table && svg.closest('figure.chart') && svg.closest('figure.chart').contains(table)),
          svgWidth: svgBox.width, viewBox: svg.getAttribute('viewBox')};
})"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_fits_the_screen_and_every_chart_has_a_visible_title_and_a_table(
        built: tuple[Path, Path], browser, width: int, tmp_path: Path) -> None:  # noqa: ANN001
    report, _ = built
    page = open_page(browser, report, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(OVERFLOWING) == []
    charts = page.evaluate(CHARTS)
    assert len(charts) >= 3
    for chart in charts:
        assert chart["caption"] and chart["captionArea"] > 0 and chart["captionShown"], chart
        assert chart["table"] == "TABLE" and chart["tableRows"] > 0 and chart["tableInFigure"], chart
        assert chart["viewBox"] and 0 < chart["svgWidth"] <= width, chart
    # Nothing fetched but the file itself: no fonts, images or scripts from anywhere.
    assert page.requests == [report.as_uri()]
    page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
    assert (tmp_path / f"report-{width}.png").stat().st_size > 20_000  # a drawn page, not a blank one
    page.close()


def test_report_shows_the_warehouse_figures(built: tuple[Path, Path], browser) -> None:  # noqa: ANN001
    report, db = built
    page = open_page(browser, report, 1400)
    text = " ".join(page.inner_text("main").split())
    (reviews, recommendations) = query(db, "SELECT COUNT(*), SUM(recommendations) FROM v_reviews")[0]
    top_body = query(db, "SELECT agency_name FROM v_agency_summary ORDER BY recommendations DESC, agency_name LIMIT 1")[0][0]
    top_repeat, agreement = query(db, "SELECT representative_text, agreement FROM v_repeated_recommendations "
                                      "ORDER BY reviews DESC, size DESC, representative_text LIMIT 1")[0]
    for heading in ("Recommendations by sector addressed", "Recommendations by theme", "Most addressed bodies",
                    "Most repeated recommendations", "Data quality"):
        assert heading in text
    assert f"reviews {reviews}" in text and f"recommendations {recommendations}" in text
    assert top_body in text and " ".join(top_repeat.split()) in text
    repeat_row = page.locator("table", has_text="Most repeated recommendations").locator("tbody tr").first
    assert repeat_row.locator("td").last.inner_text() == f"{agreement:.2f}"  # the group's agreement, beside its text
    assert "<script" not in report.read_text(encoding="utf-8")
    page.close()


def test_year_charts_cover_every_year_on_one_scale(built: tuple[Path, Path], browser) -> None:  # noqa: ANN001
    report, db = built
    rows = query(db, "SELECT agency_sector, published_year, recommendations FROM v_sector_year_summary "
                     "WHERE published_year IS NOT NULL")
    first, last = min(r[1] for r in rows), max(r[1] for r in rows)
    page = open_page(browser, report, 1400)
    figure = page.locator("figure.chart", has=page.locator("#recommendations-by-sector-addressed-table"))
    # Every year from the first to the last, not only the latest three, in the table and in every panel.
    headers = figure.locator("thead th").all_inner_texts()
    assert headers[1:-1] == [str(year) for year in range(first, last + 1)]
    panels = figure.locator("figure.panel")
    assert panels.count() == len({r[0] for r in rows})
    # One scale: each column's drawn height divided by the count it stands for is the same everywhere.
    ratios = []
    counts = {(sector, year): n for sector, year, n in rows}
    for i in range(panels.count()):
        panel = panels.nth(i)
        sector = panel.locator("figcaption").inner_text().rsplit(" (", 1)[0]
        heights = panel.locator("rect.bar").evaluate_all("rects => rects.map(r => r.getBoundingClientRect().height)")
        drawn = [n for (s, _), n in sorted(counts.items(), key=lambda item: item[0][1]) if s == sector and n]
        assert len(heights) == len(drawn), sector
        ratios += [height / n for height, n in zip(heights, drawn, strict=True) if n >= 3]  # 1 and 2 round coarsely
    assert len(ratios) >= 5
    assert max(ratios) / min(ratios) < 1.05, ratios
    page.close()


def test_the_bundled_sample_is_called_synthetic(built: tuple[Path, Path], browser) -> None:  # noqa: ANN001
    report, _ = built
    pages = sorted(SAMPLE_LIBRARY_DIR.glob("*.html"))
    synthetic = [p for p in pages if "synthetic sample, not a real review" in p.read_text(encoding="utf-8")]
    assert 0 < len(synthetic) < len(pages)  # the sample is mostly synthetic, with one real page
    page = open_page(browser, report, 360)
    note = page.get_by_role("note").filter(has_text="synthetic")
    assert note.count() == 1 and note.is_visible()
    assert f"{len(synthetic)} of {len(pages)} reviews here are synthetic" in note.inner_text()
    page.close()


def test_stale_and_failed_pages_are_called_partial(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, db = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(db, copy)
    with duckdb.connect(str(copy)) as con:
        # What the loader writes when a page failed and its last good copy is shown, and when a
        # page failed with no earlier copy (dhr_etl/parse/library.py, dhr_etl/transform/quality.py).
        # The views read tables materialised from the star when the version was built: both change.
        for table in ("dim_review", materialised_table("v_reviews")):
            con.execute(f"UPDATE {table} SET status = 'stale' WHERE review_id = '5687823a-leeds'")
        for table in ("data_quality_finding", materialised_table("v_data_quality")):
            con.execute(f"INSERT INTO {table} (review_id, finding, severity) VALUES ('6a000000-nowhere', "
                        "'page failed on 2026-11-01 and has no earlier good copy: HTTP 500', 'error')")
    html = render(copy)
    assert "The data are partial" in html
    assert "1 review page(s) could not be fetched or parsed this time and are shown from their last good copy" in html
    assert "1 page(s) failed and have no earlier good copy, so they are missing from every figure" in html
    assert "The data are partial" not in render(db)


def render(db: Path, hash_seed: str = "0") -> str:
    """The report of the warehouse at ``db``, rendered by a separate Python process."""
    code = ("import sys, duckdb; from dhr_etl.report import render_report; "
            "con = duckdb.connect(sys.argv[1], read_only=True); "
            "sys.stdout.buffer.write(render_report(lambda sql: con.execute(sql).fetchall()).encode())")
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONHASHSEED": hash_seed})
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode("utf-8")


def test_the_same_warehouse_version_gives_the_same_bytes(built: tuple[Path, Path]) -> None:
    report, db = built
    # Separate processes with different hash seeds: an id from hash() or a clock would differ.
    first, second = render(db, "1"), render(db, "2")
    assert first == second == report.read_text(encoding="utf-8")
    (run_id, built_at) = query(db, "SELECT run_id, built_at FROM warehouse_version")[0]
    assert f'content="{run_id}"' in first
    built_day = re.match(r"(\d{4})-(\d{2})-(\d{2})", built_at)
    assert built_day is not None and built_day.group(1) in first
