"""Runs configured by resources given to them, not by the environment: as a test or a deployment's
launchpad sets them. Also: which assets re-materialise on their own."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from dhr_etl.defs import assets, checks
from dhr_etl.defs.io import frame_io_manager
from dhr_etl.defs.resources import SettingsResource, dhr_resources
from dhr_etl.defs.run_lock import run_lock
from tests.conftest import REFERENCE_ID, REFERENCE_TEXT, failure_messages, query, throwaway_instance

REFERENCE_RECOMMENDATIONS = 54  # the reference page's table, counted by hand (tests/test_pipeline.py)
ALL_ASSETS = [*dg.load_assets_from_modules([assets]), *dg.load_asset_checks_from_modules([checks])]


@pytest.fixture
def saved_pages(tmp_path: Path) -> Path:
    """A folder source holding the reference page's saved text rendition only."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / f"{REFERENCE_ID}.txt").write_bytes(REFERENCE_TEXT.read_bytes())
    return folder


def materialize(settings: SettingsResource, instance: dg.DagsterInstance, selection=None) -> dg.ExecuteInProcessResult:
    return dg.materialize(ALL_ASSETS, instance=instance, selection=selection, raise_on_error=False,
                          resources={**dhr_resources(settings), "io_manager": frame_io_manager, "run_lock": run_lock})


def test_a_run_uses_the_settings_it_is_given(saved_pages: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "given"  # not the DHR_DATA_DIR every test's environment names
    with throwaway_instance() as instance:
        result = materialize(SettingsResource(source=str(saved_pages), data_dir=str(data_dir)), instance)
    assert result.success, failure_messages(result)
    assert query(data_dir / "warehouse.duckdb", "SELECT review_id, recommendations FROM v_reviews") == \
        [(REFERENCE_ID, REFERENCE_RECOMMENDATIONS)]
    assert result.asset_materializations_for_node("review_index")[0].metadata["source"].value == str(saved_pages)


def test_the_launchpad_sets_one_value_for_one_run_and_the_rest_stay_as_configured(saved_pages: Path, tmp_path: Path,
                                                                                  data_dir: Path) -> None:
    from dhr_etl.definitions import defs

    elsewhere = tmp_path / "elsewhere.duckdb"
    run_config = {"resources": {"settings": {"config": {"source": str(saved_pages),
                                                        "warehouse_url": f"duckdb:///{elsewhere}"}}}}
    with throwaway_instance() as instance:
        result = defs.resolve_job_def("nightly").execute_in_process(run_config=run_config, instance=instance,
                                                                    raise_on_error=False)
    assert result.success, failure_messages(result)
    assert query(elsewhere, "SELECT COUNT(*) FROM v_reviews") == [(1,)]
    # the data directory still comes from the environment (DHR_DATA_DIR, set for every test)
    assert (data_dir / "landing").is_dir() and not (data_dir / "warehouse.duckdb").exists()


def test_a_bad_value_given_for_a_run_fails_it_before_any_step_with_the_settings_sentence(saved_pages: Path,
                                                                                        tmp_path: Path) -> None:
    settings = SettingsResource(source=str(saved_pages), data_dir=str(tmp_path / "d"), max_concurrency="many")
    with throwaway_instance() as instance:
        result = materialize(settings, instance)
    assert not result.success
    assert not [event for event in result.all_events if event.is_step_success]
    assert not (tmp_path / "d" / "landing").exists()  # nothing was crawled
    assert ("dhr_etl.settings.SettingsError: DHR_MAX_CONCURRENCY='many' is not a number; accepted: a whole number "
            "from 1 to 16.") in error_messages(result)


def error_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """Every error of the run's events and the errors that caused it, outermost first."""
    messages = []
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            messages.append(error.message.strip())
            error = error.cause
    return messages


def test_a_variable_set_when_the_definitions_load_and_unset_later_is_read_when_the_run_starts(
        saved_pages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dhr_etl.defs.resources import settings_from_environment

    monkeypatch.setenv("DHR_WAREHOUSE_URL", f"duckdb:///{tmp_path / 'at_load.duckdb'}")
    resources = {**dhr_resources(settings_from_environment()), "io_manager": frame_io_manager, "run_lock": run_lock}
    monkeypatch.delenv("DHR_WAREHOUSE_URL")  # as a test, or a wrapper script, may do after the import
    monkeypatch.setenv("DHR_SOURCE", str(saved_pages))  # and one set only now is read too
    with throwaway_instance() as instance:
        result = dg.materialize(ALL_ASSETS, instance=instance, resources=resources, raise_on_error=False)
    assert result.success, error_messages(result)
    assert not (tmp_path / "at_load.duckdb").exists()
    assert query(tmp_path / "data" / "warehouse.duckdb", "SELECT review_id FROM v_reviews") == [(REFERENCE_ID,)]


# Every asset after a whole run, re-materialised alone (its inputs from the IO manager, as the UI
# does it); an asset of a multi-asset with the other tables that one step yields, as the UI selects them.
ALONE = ["review_index", "review_pages", "parsed_reviews", "csps", "agencies", "recommendation_themes",
         "repeated_recommendations", "staged_warehouse", "report"]


@pytest.mark.slow  # a whole run and ten single-asset runs
def test_every_asset_but_warehouse_re_materialises_on_its_own(saved_pages: Path, tmp_path: Path) -> None:
    settings = SettingsResource(source=str(saved_pages), data_dir=str(tmp_path / "d"))
    with throwaway_instance() as instance:
        assert materialize(settings, instance).success
        for asset in ALONE:
            result = materialize(settings, instance,
                                 selection=dg.AssetSelection.assets(asset).required_multi_asset_neighbors())
            assert result.success, f"{asset}: {failure_messages(result)}"
            assert dg.AssetKey(asset) in {event.asset_key for event in result.get_asset_materialization_events()}
        alone = materialize(settings, instance, selection=["warehouse"])
        assert not alone.success
        assert "warehouse publishes only the version staged_warehouse built in the same run" in failure_messages(alone)
        # with the version it publishes, it does
        assert materialize(settings, instance, selection=["staged_warehouse", "warehouse"]).success
