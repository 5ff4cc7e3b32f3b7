"""The one Definitions object: assets, checks, the nightly job, the sensor that starts it, the
alerting sensors and the resources every run is configured by (dhr_etl/defs/resources.py)."""

from __future__ import annotations

import dagster as dg

from dhr_etl.alerts import load_alert_settings
from dhr_etl.defs import alerting, assets, checks
from dhr_etl.defs.console import one_line_console_logger
from dhr_etl.defs.io import frame_io_manager
from dhr_etl.defs.resources import dhr_resources, settings_from_environment
from dhr_etl.defs.run_lock import run_lock
from dhr_etl.defs.schedule import nightly_job
from dhr_etl.defs.source_changes import source_changes_sensor
from dhr_etl.settings import load_settings

# Validated when the code location loads, so a bad value shows in the UI before any run starts.
_settings = load_settings()
load_alert_settings()

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets]),
    asset_checks=[*dg.load_asset_checks_from_modules([checks]), alerting.warehouse_is_fresh],
    jobs=[nightly_job],
    sensors=[source_changes_sensor(_settings.check_every_seconds, _settings.schedule_timezone),
             alerting.alert_on_run_failure, alerting.warehouse_freshness_sensor],
    resources={**dhr_resources(settings_from_environment()),
               "io_manager": frame_io_manager, "run_lock": run_lock},
    loggers={"console": one_line_console_logger},
    # Also for assets materialised from the UI outside the nightly job: in one process, a run starts
    # its resources, the run lock among them, once for the whole run instead of once per step.
    executor=dg.in_process_executor,
)


def nightly_job_definition() -> dg.JobDefinition:
    """The nightly job, as the module-level target ``dg.reconstructable`` needs (``dhr-etl run``)."""
    return defs.resolve_job_def("nightly")
