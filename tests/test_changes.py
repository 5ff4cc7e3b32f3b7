"""A quiet night starts no run; anything the check cannot vouch for does."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from dhr_etl.changes import check_for_changes, last_published
from dhr_etl.defs.schedule import nightly_schedule
from dhr_etl.sample.site import Fault, LibrarySite
from dhr_etl.settings import load_settings
from tests.conftest import REFERENCE_ID, page_requests, run_nightly

pytestmark = pytest.mark.usefixtures("fast_crawl")


@pytest.fixture
def site_source(sample_site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> LibrarySite:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    return sample_site


def test_before_any_published_version_there_is_always_something_to_do(site_source: LibrarySite) -> None:
    check = check_for_changes(load_settings())
    assert check.changed and "no record" in check.reason
    assert site_source.requests == []  # decided without asking the site


@pytest.mark.slow  # three runs in real processes
def test_a_quiet_night_from_the_cli_starts_no_run_and_says_why(site_source: LibrarySite, data_dir: Path,
                                                               tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    cli = [sys.executable, "-m", "dhr_etl.cli", "run"]
    first = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "succeeded" in first.stdout
    warehouse = data_dir / "warehouse.duckdb"
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    pages_before, requests_before = len(page_requests(site_source)), len(site_source.requests)

    quiet = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    recorded = last_published(load_settings())
    assert f"nothing changed since run {recorded.run_id[:8]}" in quiet.stdout
    assert "No run started" in quiet.stdout and "--force" in quiet.stdout
    assert "succeeded" not in quiet.stdout
    assert len(page_requests(site_source)) == pages_before  # no page asked for
    asked = [r for r in site_source.requests[requests_before:] if r.path != "/robots.txt"]
    assert asked and all(r.status == 304 for r in asked)  # sitemaps and listing, answered "not modified"
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before

    forced = subprocess.run([*cli, "--force"], env=env, capture_output=True, text=True, timeout=300)
    assert forced.returncode == 0, forced.stderr
    assert "succeeded" in forced.stdout
    assert last_published(load_settings()).run_id != recorded.run_id


def test_a_changed_page_a_failed_page_and_a_missing_warehouse_each_count_as_a_change(
        site_source: LibrarySite, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_nightly().success
    settings = load_settings()
    assert not check_for_changes(settings).changed

    site_source.pages[REFERENCE_ID].content += b"\n<!-- revised -->"
    site_source.pages[REFERENCE_ID].last_modified += 60  # the sitemap dates the change
    check = check_for_changes(settings)
    assert check.changed and "new, changed or removed pages" in check.reason

    monkeypatch.setenv("DHR_MAX_WAIT_SECONDS", "0")
    site_source.pages[REFERENCE_ID].last_modified += 60
    site_source.faults[f"/sources/dhr/{REFERENCE_ID}/"] = Fault(status=500)
    assert run_nightly().success  # published, with the failed page's last good data
    check = check_for_changes(load_settings())
    assert check.changed and "1 page(s) failed last time" in check.reason

    del site_source.faults[f"/sources/dhr/{REFERENCE_ID}/"]
    assert run_nightly().success
    assert not check_for_changes(settings).changed
    (data_dir / "warehouse.duckdb").unlink()
    check = check_for_changes(settings)
    assert check.changed and "live warehouse is missing" in check.reason


def test_the_schedule_skips_a_quiet_night_with_the_reason_on_its_tick(site_source: LibrarySite) -> None:
    schedule = nightly_schedule("Europe/London")
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance)
        first = schedule.evaluate_tick(context)
        assert [r.tags["dhr_etl/why"] for r in first.run_requests] == ["no record of a published version yet"]
        assert run_nightly().success
        quiet = schedule.evaluate_tick(context)
        assert quiet.run_requests == [] and "nothing changed since run" in quiet.skip_message
