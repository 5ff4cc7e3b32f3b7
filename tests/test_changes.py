"""A quiet check starts no run; anything the check cannot vouch for does; the sensor that asks
never waits for the site."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import dagster as dg
import pytest

from dhr_etl.changes import ChangeCheck, Verdict, check_for_changes, last_published, night_of, run_key
from dhr_etl.defs.source_changes import source_changes_sensor
from dhr_etl.sample.site import Fault, LibrarySite
from dhr_etl.settings import SettingsError, load_settings
from tests.conftest import REFERENCE_ID, page_requests, query, run_nightly, throwaway_instance

pytestmark = pytest.mark.usefixtures("fast_crawl")


@pytest.fixture
def site_source(sample_site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> LibrarySite:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    return sample_site


def evaluate(sensor: dg.SensorDefinition, instance: dg.DagsterInstance):
    """One tick of the sensor, as the daemon evaluates it; (its result, seconds it took)."""
    started = time.monotonic()
    tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
    return tick, time.monotonic() - started


def test_before_any_published_version_there_is_always_something_to_do(site_source: LibrarySite) -> None:
    check = check_for_changes(load_settings())
    assert check.verdict is Verdict.CHANGED and "no record" in check.reason
    assert site_source.requests == []  # decided without asking the site


# A quiet night from the CLI (no run started, no page asked for, 304s, the warehouse untouched, the
# reason said) is checked in tests/test_cli.py, in one sequence of real processes with the summary.


def test_what_a_version_was_built_from_is_recorded_in_the_version_itself(site_source: LibrarySite,
                                                                          data_dir: Path) -> None:
    result = run_nightly()
    assert result.success
    (row,) = query(data_dir / "warehouse.duckdb", "SELECT run_id, source, listed_pages, undated_pages, failed_pages, "
                                                   "length(pages_digest), length(code_digest) FROM warehouse_version")
    assert row == (result.run_id, site_source.base_url, len(site_source.pages), 0, 0, 64, 64)
    assert not (data_dir / "published_from.json").exists()  # no side file to fall out of step with it
    assert last_published(load_settings()).run_id == result.run_id


def test_a_quiet_check_notices_a_release_or_report_that_is_not_of_the_live_version(site_source: LibrarySite,
                                                                                   data_dir: Path) -> None:
    from dhr_etl.published import write_outputs

    assert run_nightly().success
    settings = load_settings()
    assert not check_for_changes(settings).outputs_stale
    (data_dir / "release").unlink()  # as if the run had stopped between publishing and writing the release
    check = check_for_changes(settings)
    assert check.verdict is Verdict.QUIET and check.outputs_stale
    write_outputs(settings)
    assert not check_for_changes(settings).outputs_stale


@pytest.mark.slow  # a full run against a PostgreSQL cluster
def test_the_record_and_the_check_work_the_same_on_postgresql(site_source: LibrarySite, postgres_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHR_WAREHOUSE_URL", postgres_url)
    settings = load_settings()
    assert check_for_changes(settings).verdict is Verdict.CHANGED  # an empty database: no record
    result = run_nightly()
    assert result.success
    recorded = last_published(settings)
    assert (recorded.run_id, recorded.source, recorded.listed_pages) == (result.run_id, site_source.base_url,
                                                                         len(site_source.pages))
    assert check_for_changes(settings).verdict is Verdict.QUIET
    site_source.pages[REFERENCE_ID].last_modified += 60
    assert check_for_changes(settings).verdict is Verdict.CHANGED


def test_a_changed_page_a_failed_page_and_a_missing_warehouse_each_count_as_a_change(
        site_source: LibrarySite, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_nightly().success
    settings = load_settings()
    assert check_for_changes(settings).verdict is Verdict.QUIET

    site_source.pages[REFERENCE_ID].content += b"\n<!-- revised -->"
    site_source.pages[REFERENCE_ID].last_modified += 60  # the sitemap dates the change
    check = check_for_changes(settings)
    assert check.verdict is Verdict.CHANGED and "new, changed or removed pages" in check.reason

    monkeypatch.setenv("DHR_MAX_WAIT_SECONDS", "0")
    site_source.pages[REFERENCE_ID].last_modified += 60
    site_source.faults[f"/sources/dhr/{REFERENCE_ID}/"] = Fault(status=500)
    assert run_nightly().success  # published, with the failed page's last good data
    check = check_for_changes(load_settings())
    assert check.verdict is Verdict.UNVOUCHED and "1 page(s) failed last time" in check.reason

    del site_source.faults[f"/sources/dhr/{REFERENCE_ID}/"]
    assert run_nightly().success
    assert check_for_changes(settings).verdict is Verdict.QUIET
    (data_dir / "warehouse.duckdb").unlink()
    check = check_for_changes(settings)
    assert check.verdict is Verdict.CHANGED and "no record of a published version" in check.reason


def test_the_sensor_starts_a_run_on_a_change_and_skips_a_quiet_check_with_the_reason(site_source: LibrarySite) -> None:
    sensor = source_changes_sensor(3600, "Europe/London")
    with throwaway_instance() as instance:
        first, _ = evaluate(sensor, instance)
        assert [r.tags["dhr_etl/why"] for r in first.run_requests] == [
            "no record of a published version yet (the live warehouse is missing, unreadable, or was built by an "
            "older dhr-etl)"]
        assert first.run_requests[0].asset_selection is None  # the whole nightly job
        assert run_nightly().success

        pages_before = len(page_requests(site_source))
        quiet, _ = evaluate(sensor, instance)
        assert quiet.run_requests == [] and "nothing changed since run" in quiet.skip_message
        assert len(page_requests(site_source)) == pages_before  # no review page asked for

        site_source.pages[REFERENCE_ID].content += b"\n<!-- revised -->"
        site_source.pages[REFERENCE_ID].last_modified += 60
        changed, _ = evaluate(sensor, instance)
        (request,) = changed.run_requests
        assert request.tags["dhr_etl/why"] == "the source lists new, changed or removed pages"
        again, _ = evaluate(sensor, instance)
        # The same change seen twice: the same run key, so Dagster starts one run for it, not one an hour.
        assert again.run_requests[0].run_key == request.run_key


def test_the_sensor_neither_waits_for_a_site_asking_it_to_nor_hangs_on_one_that_does_not_answer(
        site_source: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_nightly().success
    monkeypatch.setenv("DHR_TIMEOUT_SECONDS", "300")  # each request may take minutes: only the budget stops it
    with throwaway_instance() as instance:
        site_source.faults["/sitemap.xml"] = Fault(status=429, retry_after="3600")
        asked_to_wait, seconds = evaluate(source_changes_sensor(3600, "Europe/London"), instance)
        assert seconds < 20  # not the hour asked for, nor the run's 600 s budget for waiting
        (request,) = asked_to_wait.run_requests  # the run crawls politely, waiting as the site asks
        assert "/sitemap.xml gave HTTP 429, and the check does not wait to retry" in request.tags["dhr_etl/why"]
        assert "the run crawls politely instead" in request.tags["dhr_etl/why"]
        assert [r.status for r in site_source.requests_to("/sitemap.xml")][-1:] == [429]
        assert len(site_source.requests_to("/sitemap.xml")) == 2  # one by the run, one by the check: no retry

        site_source.faults["/sitemap.xml"] = Fault(status=200, delay_seconds=3600)  # accepts, never answers
        hanging, seconds = evaluate(source_changes_sensor(3600, "Europe/London", budget_seconds=3), instance)
        assert seconds < 20  # the budget, not DHR_TIMEOUT_SECONDS (300 s) or the daemon's 60 s timeout
        (request,) = hanging.run_requests
        assert "did not finish answering the check within 3 s" in request.tags["dhr_etl/why"]


def test_a_postgresql_warehouse_that_never_answers_cannot_hang_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from dhr_etl.changes import WAREHOUSE_TIMEOUT_SECONDS

    with socket.create_server(("127.0.0.1", 0)) as silent:  # connections queue; nothing ever answers
        monkeypatch.setenv("DHR_WAREHOUSE_URL", f"postgresql://etl@127.0.0.1:{silent.getsockname()[1]}/dhr")
        started = time.monotonic()
        check = check_for_changes(load_settings())
        seconds = time.monotonic() - started
    assert check.verdict is Verdict.CHANGED and "no record" in check.reason
    assert seconds < WAREHOUSE_TIMEOUT_SECONDS + 10  # not forever: libpq waits without limit by default


def test_the_sensor_checks_nothing_while_a_run_is_in_progress(site_source: LibrarySite) -> None:
    from dagster._core.test_utils import create_run_for_test

    with throwaway_instance() as instance:
        run = create_run_for_test(instance, job_name="nightly", status=dg.DagsterRunStatus.STARTED)
        tick, _ = evaluate(source_changes_sensor(3600, "Europe/London"), instance)
        assert tick.run_requests == [] and f"run {run.run_id[:8]} is in progress" in tick.skip_message
    assert site_source.requests == []


def test_retries_no_change_calls_for_start_at_most_one_run_a_night_beginning_at_two() -> None:
    london = "Europe/London"
    assert night_of(dt.datetime(2026, 11, 28, 1, 59, tzinfo=dt.timezone.utc), london) == "2026-11-27"
    assert night_of(dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.timezone.utc), london) == "2026-11-28"
    assert night_of(dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.timezone.utc), london) == "2026-07-01"  # 02:00 BST
    failed = ChangeCheck(Verdict.UNVOUCHED, "1 page(s) failed last time and are tried again", seen="a" * 64)
    after_a_new_version = ChangeCheck(Verdict.UNVOUCHED, "1 page(s) failed last time and are tried again",
                                      seen="b" * 64)
    assert run_key(failed, "2026-11-27") == run_key(after_a_new_version, "2026-11-27")  # not once an hour
    assert run_key(failed, "2026-11-27") != run_key(failed, "2026-11-28")
    undecided = ChangeCheck(Verdict.UNDECIDED, "the check could not finish")
    assert run_key(undecided, "2026-11-27") != run_key(failed, "2026-11-27")
    change, other_change = (ChangeCheck(Verdict.CHANGED, "new pages", seen=s * 64) for s in "cd")
    assert run_key(change, "2026-11-27") != run_key(other_change, "2026-11-27")


def test_how_often_the_sensor_checks_is_set_by_dhr_check_every(monkeypatch: pytest.MonkeyPatch) -> None:
    from dhr_etl import definitions

    assert definitions.defs.resolve_sensor_def("source_changes").minimum_interval_seconds == 3600  # default 1h
    assert load_settings({"DHR_CHECK_EVERY": "30m"}).check_every_seconds == 1800
    assert load_settings({"DHR_CHECK_EVERY": "6H"}).check_every_seconds == 6 * 3600
    for value, problem in (("1d", "is not a number of minutes or hours"), ("2m", "is out of range"),
                           ("25h", "is out of range")):
        with pytest.raises(SettingsError) as caught:
            load_settings({"DHR_CHECK_EVERY": value})
        assert str(caught.value) == (f"DHR_CHECK_EVERY={value!r} {problem}; accepted: a whole number of minutes or "
                                     "hours from 5m to 24h, such as 30m or 1h.")
