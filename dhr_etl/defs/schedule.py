"""The nightly job: the whole asset graph. The source_changes sensor (defs/source_changes.py)
starts it when something changed."""

from __future__ import annotations

import dagster as dg

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Discover, fetch, parse, resolve, build, check and publish the whole warehouse.",
    # In-process: the multiprocess executor costs ~9 s per run here for no gain on this graph.
    executor_def=dg.in_process_executor,
)
