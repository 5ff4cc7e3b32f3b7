"""The open-data release: every view as Parquet and CSV with the view's rows, spreadsheet-safe CSV,
a datapackage.json Frictionless accepts, and a failed build that leaves the previous release alone."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dhr_etl.release import live_version, write_release
from dhr_etl.warehouse import duckdb_store
from dhr_etl.warehouse.store import open_warehouse
from dhr_etl.warehouse.views import VIEW_NAMES
from tests.conftest import NightlyRun

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
# Texts a spreadsheet would run as formulas (OWASP's CSV injection list), put into the sample.
HOSTILE_TEXTS = ["=SUM(1)", "+44 20 7946 0000 is the helpline to publicise", "-1+2", "@SUM(A1)",
                 "\tstarts with a tab"]


def sample_with_hostile_texts(sample: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    tables = dict(sample)
    facts = tables["fact_recommendation"].sort("recommendation_key")
    hostile = pl.Series("recommendation", HOSTILE_TEXTS + facts["recommendation"].to_list()[len(HOSTILE_TEXTS):])
    tables["fact_recommendation"] = facts.with_columns(hostile)
    tables["warehouse_version"] = pl.DataFrame([{
        "built_at": "2026-11-28T07:00:00+00:00", "run_id": "run-for-the-release-test", "source": "the sample",
        "reviews": len(tables["dim_review"]), "recommendations": len(facts), "agencies": len(tables["dim_agency"]),
        "csps": len(tables["dim_csp"])}])
    return tables


@pytest.fixture
def published(data_dir: Path, sample_star: dict[str, pl.DataFrame]) -> Path:
    """A published DuckDB warehouse of the sample, some recommendations beginning like formulas."""
    target = data_dir / "warehouse.duckdb"
    duckdb_store.publish(duckdb_store.build_version(sample_with_hostile_texts(sample_star), target), target)
    return target


def view_rows(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {view: con.execute(f"SELECT COUNT(*) FROM {view}").fetchone()[0] for view in VIEW_NAMES}


def release_of(warehouse_url: str, data_dir: Path) -> Path:
    with live_version(warehouse_url) as (_, read):
        return write_release(read, data_dir)


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_every_view_is_released_as_parquet_and_csv_with_the_views_rows(published: Path, data_dir: Path) -> None:
    release = release_of(f"duckdb:///{published}", data_dir)
    assert release == data_dir / "release"
    expected = view_rows(published)
    assert all(expected.values()), expected  # the sample fills every view, so the counts compare something
    for view, rows in expected.items():
        name = view.removeprefix("v_")
        assert len(pl.read_parquet(release / f"{name}.parquet")) == rows, view
        assert len(csv_rows(release / f"{name}.csv")) == rows, view
        assert (release / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), f"{view}: no UTF-8 BOM for Excel"
    assert sorted(p.name for p in release.iterdir()) == sorted(
        ["datapackage.json"] + [f"{v.removeprefix('v_')}.{ext}" for v in VIEW_NAMES for ext in ("csv", "parquet")])


def test_formula_like_text_is_neutralised_in_csv_and_exact_in_parquet(published: Path, data_dir: Path) -> None:
    release = release_of(f"duckdb:///{published}", data_dir)
    in_csv = {row["recommendation"] for row in csv_rows(release / "recommendations.csv")}
    in_parquet = set(pl.read_parquet(release / "recommendations.parquet")["recommendation"])
    for text in HOSTILE_TEXTS:
        assert text in in_parquet
        assert text not in in_csv
        assert "'" + text in in_csv
    # Plain text is left as it is, and numbers (a negative one would begin with -) are not text.
    assert in_csv & in_parquet
    agencies = csv_rows(release / "agency_summary.csv")
    assert all(row["recommendations"].isdigit() for row in agencies)


def test_datapackage_describes_every_column_and_frictionless_accepts_it(published: Path, data_dir: Path) -> None:
    release = release_of(f"duckdb:///{published}", data_dir)
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["warehouse_version"]["run_id"] == "run-for-the-release-test"
    assert {licence["name"] for licence in package["licenses"]} == {"OGL-UK-3.0", "CC-BY-4.0"}
    assert any("DHRD" in source["title"] for source in package["sources"])
    with duckdb.connect(str(published), read_only=True) as con:
        for view in VIEW_NAMES:
            columns = [row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()]
            for resource_name in (view.removeprefix("v_"), view.removeprefix("v_") + "_parquet"):
                [resource] = [r for r in package["resources"] if r["name"] == resource_name]
                assert resource["description"], resource_name
                fields = resource["schema"]["fields"]
                assert [f["name"] for f in fields] == columns, resource_name
                assert all(f["description"] and f["type"] != "any" for f in fields), [
                    f["name"] for f in fields if not f["description"] or f["type"] == "any"]
    assert "apostrophe" in next(r for r in package["resources"] if r["name"] == "recommendations")["description"]

    assert FRICTIONLESS.exists(), f"frictionless not installed at {FRICTIONLESS}: run `make .venv/.installed`"
    checked = subprocess.run([str(FRICTIONLESS), "validate", "datapackage.json"], cwd=release,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "INVALID" not in checked.stdout and checked.stdout.count("VALID") == 2 * len(VIEW_NAMES)


def test_a_failed_release_leaves_the_previous_one_intact(published: Path, data_dir: Path) -> None:
    release = release_of(f"duckdb:///{published}", data_dir)
    previous = {path.name: path.read_bytes() for path in release.iterdir()}
    previous_folder = release.resolve()

    with live_version(f"duckdb:///{published}") as (_, read):
        def failing(relation: str) -> pl.DataFrame:
            if relation == "v_theme_year_summary":  # part-way: several views are already written
                raise OSError("disk full")
            return read(relation)

        with pytest.raises(OSError, match="disk full"):
            write_release(failing, data_dir)
    assert release.resolve() == previous_folder
    assert {path.name: path.read_bytes() for path in release.iterdir()} == previous
    assert [p.resolve() for p in (data_dir / "releases").iterdir()] == [previous_folder]  # the failed build is gone


def test_a_release_of_a_postgres_warehouse_has_the_views_rows(postgres_url: str, data_dir: Path,
                                                             sample_star: dict[str, pl.DataFrame]) -> None:
    warehouse = open_warehouse(postgres_url)
    warehouse.publish(warehouse.build_version(sample_with_hostile_texts(sample_star)))
    release = release_of(postgres_url, data_dir)
    for view in VIEW_NAMES:
        [(rows,)] = warehouse.query(f"SELECT COUNT(*) FROM {view}")
        assert rows > 0, view
        assert len(pl.read_parquet(release / f"{view.removeprefix('v_')}.parquet")) == rows, view
        assert len(csv_rows(release / f"{view.removeprefix('v_')}.csv")) == rows, view
    in_csv = {row["recommendation"] for row in csv_rows(release / "recommendations.csv")}
    assert "'=SUM(1)" in in_csv and "=SUM(1)" not in in_csv


def test_the_nightly_job_publishes_a_release_of_the_version_it_published(nightly_sample: NightlyRun) -> None:
    result, data_dir = nightly_sample.result, nightly_sample.data_dir  # the session's run: only read here
    assert result.success
    package = json.loads((data_dir / "release" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["warehouse_version"]["run_id"] == result.run_id
    assert len(csv_rows(data_dir / "release" / "reviews.csv")) == view_rows(data_dir / "warehouse.duckdb")["v_reviews"]
