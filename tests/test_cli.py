"""``dhr-etl`` as a user runs it: a real process, a real Dagster instance on disk."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FirstRun, environment_without_settings, query

CLI = [sys.executable, "-m", "dhr_etl.cli"]


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = environment_without_settings()
    return subprocess.run([*CLI, *args], env={**clean, **env}, capture_output=True, text=True, timeout=300)


@pytest.mark.slow  # the shared first run is a whole run in a real process
def test_run_loads_the_sample_and_says_what_the_warehouse_holds(first_run: FirstRun) -> None:
    """The shared first ``dhr-etl run`` of the sample (a real process; see tests/conftest.py)."""
    db = first_run.data_dir / "warehouse.duckdb"
    (reviews,) = query(db, "SELECT COUNT(*) FROM v_reviews")[0]
    (recommendations,) = query(db, "SELECT COUNT(*) FROM v_recommendations")[0]
    assert reviews == len(first_run.pages) and recommendations > 0
    assert str(db) in first_run.stdout
    assert f"reviews        {reviews}" in first_run.stdout
    assert f"recommendations {recommendations}" in first_run.stdout
    assert "SELECT" in first_run.stdout  # how to query it
    # Recorded in the instance on disk, where the UI and the sensor record their runs too.
    assert (first_run.home / "storage").is_dir() or (first_run.home / "history").is_dir()


def test_a_bad_setting_stops_before_any_work_with_the_variable_named(tmp_path: Path) -> None:
    done = run_cli(["run"], {"DHR_DATA_DIR": str(tmp_path), "DHR_MAX_CONCURRENCY": "lots",
                             "DAGSTER_HOME": str(tmp_path / "home")})
    assert done.returncode == 2
    assert "DHR_MAX_CONCURRENCY='lots'" in done.stderr and "accepted" in done.stderr
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_failed_run_exits_non_zero_with_one_paragraph_of_explanation(tmp_path: Path) -> None:
    done = run_cli(["run"], {"DHR_DATA_DIR": str(tmp_path), "DHR_SOURCE": "http://127.0.0.1:9/sources/dhr/",
                             "DHR_TIMEOUT_SECONDS": "1", "DAGSTER_HOME": str(tmp_path / "home")})
    assert done.returncode == 1
    paragraph = done.stderr.strip().split("\n\n")[-1]
    assert "FAILED" in paragraph and "review_index" in paragraph and "cannot reach" in paragraph
    assert "previous warehouse" in paragraph


# -- the CLI explains itself ---------------------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[1]
DHR_ETL = Path(sys.executable).parent / "dhr-etl"  # the console script, as a user runs it
SUBCOMMANDS = ("run", "settings", "serve-library", "grant-bi-role")


def dhr_etl(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = environment_without_settings()
    return subprocess.run([str(DHR_ETL), *args], env={**clean, **env}, capture_output=True, text=True,
                          timeout=300, cwd=PROJECT)


def test_top_level_help_names_the_commands_the_environment_and_the_exit_codes() -> None:
    done = dhr_etl(["--help"], {})
    assert done.returncode == 0
    text = done.stdout
    for command in SUBCOMMANDS:
        assert re.search(rf"^\s+{command}\b", text, re.M), command
    for name in ("DHR_SOURCE", "DHR_DATA_DIR", "DHR_WAREHOUSE_URL", "DHR_MAX_CONCURRENCY", "DHR_REQUESTS_PER_SECOND",
                 "DHR_USER_AGENT", "DHR_TIMEOUT_SECONDS", "DHR_MAX_PAGE_BYTES", "DHR_MAX_LISTING_PAGES",
                 "DHR_MAX_SITEMAP_ENTRIES", "DHR_MAX_WAIT_SECONDS", "DHR_SCHEDULE_TIMEZONE", "DHR_BI_ROLE",
                 "DHR_BI_PASSWORD", "DAGSTER_HOME"):
        assert re.search(rf"^  {name}\s+\S", text, re.M), name  # listed, with what it accepts
    for status in ("0", "1", "2", "3", "130"):
        assert re.search(rf"^  {status}\s+\w", text, re.M), status
    assert "examples:" in text and "make run ARGS=--force" in text


def help_parts(text: str) -> tuple[str, list[str]]:
    """(the description paragraph between usage and the options, the example commands)."""
    description = text.split("\n\n")[1]
    examples = text.split("examples:\n", 1)[1].split("\n\n")[0].splitlines()
    return description, [line.strip() for line in examples if not line.strip().startswith("#")]


def test_every_command_help_has_a_description_examples_and_help_for_each_option() -> None:
    for command in SUBCOMMANDS:
        done = dhr_etl([command, "--help"], {})
        assert done.returncode == 0, command
        description, examples = help_parts(done.stdout)
        assert len(description.split()) >= 15 and not description.startswith(("options", "positional")), command
        assert any(f"dhr-etl {command}" in line or line.startswith(f"make {command}") for line in examples), command
        # Every option and argument is followed by words saying what it does.
        options = done.stdout.split("options:\n", 1)[1].split("\n\n")[0]
        arguments = done.stdout.split("positional arguments:\n", 1)[1].split("\n\n")[0] if "positional" in done.stdout else ""
        for block in (options, arguments) if arguments else (options,):
            entries = re.split(r"\n(?=  \S)", block.strip("\n"))
            for entry in entries:
                assert len(entry.split()) >= 4, (command, entry)
    run_help = dhr_etl(["run", "--help"], {}).stdout
    assert "--log-level" in run_help and "log" in run_help.split("--log-level", 2)[2][:200]
    assert "exit status" in run_help


def test_make_run_passes_args_to_the_command() -> None:
    # Run as a user would, not as a sub-make of `make test` (which would print "Entering directory").
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    done = subprocess.run(["make", "--no-print-directory", "-n", "run", "ARGS=--force --log-level WARNING"],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == ".venv/bin/dhr-etl run --force --log-level WARNING"


@pytest.mark.slow  # three runs in real processes
def test_a_run_then_a_quiet_night_then_a_forced_run_as_a_user_sees_them(tmp_path: Path) -> None:
    """The summary of a run is in words; a quiet night starts no run, asks for no page (its
    conditional requests are answered "not modified"), leaves the warehouse alone and says why; and
    its hint to run anyway names a command that works. (One sequence of three real processes for
    what tests of the summary, of the quiet night and of the hint each checked with three of
    their own.)"""
    import hashlib

    from dhr_etl.changes import last_published
    from dhr_etl.sample.site import LibrarySite
    from dhr_etl.settings import SAMPLE_LIBRARY_DIR, load_settings
    from tests.conftest import page_requests

    with LibrarySite(SAMPLE_LIBRARY_DIR) as site:
        env = {"DHR_SOURCE": site.base_url, "DHR_DATA_DIR": str(tmp_path / "data"),
               "DAGSTER_HOME": str(tmp_path / "home"), "DHR_REQUESTS_PER_SECOND": "5"}
        first = dhr_etl(["run"], env)
        assert first.returncode == 0, first.stderr
        assert "succeeded" in first.stdout
        pages = len(list(SAMPLE_LIBRARY_DIR.glob("*.html")))
        body_kb = sum(page.stat().st_size for page in SAMPLE_LIBRARY_DIR.glob("*.html")) / 1000
        this_run = next(line for line in first.stdout.splitlines() if line.strip().startswith("this run"))
        assert f"fetched {pages} pages ({body_kb:.1f} kB)" in this_run, this_run
        assert re.search(r"waited \d+\.\d s for the site's rate limit", this_run), this_run
        for raw_name in ("page_body_bytes", "seconds_waiting", "bytes_received", "(200)"):
            assert raw_name not in first.stdout
        warehouse = tmp_path / "data" / "warehouse.duckdb"
        before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
        pages_before, requests_before = len(page_requests(site)), len(site.requests)

        quiet = dhr_etl(["run"], env)
        assert quiet.returncode == 0, quiet.stdout + quiet.stderr
        recorded = last_published(load_settings(env))
        assert f"nothing changed since run {recorded.run_id[:8]}" in quiet.stdout
        assert "No run started" in quiet.stdout and "succeeded" not in quiet.stdout
        assert len(page_requests(site)) == pages_before  # no page asked for
        asked = [r for r in site.requests[requests_before:] if r.path != "/robots.txt"]
        assert asked and all(r.status == 304 for r in asked)  # sitemaps and listing, answered "not modified"
        assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
        hint = quiet.stdout.split("To run the whole job anyway:", 1)[1]
        assert "make run ARGS=--force" in hint
        direct = re.search(r"\(or: (.+ run --force)\)", hint).group(1)
        assert direct == ".venv/bin/dhr-etl run --force"

        forced = subprocess.run(direct.split(), cwd=PROJECT, env={**environment_without_settings(), **env},
                                capture_output=True, text=True, timeout=300)
        assert forced.returncode == 0, forced.stderr
        assert "succeeded" in forced.stdout and "nothing changed" not in forced.stdout
        assert last_published(load_settings(env)).run_id != recorded.run_id


def test_an_unreachable_postgresql_fails_in_seconds_before_any_crawl_naming_host_and_port(tmp_path: Path) -> None:
    from dhr_etl.sample.site import LibrarySite
    from dhr_etl.settings import SAMPLE_LIBRARY_DIR

    with LibrarySite(SAMPLE_LIBRARY_DIR) as site:
        started = time.monotonic()
        done = dhr_etl(["run"], {"DHR_SOURCE": site.base_url, "DHR_DATA_DIR": str(tmp_path / "data"),
                                 "DAGSTER_HOME": str(tmp_path / "home"),
                                 "DHR_WAREHOUSE_URL": "postgresql://u@127.0.0.1:1/db"})
        elapsed = time.monotonic() - started
        assert site.requests == []  # nothing crawled, not even the sitemap
    assert done.returncode == 1
    assert elapsed < 30  # a guard against waiting out a long connect timeout, not a speed test
    sentence = done.stderr.strip()
    assert "\n" not in sentence and sentence.endswith(".")
    assert "host 127.0.0.1 port 1" in sentence and "Connection refused" in sentence
    assert "nothing was crawled" in sentence


def test_an_unwritable_duckdb_warehouse_fails_before_any_crawl(tmp_path: Path) -> None:
    from dhr_etl.sample.site import LibrarySite
    from dhr_etl.settings import SAMPLE_LIBRARY_DIR

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse's folder should be")
    with LibrarySite(SAMPLE_LIBRARY_DIR) as site:
        done = dhr_etl(["run"], {"DHR_SOURCE": site.base_url, "DHR_DATA_DIR": str(tmp_path / "data"),
                                 "DAGSTER_HOME": str(tmp_path / "home"),
                                 "DHR_WAREHOUSE_URL": f"duckdb:///{blocker}/warehouse.duckdb"})
        assert site.requests == []
    assert done.returncode == 1
    sentence = done.stderr.strip()
    assert "\n" not in sentence and f"{blocker} is a file, not a folder" in sentence


def test_a_reachable_postgresql_passes_the_check_and_the_run_loads_it(postgres_url: str, tmp_path: Path) -> None:
    done = dhr_etl(["run", "--log-level", "WARNING"], {"DHR_DATA_DIR": str(tmp_path / "data"),
                                                       "DAGSTER_HOME": str(tmp_path / "home"),
                                                       "DHR_WAREHOUSE_URL": postgres_url})
    assert done.returncode == 0, done.stderr
    assert "succeeded" in done.stdout and "(schema dhr)" in done.stdout
    from dhr_etl.settings import SAMPLE_LIBRARY_DIR

    assert f"read {len(list(SAMPLE_LIBRARY_DIR.glob('*.html')))} pages from the folder" in done.stdout


def test_the_query_hints_work_outside_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from the wheel, a user runs dhr-etl from any folder: the hints name this
    installation's interpreter and dagster's own UI command, not a checkout's .venv or Makefile."""
    import duckdb

    from dhr_etl.cli import _how_to_query

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE VIEW v_agency_summary AS SELECT 'Police' AS agency, 3 AS recommendations")
    monkeypatch.chdir(tmp_path)
    hints = _how_to_query(f"duckdb:///{db}", str(db)).splitlines()
    python_hint = next(line.strip() for line in hints if "import duckdb" in line)
    done = subprocess.run(python_hint, shell=True, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Police" in done.stdout
    assert hints[-1].endswith("dagster dev -m dhr_etl.definitions --host 127.0.0.1")
