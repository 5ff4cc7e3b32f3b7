"""The nightly job and its schedule."""

from __future__ import annotations

import dagster as dg

from dhr_etl.changes import check_for_changes
from dhr_etl.settings import load_settings
from dhr_etl.source.crawl import SourceUnavailable

NIGHTLY_CRON = "0 2 * * *"

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Discover, fetch, parse, resolve, build, check and publish the whole warehouse.",
    # In-process: the multiprocess executor costs ~9 s per run here for no gain on this graph.
    executor_def=dg.in_process_executor,
)


def nightly_schedule(timezone: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nightly_schedule",
        job=nightly_job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every night at 02:00 in the configured time zone (Europe/London by default). "
                    "A night when nothing changed at the source is skipped, with the reason on the tick.",
    )
    def nightly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        try:
            check = check_for_changes(load_settings())
        except SourceUnavailable as exc:
            # Run anyway: the run fails at discovery and records why where everyone looks.
            return dg.RunRequest(tags={"dhr_etl/launched_by": "schedule", "dhr_etl/why": f"source check failed: {exc}"[:200]})
        if not check.changed and check.report_stale:  # a run was killed after publishing: just the report
            return dg.RunRequest(asset_selection=[dg.AssetKey("report")],
                                 tags={"dhr_etl/launched_by": "schedule",
                                       "dhr_etl/why": f"{check.reason}, but the report does not describe it"[:200]})
        if not check.changed:
            return dg.SkipReason(check.reason)
        return dg.RunRequest(tags={"dhr_etl/launched_by": "schedule", "dhr_etl/why": check.reason[:200]})

    return nightly
