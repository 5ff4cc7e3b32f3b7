"""What is written from the live warehouse version once it is published: the HTML report and the
open-data release. Both can be rewritten from the live version at any time, so a run stopped after
publishing (killed, or the release failing on a full disk) leaves nothing lost: the next change
check finds them describing another version (:func:`outputs_describe`) and has them rewritten."""

from __future__ import annotations

from pathlib import Path

from dhr_etl.release import live_version, version_released, write_release
from dhr_etl.report import report_path, version_reported, write_report
from dhr_etl.settings import Settings


def write_outputs(settings: Settings) -> tuple[Path, Path]:
    """Write the report and the release of the live version: (report file, release folder)."""
    with live_version(settings.warehouse_url) as (query, read):
        report = write_report(query, report_path(settings.data_dir))
        release = write_release(read, settings.data_dir)
    return report, release


def outputs_describe(settings: Settings, run_id: str) -> bool:
    """Whether both the report and the release are of the version run ``run_id`` built."""
    return version_reported(report_path(settings.data_dir)) == run_id == version_released(settings.data_dir)
