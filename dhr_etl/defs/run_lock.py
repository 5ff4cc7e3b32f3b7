"""The run locks as a Dagster resource, so that runs from the UI and the schedule take them too.

With the in-process executor a run starts its resources once, before its first step, and stops
them after its last, failed or not: the lock is held for the whole run. Every asset requires it
(a ``run_lock: RunLock`` parameter of each asset in assets.py), so any selection of assets takes it. The lock itself is
``dhr_etl/runlock.py``.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dhr_etl.runlock import DEFAULT_WAIT_SECONDS, hold_run_lock
from dhr_etl.warehouse.store import discard_staged_versions

DATA_DIR_TAG = "dhr_etl/data_dir"
"""The data directory a run worked on: whose lock it held, so whose lock frees it once it died."""
LAUNCHED_BY_TAG = "dhr_etl/launched_by"

RunLock = dg.ResourceParam[None]
"""The type of an asset's ``run_lock`` parameter: it holds nothing, but asking for it makes the run hold the lock."""


@dg.resource(
    config_schema={"wait_seconds": dg.Field(float, default_value=DEFAULT_WAIT_SECONDS,
                                            description="How long to wait for another run to finish before refusing.")},
    description="One run at a time per data directory: waits briefly for a running one, else fails naming it.",
    required_resource_keys={"settings"},  # the run's data directory and warehouse, as set for this run
)
def run_lock(context: dg.InitResourceContext):
    settings = context.resources.settings.settings()
    run = context.run
    run_id = run.run_id if run else None
    # The instance's folder too: the IO manager keeps asset values there by asset key.
    shared = [settings.data_dir, *([Path(context.instance.root_directory)] if context.instance.root_directory else [])]
    with hold_run_lock(shared, launched_by(run.tags if run else {}), run_id, context.resource_config["wait_seconds"]):
        if run is not None:
            context.instance.add_run_tags(run.run_id, {DATA_DIR_TAG: str(settings.data_dir)})
            for abandoned in fail_abandoned_runs(context.instance, str(settings.data_dir), run.run_id):
                context.log.warning(f"run {abandoned[:8]} was still marked STARTED but its process is gone: "
                                    "marked FAILED")
        for stale in discard_staged_versions(settings.warehouse_url):
            context.log.info(f"removed {stale}, a version an earlier run built but never published")
        try:
            yield
        finally:  # a version this run built but did not publish (a check failed, a step failed)
            discard_staged_versions(settings.warehouse_url)


def launched_by(tags: dict[str, str]) -> str:
    if LAUNCHED_BY_TAG in tags:
        return tags[LAUNCHED_BY_TAG]
    if "dagster/schedule_name" in tags:
        return f"schedule {tags['dagster/schedule_name']}"
    if "dagster/backfill" in tags:
        return "a backfill"
    return "the Dagster UI or API"


def fail_abandoned_runs(instance: dg.DagsterInstance, data_dir: str, current_run_id: str) -> list[str]:
    """Mark FAILED the runs on ``data_dir`` still recorded as STARTED: the caller holds that data
    directory's run lock, which the kernel frees only when its holder dies, so none of them is
    running (killed with -9, or the machine went down). Their ids."""
    stuck = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED],
                                                    tags={DATA_DIR_TAG: data_dir}))
    abandoned = [run for run in stuck if run.run_id != current_run_id]
    for run in abandoned:
        instance.report_run_failed(run, message="This run's process ended without finishing it (killed, or the "
                                                "machine stopped); found by the next run, which took its run lock.")
    return [run.run_id for run in abandoned]
