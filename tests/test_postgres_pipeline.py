"""The nightly job with PostgreSQL as the warehouse, and Dagster's own instance on PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from dhr_etl.warehouse.postgres_store import PostgresWarehouse
from tests.conftest import REFERENCE_ID, run_nightly

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # several full runs against a PostgreSQL cluster


def test_nightly_job_publishes_to_postgres(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DHR_WAREHOUSE_URL", postgres_url)
    result = run_nightly()
    assert result.success
    warehouse = PostgresWarehouse(postgres_url)
    assert warehouse.query(f"SELECT recommendations FROM v_reviews WHERE review_id = '{REFERENCE_ID}'") == [(54,)]
    assert warehouse.query(f"SELECT COUNT(*) FROM v_recommendation_agencies WHERE review_id = '{REFERENCE_ID}'") == [(59,)]
    checks = {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks == {"keys_unique": True, "no_orphan_rows": True, "counts_reconcile": True,
                      "declared_counts_match": False,  # the sample has a page whose count disagrees
                      "warehouse_is_fresh": True}  # read from the live PostgreSQL version, just published


def test_a_run_recorded_in_the_postgres_instance_is_readable(postgres_url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.postgres.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", postgres_url.replace("postgresql+psycopg://", "postgresql+psycopg2://"))
    from dhr_etl.definitions import defs

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        run_id = defs.resolve_job_def("nightly").execute_in_process(instance=instance).run_id
    with dg.DagsterInstance.get() as reopened:  # a second process (UI, daemon) would read the same
        run = reopened.get_run_by_id(run_id)
        assert run.status == dg.DagsterRunStatus.SUCCESS
        materialized = reopened.get_latest_materialization_event(dg.AssetKey("warehouse"))
        assert materialized.run_id == run_id
        assert materialized.asset_materialization.metadata["reviews"].value == 12
