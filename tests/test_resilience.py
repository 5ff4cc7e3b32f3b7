"""Nothing lost: failed fetches, withdrawn pages, quiet nights and killed runs."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dhr_etl.sample.site import Fault, LibrarySite
from tests.conftest import REFERENCE_ID, page_requests, query, run_nightly

pytestmark = pytest.mark.usefixtures("fast_crawl")


@pytest.fixture
def site_source(sample_site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> LibrarySite:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    return sample_site


def metadata(result, node: str, key: str):
    for materialization in result.asset_materializations_for_node(node):
        if key in materialization.metadata:
            return materialization.metadata[key].value
    raise KeyError(key)


@pytest.mark.slow  # two full runs
def test_a_night_with_no_change_downloads_no_page_and_parses_nothing(site_source: LibrarySite) -> None:
    assert run_nightly().success
    before = len(page_requests(site_source))
    first_run_requests = len(site_source.requests)
    second = run_nightly()
    assert second.success
    assert len(page_requests(site_source)) == before  # sitemap lastmod: not even a conditional request
    discovery = [r for r in site_source.requests[first_run_requests:] if r.path != "/robots.txt"]
    assert discovery and all(r.status == 304 for r in discovery)  # sitemaps and listings unchanged: 304s
    assert sum(r.bytes_sent for r in site_source.requests[first_run_requests:]) < 200  # robots.txt only
    fetch = metadata(second, "review_pages", "fetch")
    assert fetch["fetched (200)"] == 0 and fetch["page_body_bytes"] == 0
    assert fetch["skipped by sitemap lastmod"] == 12
    assert metadata(second, "parsed_pages", "pages_parsed") == 0
    assert metadata(second, "parsed_pages", "parse_cache_hits") == 12


@pytest.mark.slow  # two full runs
def test_a_page_that_fails_to_fetch_keeps_its_last_good_data(site_source: LibrarySite, data_dir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_nightly().success
    monkeypatch.setenv("DHR_MAX_WAIT_SECONDS", "0")  # fail fast instead of backing off
    site_source.pages[REFERENCE_ID].last_modified += 60  # the sitemap now says it changed …
    site_source.faults[f"/sources/dhr/{REFERENCE_ID}/"] = Fault(status=500)  # … but it cannot be fetched
    result = run_nightly()
    assert result.success
    db = data_dir / "warehouse.duckdb"
    assert query(db, f"SELECT recommendations, status FROM v_reviews WHERE review_id = '{REFERENCE_ID}'") == [(54, "stale")]
    (finding,) = query(db, f"SELECT finding FROM v_data_quality WHERE review_id = '{REFERENCE_ID}' "
                           "AND finding LIKE 'page failed to fetch%'")[0]
    assert "HTTP 500" in finding and "showing data from" in finding


@pytest.mark.slow  # two full runs
def test_a_page_that_disappears_is_marked_withdrawn_not_deleted(site_source: LibrarySite, data_dir: Path) -> None:
    assert run_nightly().success
    site_source.remove_page(REFERENCE_ID)
    assert run_nightly().success
    db = data_dir / "warehouse.duckdb"
    assert query(db, f"SELECT status, recommendations FROM v_reviews WHERE review_id = '{REFERENCE_ID}'") == [("withdrawn", 54)]
    findings = [f for (f,) in query(db, f"SELECT finding FROM v_data_quality WHERE review_id = '{REFERENCE_ID}'")]
    assert any(f.startswith("no longer listed by the source") for f in findings)


def _blobs_are_intact(landing: Path) -> bool:
    return all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name
               for p in (landing / "blobs").rglob("*") if p.is_file() and not p.name.startswith("."))


@pytest.mark.slow  # real processes, one killed
def test_a_run_killed_mid_fetch_leaves_everything_consistent_and_the_next_run_picks_up(
        after_a_first_run: LibrarySite, data_dir: Path, tmp_path: Path) -> None:
    site_source = after_a_first_run
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    cli = [sys.executable, "-m", "dhr_etl.cli", "run"]
    db = data_dir / "warehouse.duckdb"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    logs_before = sorted((data_dir / "landing" / "fetches").glob("*.jsonl"))

    for page in site_source.pages.values():  # every page changed, and the site has become slow
        page.content += b"\n<!-- revised -->"
        page.last_modified += 60
    site_source.latency_seconds = 0.5
    asked_before = len(page_requests(site_source))
    process = subprocess.Popen(cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(page_requests(site_source)) < asked_before + 3:
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert len(page_requests(site_source)) < asked_before + 12, "the run finished before it could be killed"

    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted((data_dir / "landing" / "fetches").glob("*.jsonl")) == logs_before  # no half-written log
    assert _blobs_are_intact(data_dir / "landing")

    site_source.latency_seconds = 0.0
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert query(db, "SELECT COUNT(*) FROM v_reviews WHERE status = 'current'") == [(12,)]
    assert hashlib.sha256(db.read_bytes()).hexdigest() != before
