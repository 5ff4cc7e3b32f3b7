"""Operations: an alert when a run fails, and a freshness check on the published warehouse.

Both sensors run in the Dagster daemon (``make ui``) and post through ``dhr_etl/alerts.py`` when
DHR_ALERT_WEBHOOK is set. Neither can fail or hang the daemon: each post has a short timeout and
an undelivered alert is logged (host only), not raised.
"""

from __future__ import annotations

import dagster as dg

from dhr_etl.alerts import (load_alert_settings, post_alert, run_failure_alert, stale_warehouse_alert,
                            warehouse_freshness)
from dhr_etl.defs.console import first_line_of_cause
from dhr_etl.defs.resources import WarehouseResource
from dhr_etl.settings import load_settings
from dhr_etl.warehouse.store import open_warehouse

FRESHNESS_CHECK = "warehouse_is_fresh"
FRESHNESS_EVERY_SECONDS = 30 * 60


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts one line (job, run, failed step, cause) to DHR_ALERT_WEBHOOK when any run of this code "
                "location fails.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> dg.SkipReason | None:
    alerting = load_alert_settings()
    if not alerting.webhook:
        return dg.SkipReason("DHR_ALERT_WEBHOOK is not set: no alert posted")
    step, cause = _first_failure(context)
    run = context.dagster_run
    alert = run_failure_alert(run.job_name, run.run_id, step, cause, alerting.ui_url)
    post_alert(alerting.webhook, alert, context.log.info)
    return None


def _first_failure(context: dg.RunFailureSensorContext) -> tuple[str | None, str]:
    """The step that failed first and its error's first line; else why the run failed (a resource
    that did not start, say, or run monitoring marking a killed run failed)."""
    for event in context.get_step_failure_events():
        return event.step_key, first_line_of_cause(event.step_failure_data.error)
    error = getattr(context.failure_event.event_specific_data, "error", None)
    return None, first_line_of_cause(error) if error else (context.failure_event.message or "the run failed")


@dg.asset_check(asset="warehouse", description="A version was published within DHR_STALE_AFTER_HOURS (default 36): "
                                               "the nightly runs are publishing. Evaluated after each publish and "
                                               "every 30 minutes by the warehouse_freshness sensor.")
def warehouse_is_fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    freshness = warehouse_freshness(warehouse.open(), load_alert_settings().stale_after_hours)
    return dg.AssetCheckResult(passed=freshness.fresh, severity=dg.AssetCheckSeverity.ERROR,
                               description=freshness.description, metadata=_metadata(freshness))


@dg.sensor(
    name="warehouse_freshness",
    minimum_interval_seconds=FRESHNESS_EVERY_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 30 minutes, records the warehouse_is_fresh check on the warehouse, and posts to "
                "DHR_ALERT_WEBHOOK once when the live version goes stale.",
)
def warehouse_freshness_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    alerting = load_alert_settings()
    warehouse = open_warehouse(load_settings().warehouse_url)
    freshness = warehouse_freshness(warehouse, alerting.stale_after_hours)
    evaluation = dg.AssetCheckEvaluation(asset_key=dg.AssetKey("warehouse"), check_name=FRESHNESS_CHECK,
                                         passed=freshness.fresh, severity=dg.AssetCheckSeverity.ERROR,
                                         description=freshness.description, metadata=_metadata(freshness))
    # The cursor holds the version last alerted about: one alert per stale version, not one per tick.
    # A warehouse never published is not alerted on: the failed runs that explain it were.
    alerted = context.cursor
    if not freshness.fresh and freshness.published_at and freshness.published_at != alerted and alerting.webhook:
        post_alert(alerting.webhook, stale_warehouse_alert(freshness, warehouse.display(), alerting.ui_url),
                   context.log.info)
        alerted = freshness.published_at
    return dg.SensorResult(asset_events=[evaluation], cursor=alerted)


def _metadata(freshness) -> dict[str, object]:  # noqa: ANN001 - alerts.Freshness
    return {"published_at": freshness.published_at or "never",
            "hours_since_publish": freshness.hours_since_publish if freshness.hours_since_publish is not None else "n/a"}
