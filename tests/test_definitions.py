"""The Dagster definitions: the graph's shape is pinned, the change sensor is on by default."""

from __future__ import annotations

import dagster as dg

from dhr_etl.definitions import defs
from tests.conftest import NightlyRun

RESOLUTION_INPUTS = {"parsed_addressees", "parsed_recommendations", "parsed_reviews", "csps", "csp_spellings"}
# The asset graph of docs/design/ARCHITECTURE.md (as built, see README). Changing it should be a decision, seen in review.
EXPECTED_GRAPH = {
    "review_index": set(),
    "review_pages": {"review_index"},
    "parsed_reviews": {"review_pages"},
    "parsed_recommendations": {"review_pages"},
    "parsed_addressees": {"review_pages"},
    "parse_quarantine": {"review_pages"},
    # one agency resolution, one asset per table it yields (a multi-asset)
    **{table: RESOLUTION_INPUTS for table in ("agencies", "agency_aliases", "agency_pairs", "names_for_review")},
    "csps": {"parsed_reviews"},
    "csp_spellings": {"parsed_reviews"},
    "recommendation_themes": {"parsed_recommendations"},
    "repeated_recommendations": {"parsed_recommendations"},
    # review_index and review_pages: what the version is built from, recorded in it for the change check
    "staged_warehouse": {"parsed_reviews", "parsed_recommendations", "parsed_addressees", "parse_quarantine",
                         "agencies", "agency_aliases", "agency_pairs", "names_for_review", "csps", "csp_spellings",
                         "recommendation_themes", "repeated_recommendations", "review_index", "review_pages"},
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


def test_every_asset_value_is_stored_as_an_arrow_file(nightly_sample: NightlyRun) -> None:
    import polars as pl

    result = nightly_sample.result
    assert result.success
    stored = {path.name: path for path in nightly_sample.storage_dir.iterdir() if path.is_file()}
    # every asset that passes a value on (warehouse and report record metadata only)
    assert set(stored) == set(EXPECTED_GRAPH) - {"warehouse", "report"}
    assert all(path.read_bytes()[:6] == b"ARROW1" for path in stored.values())
    recommendations = pl.read_ipc(stored["parsed_recommendations"])
    assert recommendations.equals(result.output_for_node("parsed_pages", "parsed_recommendations"))
    assert recommendations.height > 100  # the bundled sample's recommendations, not an empty frame
    # the agency resolution's tables, each its own asset: bodies, and every printed spelling pointing at one
    agencies, aliases = pl.read_ipc(stored["agencies"]), pl.read_ipc(stored["agency_aliases"])
    assert agencies.height > 10 and set(aliases["agency_key"]) <= set(agencies["agency_key"])
    # the staged version without pickle: one row per table with the rows it must hold
    staged = pl.read_ipc(stored["staged_warehouse"])
    assert dict(staged.select("table_name", "expected_rows").iter_rows())["dim_agency"] == agencies.height


def test_table_assets_show_their_row_count_and_columns_in_the_ui(nightly_sample: NightlyRun) -> None:
    import polars as pl

    result = nightly_sample.result
    for node, asset in [("agency_resolution", "agency_aliases"), ("csp_resolution", "csp_spellings"),
                        ("parsed_pages", "parsed_reviews"), ("themes_and_repeats", "recommendation_themes")]:
        (materialization,) = [m for m in result.asset_materializations_for_node(node)
                              if m.asset_key == dg.AssetKey(asset)]
        frame = pl.read_ipc(nightly_sample.storage_dir / asset)
        assert materialization.metadata["dagster/row_count"].value == frame.height > 0
        columns = materialization.metadata["dagster/column_schema"].value.columns
        assert [(c.name, c.type) for c in columns] == [(name, str(dtype)) for name, dtype in frame.schema.items()]


def test_the_io_manager_refuses_a_value_that_is_not_a_frame_naming_its_type(tmp_path) -> None:
    import pytest
    from upath import UPath

    from dhr_etl.defs.io import FrameFilesystemIOManager

    manager = FrameFilesystemIOManager(base_path=UPath(tmp_path))
    context = dg.build_output_context(asset_key=dg.AssetKey("agencies"))
    with pytest.raises(TypeError) as refused:
        manager.dump_to_path(context, {"agencies": []}, UPath(tmp_path / "agencies"))
    assert str(refused.value).startswith("asset agencies returned a builtins.dict, and this IO manager stores polars "
                                         "DataFrames only")
    assert not (tmp_path / "agencies").exists()
