"""Runs that collide, runs killed mid-build, a report left stale by a kill, failures as users see them.

Every run here is a real ``dhr-etl`` process (or a Dagster run in another process, as the UI starts
one) against a real DuckDB file and a library site on 127.0.0.1, made slow so that a second run
arrives while the first is still working.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from dhr_etl.sample.site import LibrarySite
from dhr_etl.settings import SAMPLE_LIBRARY_DIR
from dhr_etl.warehouse.views import VIEW_NAMES
from tests.conftest import environment_without_settings, page_requests, query

pytestmark = [pytest.mark.usefixtures("fast_crawl"), pytest.mark.slow]  # real dhr-etl processes

CLI = [sys.executable, "-m", "dhr_etl.cli"]
SAMPLE_REVIEWS = 12  # pages in the bundled sample library
EXIT_LOCKED = 3
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(sample_site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> LibrarySite:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    return sample_site


def environment(tmp_path: Path) -> dict[str, str]:
    """The test's DHR_* settings as they are now, and a fresh Dagster instance folder."""
    return {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=300, cwd=PROJECT)


def start_cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=PROJECT)


def slow_down(site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> None:
    """One request at a time, 0.4 s each: a run spends several seconds crawling the sample."""
    site.latency_seconds = 0.4
    monkeypatch.setenv("DHR_MAX_CONCURRENCY", "1")


def wait_for(condition, what: str, seconds: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def staged_files(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.glob("warehouse.duckdb.staged*"))


def runs_in(home: Path) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs())


def assert_whole_warehouse(db: Path) -> None:
    """Every view answers and the sample's reviews are all there."""
    assert query(db, "SELECT COUNT(*) FROM v_reviews WHERE status = 'current'") == [(SAMPLE_REVIEWS,)]
    assert query(db, "SELECT COUNT(*) FROM v_recommendations")[0][0] > 0
    for view in VIEW_NAMES:
        query(db, f"SELECT COUNT(*) FROM {view}")  # raises if the view is missing or broken


def succeeded_run_id(stdout: str) -> str:
    match = re.search(r"dhr-etl: run ([0-9a-f]{8}) succeeded", stdout)
    assert match, stdout
    return match.group(1)


def test_runs_started_while_one_runs_are_refused_naming_it_on_its_data_dir_or_its_dagster_home(
        site: LibrarySite, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """While one run crawls, two more start at once: one on the same data directory from another
    source (the folder of saved pages, as in the issue), one on another data directory sharing the
    fresh Dagster home. Asset values between steps live in the Dagster instance's folder, by asset
    key: without a lock there, one run published the other's staged file (or both failed creating
    the instance). Both are refused in one sentence naming the run; the first publishes alone."""
    slow_down(site, monkeypatch)
    env = environment(tmp_path)
    first = start_cli(["run", "--force"], {**env, "DHR_MAX_CONCURRENCY": "1"})
    wait_for(lambda: len(page_requests(site)) >= 2, "the first run to be fetching pages")
    other_data_dir = tmp_path / "other-data"
    same_data_dir = start_cli(["run", "--force", "--lock-wait", "1"], {**env, "DHR_SOURCE": str(SAMPLE_LIBRARY_DIR)})
    same_home = start_cli(["run", "--force", "--lock-wait", "1"], {**env, "DHR_DATA_DIR": str(other_data_dir)})
    refusals = {name: process.communicate(timeout=300) for name, process in
                (("same data dir", same_data_dir), ("same home", same_home))}
    first_out, first_err = first.communicate(timeout=300)

    assert first.returncode == 0, first_err
    run_id = succeeded_run_id(first_out)
    for name, process in (("same data dir", same_data_dir), ("same home", same_home)):
        _, stderr = refusals[name]
        assert process.returncode == EXIT_LOCKED, (name, stderr)
        sentence = stderr.strip()
        assert len(sentence.splitlines()) == 1, sentence
        assert f"run {run_id}" in sentence and f"pid {first.pid}" in sentence and "dhr-etl run" in sentence
        assert "Traceback" not in stderr
    assert str(tmp_path / "dagster_home") in refusals["same home"][1]

    db = data_dir / "warehouse.duckdb"
    assert_whole_warehouse(db)
    assert query(db, "SELECT run_id, source FROM warehouse_version")[0][0].startswith(run_id)
    assert query(db, "SELECT source FROM warehouse_version") == [(site.base_url,)]
    (recorded,) = query(db, "SELECT pages_digest, listed_pages FROM warehouse_version")  # what the next check compares
    assert recorded[0] and recorded[1] == SAMPLE_REVIEWS
    assert staged_files(data_dir) == []
    assert not (other_data_dir / "warehouse.duckdb").exists()
    # The refused runs started nothing: the instance (created fresh by the first) holds one run.
    assert [(r.run_id[:8], r.status) for r in runs_in(tmp_path / "dagster_home")] == [(run_id, dg.DagsterRunStatus.SUCCESS)]


def test_a_run_killed_mid_build_is_marked_failed_and_the_next_run_cleans_up_and_succeeds(
        after_a_first_run: LibrarySite, data_dir: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    db = data_dir / "warehouse.duckdb"
    before = sha(db)

    doomed = start_cli(["run", "--force"], env)
    wait_for(lambda: staged_files(data_dir) or doomed.poll() is not None, "the run to start building a version")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    left_behind = staged_files(data_dir)
    assert left_behind, "the killed run left no staged file: it was not killed mid-build"
    assert sha(db) == before
    home = tmp_path / "dagster_home"
    (killed,) = [r for r in runs_in(home) if r.status != dg.DagsterRunStatus.SUCCESS]
    assert killed.status == dg.DagsterRunStatus.STARTED  # what Dagster believes until told otherwise

    done = cli(["run", "--force"], env)
    assert done.returncode == 0, done.stderr
    assert staged_files(data_dir) == []
    assert_whole_warehouse(db)
    assert sha(db) != before
    statuses = {r.run_id: r.status for r in runs_in(home)}
    assert statuses[killed.run_id] == dg.DagsterRunStatus.FAILURE
    assert list(statuses.values()).count(dg.DagsterRunStatus.SUCCESS) == 2


def test_a_quiet_night_after_a_kill_marks_the_dead_run_failed_without_a_run(
        after_a_first_run: LibrarySite, data_dir: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    doomed = start_cli(["run", "--force"], env)
    wait_for(lambda: staged_files(data_dir) or doomed.poll() is not None, "the run to start building a version")
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    assert doomed.returncode == -signal.SIGKILL and staged_files(data_dir)
    home = tmp_path / "dagster_home"
    killed = next(r for r in runs_in(home) if r.status == dg.DagsterRunStatus.STARTED)

    quiet = cli(["run"], env)
    assert quiet.returncode == 0, quiet.stderr
    assert "No run started" in quiet.stdout
    assert f"run {killed.run_id[:8]}" in quiet.stdout and "FAILED" in quiet.stdout
    assert staged_files(data_dir) == []
    statuses = {r.run_id: r.status for r in runs_in(home)}
    assert len(statuses) == 2 and statuses[killed.run_id] == dg.DagsterRunStatus.FAILURE


UI_RUN = """
import json, dagster as dg
from dhr_etl.definitions import nightly_job_definition
from dhr_etl.defs.console import first_line_of_cause
instance = dg.DagsterInstance.get()
try:
    with dg.execute_job(dg.reconstructable(nightly_job_definition), instance=instance, raise_on_error=False,
                        run_config={"resources": {"run_lock": {"config": {"wait_seconds": 0.5}}}}):
        pass
except dg.DagsterResourceFunctionError:
    pass  # what failed is recorded with the run, where the UI shows it
(run,) = instance.get_runs(limit=1)
events = [record.dagster_event for record in instance.all_logs(run.run_id) if record.dagster_event]
print(json.dumps({"run_id": run.run_id, "status": run.status.value,
                  "errors": [first_line_of_cause(e.event_specific_data.error) for e in events
                             if getattr(e.event_specific_data, "error", None)],
                  "steps_started": [e.step_key for e in events if e.is_step_start]}))
"""


def test_a_ui_run_during_a_cli_run_fails_cleanly_without_touching_the_live_warehouse(
        after_a_first_run: LibrarySite, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    site = after_a_first_run
    env = environment(tmp_path)
    db = data_dir / "warehouse.duckdb"
    before = sha(db)
    slow_down(site, monkeypatch)
    for page in site.pages.values():  # changed pages: the CLI run has real work to do
        page.content += b"\n<!-- revised -->"
        page.last_modified += 60
    requests_before = len(page_requests(site))
    # A long request timeout: the site holds its answers while the UI run tries, so that the CLI run
    # is still mid-crawl however long a loaded machine takes to start the UI run's process.
    cli_run = start_cli(["run"], {**env, "DHR_MAX_CONCURRENCY": "1", "DHR_TIMEOUT_SECONDS": "150"})
    wait_for(lambda: len(page_requests(site)) >= requests_before + 2, "the CLI run to be fetching pages")
    site.hold()
    try:
        ui = subprocess.run([sys.executable, "-c", UI_RUN], env=env, capture_output=True, text=True, timeout=300,
                            cwd=PROJECT)
    finally:
        site.release()
    assert ui.returncode == 0, ui.stderr
    ui_run = json.loads(ui.stdout.strip().splitlines()[-1])
    assert cli_run.poll() is None, "the CLI run ended before the UI run tried: nothing was tested"
    assert ui_run["status"] == "FAILURE"
    assert ui_run["steps_started"] == []
    refusals = [error for error in ui_run["errors"] if "another run holds the lock" in error]
    assert refusals, ui_run["errors"]
    refusal = refusals[0]
    assert f"pid {cli_run.pid}" in refusal and "launched by dhr-etl run" in refusal
    assert sha(db) == before  # the CLI run has not published yet, and the UI run touched nothing

    out, err = cli_run.communicate(timeout=300)
    assert cli_run.returncode == 0, err
    run_id = succeeded_run_id(out)
    assert f"run {run_id}" in refusal
    assert_whole_warehouse(db)
    assert query(db, "SELECT run_id FROM warehouse_version")[0][0].startswith(run_id)
    statuses = {r.run_id: r.status for r in runs_in(tmp_path / "dagster_home")}
    assert statuses[ui_run["run_id"]] == dg.DagsterRunStatus.FAILURE  # not left STARTED


def test_a_report_left_stale_by_a_kill_after_publishing_is_rewritten_on_a_quiet_night(
        after_a_first_run: LibrarySite, data_dir: Path, tmp_path: Path) -> None:
    from dhr_etl.defs.source_changes import source_changes_sensor

    env = environment(tmp_path)
    report = data_dir / "report" / "index.html"
    older_report = report.read_bytes()
    assert cli(["run", "--force"], env).returncode == 0
    db = data_dir / "warehouse.duckdb"
    (live_run_id,) = query(db, "SELECT run_id FROM warehouse_version")[0]
    report.write_bytes(older_report)  # as if the second run had been killed between publish and report
    assert live_run_id.encode() not in report.read_bytes()

    with dg.instance_for_test() as instance:  # the sensor asks for the report alone, not a whole run
        tick = source_changes_sensor(3600, "Europe/London").evaluate_tick(dg.build_sensor_context(instance=instance))
        (request,) = tick.run_requests
        assert request.asset_selection == [dg.AssetKey("report")]

    runs_before = len(runs_in(tmp_path / "dagster_home"))
    quiet = cli(["run"], env)
    assert quiet.returncode == 0, quiet.stderr
    assert "No run started" in quiet.stdout and "rewrote" in quiet.stdout
    assert live_run_id.encode() in report.read_bytes()
    assert len(runs_in(tmp_path / "dagster_home")) == runs_before

    report.unlink()  # a missing report is rewritten the same way
    assert cli(["run"], env).returncode == 0
    assert live_run_id.encode() in report.read_bytes()
    again = cli(["run"], env)  # and once it describes the live version, it is left alone
    assert "rewrote" not in again.stdout


def test_failures_are_one_sentence_without_a_traceback_and_exit_codes_are_documented(
        data_dir: Path, tmp_path: Path) -> None:
    clean = environment_without_settings()
    unreachable = cli(["run"], {**clean, "DHR_DATA_DIR": str(data_dir), "DHR_TIMEOUT_SECONDS": "1",
                                "DHR_SOURCE": "http://127.0.0.1:9/sources/dhr/",
                                "DAGSTER_HOME": str(tmp_path / "home")})
    assert unreachable.returncode == 1
    assert "Traceback" not in unreachable.stderr and "Stack Trace" not in unreachable.stderr
    assert 'File "' not in unreachable.stderr
    last = unreachable.stderr.strip().splitlines()[-1]
    assert last.startswith("dhr-etl: run ") and "FAILED" in last and "'review_index'" in last
    assert "SourceUnavailable: cannot reach http://127.0.0.1:9/sources/dhr/" in last

    not_a_folder = tmp_path / "home-is-a-file"
    not_a_folder.write_text("")
    broken_home = cli(["run"], {**clean, "DHR_DATA_DIR": str(data_dir), "DAGSTER_HOME": str(not_a_folder)})
    assert broken_home.returncode == 1
    assert "Traceback" not in broken_home.stderr
    (sentence,) = broken_home.stderr.strip().splitlines()
    assert sentence.startswith("dhr-etl: failed while") and str(not_a_folder) in sentence

    usage = cli(["--help"], clean)
    assert usage.returncode == 0
    codes = dict(re.findall(r"^\s+(\d+)\s+(.+)$", usage.stdout, re.MULTILINE))
    assert codes["0"].startswith("the run succeeded") and "unchanged" in codes["1"]
    assert "configuration" in codes["2"] and "another run" in codes["3"]
