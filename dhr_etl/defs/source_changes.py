"""The source_changes sensor: every DHR_CHECK_EVERY, asks whether anything a run reads changed
(dhr_etl/changes.py) and starts the nightly job only if so. It replaces the 02:00 schedule: a
review published in the morning is in the warehouse within the hour, and a quiet check starts no
run and says why on its tick.

An evaluation never waits for the site: the check's requests (robots.txt, sitemaps, listing pages,
conditional, under the usual rate limit) must all be answered within CHECK_BUDGET_SECONDS. When the
site asks for a wait (429 or 503 with Retry-After, a 5xx, a timeout) or the time runs out, the
sensor starts the run anyway, once a night at most: the run crawls politely, waiting as the site
asks up to DHR_MAX_WAIT_SECONDS. Which runs repeat, and when, is :func:`dhr_etl.changes.run_key`.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from dhr_etl.changes import ChangeCheck, Verdict, check_for_changes, night_of, run_key
from dhr_etl.defs.run_lock import LAUNCHED_BY_TAG
from dhr_etl.defs.schedule import nightly_job
from dhr_etl.settings import load_settings
from dhr_etl.source.crawl import SourceUnavailable

SENSOR_NAME = "source_changes"
CHECK_BUDGET_SECONDS = 40.0
"""All the asking one evaluation may do: well under the Dagster daemon's sensor evaluation timeout
(60 s by default), so that a slow or throttling site can never time a tick out."""
WHY_TAG = "dhr_etl/why"
_IN_PROGRESS = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def source_changes_sensor(check_every_seconds: int, timezone: str,
                          budget_seconds: float = CHECK_BUDGET_SECONDS) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR_NAME,
        job=nightly_job,
        minimum_interval_seconds=check_every_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Every DHR_CHECK_EVERY (1h by default), asks the source with a few conditional requests whether "
                    "anything changed since the live version was built, and starts the nightly job only if so; a "
                    "quiet check is skipped with the reason on its tick.",
    )
    def source_changes(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        running = context.instance.get_runs(filters=dg.RunsFilter(statuses=_IN_PROGRESS), limit=1)
        if running:  # it reads what that run writes, and that run will take in any change itself
            return dg.SkipReason(f"run {running[0].run_id[:8]} is in progress: checked again after it")
        try:
            check = check_for_changes(load_settings(), within_seconds=budget_seconds)
        except SourceUnavailable as exc:  # the run fails at discovery and records why where everyone looks
            check = ChangeCheck(Verdict.UNDECIDED, f"the source could not be read: {exc}")
        if check.verdict is Verdict.QUIET and not check.outputs_stale:
            return dg.SkipReason(check.reason)
        key = run_key(check, night_of(dt.datetime.now(dt.timezone.utc), timezone))
        if check.verdict is Verdict.QUIET:  # a run stopped after publishing: only what is written from the version
            return dg.RunRequest(run_key=key, asset_selection=[dg.AssetKey("report")],
                                 tags=_tags(f"{check.reason}, but the report or the release does not describe it"))
        if check.verdict is Verdict.UNDECIDED:
            return dg.RunRequest(run_key=key, tags=_tags(f"{check.reason}; the run crawls politely instead"))
        return dg.RunRequest(run_key=key, tags=_tags(check.reason))

    return source_changes


def _tags(why: str) -> dict[str, str]:
    return {LAUNCHED_BY_TAG: f"sensor {SENSOR_NAME}", WHY_TAG: why[:200]}
