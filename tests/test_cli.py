"""``dhr-etl`` as a user runs it: a real process, a real Dagster instance on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import query

CLI = [sys.executable, "-m", "dhr_etl.cli"]


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    return subprocess.run([*CLI, *args], env={**clean, **env}, capture_output=True, text=True, timeout=300)


@pytest.mark.slow  # a whole run in a real process
def test_run_loads_the_sample_and_says_what_the_warehouse_holds(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    done = run_cli(["run"], {"DHR_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    db = tmp_path / "data" / "warehouse.duckdb"
    (reviews,) = query(db, "SELECT COUNT(*) FROM v_reviews")[0]
    (recommendations,) = query(db, "SELECT COUNT(*) FROM v_recommendations")[0]
    assert str(db) in done.stdout
    assert f"reviews        {reviews}" in done.stdout
    assert f"recommendations {recommendations}" in done.stdout
    assert "SELECT" in done.stdout  # how to query it
    # Recorded in the instance on disk, where the UI and the schedule record their runs too.
    assert (home / "storage").is_dir() or (home / "history").is_dir()


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
