"""The benchmark harness works end to end on a tiny library: counts agree, the report is written.
Times are never asserted here; they belong to `make bench`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # dhr-etl and the baseline, each on a local site
def test_harness_runs_dhr_etl_and_the_baseline_to_the_same_counts(tmp_path: Path) -> None:
    report = tmp_path / "REPORT.md"
    done = subprocess.run([sys.executable, str(PROJECT / "bench" / "run.py"), "--tiny", "--report", str(report)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    assert "Counts, identical for both (checked): {'reviews': 30," in text
    for figure in ("cold run", "no-change run: requests", "processing (parse → publish", "fetch efficiency",
                   "fixed cost of one Dagster run", "of which the two models", "processing without the two models"):
        assert figure in text
    # The baseline is checked to be what the brief describes: one INSERT per row, as many as rows.
    assert "INSERT statements for as many rows, checked" in text
    for goal in ("processing ≥ 20× the baseline", "no-change run ≤ 5% of the baseline's time", "fetch efficiency ≥ 0.8"):
        assert goal in text  # each goal assessed in the report, met or not
