"""The static HTML report, rendered in headless Chromium as a reader would open it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NightlyRun, query

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def report_path(nightly_sample: NightlyRun) -> Path:
    (materialization,) = nightly_sample.result.asset_materializations_for_node("report")
    return Path(materialization.metadata["report"].value)


def chromium(*args: str, profile: Path) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root on Debian)")
    done = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def visible_text(dom: str) -> str:
    body = re.sub(r"<(style|title|desc)[^>]*>.*?</\1>", " ", dom, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_report_renders_offline_with_the_warehouse_figures(report_path: Path, nightly_sample: NightlyRun,
                                                           tmp_path: Path) -> None:
    dom = chromium("--dump-dom", report_path.as_uri(), profile=tmp_path / "profile")
    text = visible_text(dom)
    db = nightly_sample.warehouse
    (reviews, recommendations) = query(db, "SELECT COUNT(*), SUM(recommendations) FROM v_reviews")[0]
    top_body = query(db, "SELECT agency_name FROM v_agency_summary ORDER BY recommendations DESC, agency_name LIMIT 1")[0][0]
    top_repeat = query(db, "SELECT representative_text FROM v_repeated_recommendations "
                           "ORDER BY reviews DESC, size DESC LIMIT 1")[0][0]
    for heading in ("Recommendations by sector addressed", "Recommendations by theme", "Most addressed bodies",
                    "Most repeated recommendations", "Data quality"):
        assert heading in text
    assert f"reviews {reviews}" in text and f"recommendations {recommendations}" in text
    assert top_body in text and top_repeat in text
    assert "<script" not in dom and "http" not in re.sub(r"file://\S+", "", dom.split("<main>")[1])  # nothing fetched


def test_report_charts_are_labelled_for_screen_readers_and_the_page_draws(report_path: Path, tmp_path: Path) -> None:
    html = report_path.read_text(encoding="utf-8")
    assert 'lang="en-GB"' in html
    charts = re.findall(r"<svg[^>]*role=\"img\"[^>]*>\s*<title[^>]*>[^<]+</title>\s*<desc[^>]*>[^<]+</desc>", html)
    assert len(charts) == html.count("<svg") >= 3
    assert html.count("<caption>") >= 5
    screenshot = tmp_path / "report.png"
    chromium("--window-size=1200,1600", f"--screenshot={screenshot}", report_path.as_uri(), profile=tmp_path / "p2")
    assert screenshot.stat().st_size > 20_000  # a drawn page, not a blank one
