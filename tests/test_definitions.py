"""The Dagster definitions: the graph's shape is pinned, the change sensor is on by default."""

from __future__ import annotations

import dagster as dg

from dhr_etl.definitions import defs
from tests.conftest import NightlyRun

# The asset graph of docs/design/ARCHITECTURE.md (as built, see README). Changing it should be a decision, seen in review.
EXPECTED_GRAPH = {
    "review_index": set(),
    "review_pages": {"review_index"},
    "parsed_reviews": {"review_pages"},
    "parsed_recommendations": {"review_pages"},
    "parsed_addressees": {"review_pages"},
    "parse_quarantine": {"review_pages"},
    "agencies": {"parsed_addressees", "parsed_recommendations", "parsed_reviews", "csps"},
    "names_for_review": {"agencies"},
    "csps": {"parsed_reviews"},
    "recommendation_themes": {"parsed_recommendations"},
    "repeated_recommendations": {"parsed_recommendations"},
    # review_index and review_pages: what the version is built from, recorded in it for the change check
    "staged_warehouse": {"parsed_reviews", "parsed_recommendations", "parsed_addressees",
                         "parse_quarantine", "agencies", "csps", "recommendation_themes", "repeated_recommendations",
                         "review_index", "review_pages"},
    "warehouse": {"staged_warehouse"},
    "report": {"warehouse"},
}


def test_asset_graph_has_the_designed_shape() -> None:
    graph = defs.resolve_asset_graph()
    actual = {
        key.to_user_string(): {parent.to_user_string() for parent in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert actual == EXPECTED_GRAPH


def test_warehouse_checks_are_blocking_and_the_count_check_only_warns() -> None:
    graph = defs.resolve_asset_graph()
    checks = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    assert {name for name, spec in checks.items() if spec.blocking} == {"keys_unique", "no_orphan_rows", "counts_reconcile"}
    assert checks["declared_counts_match"].asset_key == dg.AssetKey("parsed_reviews")


def test_nightly_job_covers_every_asset_and_runs_in_process() -> None:
    job = defs.resolve_job_def("nightly")
    assert job.executor_def.name == "in_process"
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == set(EXPECTED_GRAPH)


def test_the_source_changes_sensor_starts_the_nightly_job_checking_hourly_and_is_on_by_default() -> None:
    sensor = defs.resolve_sensor_def("source_changes")
    assert sensor.minimum_interval_seconds == 3600
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "nightly"
    assert list(defs.schedules or []) == []  # the sensor replaces the 02:00 schedule: one thing starts runs


def test_alerting_sensors_are_on_by_default_and_freshness_is_checked_on_the_warehouse() -> None:
    assert defs.resolve_sensor_def("alert_on_run_failure").default_status == dg.DefaultSensorStatus.RUNNING
    freshness = defs.resolve_sensor_def("warehouse_freshness")
    assert freshness.default_status == dg.DefaultSensorStatus.RUNNING and freshness.minimum_interval_seconds == 1800
    spec = defs.resolve_asset_graph().get_check_spec(dg.AssetCheckKey(dg.AssetKey("warehouse"), "warehouse_is_fresh"))
    assert not spec.blocking  # a stale warehouse is reported, never a reason to refuse publishing a new one


def test_frames_pass_between_assets_as_arrow_files_and_other_values_as_pickles(nightly_sample: NightlyRun) -> None:
    import pickle

    import polars as pl

    from dhr_etl.transform.agencies import AgencyResolution

    result = nightly_sample.result
    assert result.success
    recommendations = nightly_sample.storage_dir / "parsed_recommendations"
    assert recommendations.read_bytes()[:6] == b"ARROW1"
    frame = pl.read_ipc(recommendations)
    assert frame.equals(result.output_for_node("parsed_pages", "parsed_recommendations"))
    assert frame.height > 100  # the bundled sample's recommendations, not an empty frame
    agencies = pickle.loads((nightly_sample.storage_dir / "agencies").read_bytes())
    assert isinstance(agencies, AgencyResolution) and agencies.agencies.height > 10
