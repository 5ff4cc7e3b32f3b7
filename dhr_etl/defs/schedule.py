"""The nightly job and its schedule."""

from __future__ import annotations

import dagster as dg

NIGHTLY_CRON = "0 2 * * *"

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Discover, fetch, parse, resolve, build, check and publish the whole warehouse.",
    # In-process: the multiprocess executor costs ~9 s per run here for no gain on this graph.
    executor_def=dg.in_process_executor,
)


def nightly_schedule(timezone: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly_schedule",
        job=nightly_job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every night at 02:00 in the configured time zone (Europe/London by default).",
    )
