"""Processing only: parse → resolve → classify → build → publish, from a landing zone that
already holds the pages (cold parse cache). What figure 3 times and bench/profile.py profiles.

    python bench/processing.py <library folder> <work folder>   → seconds on stdout
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path


def land(library: Path, work: Path):
    """Copy the library's pages into a landing zone under ``work``; returns (settings, landing, records)."""
    os.environ.update({"DHR_SOURCE": str(library), "DHR_DATA_DIR": str(work)})
    from dhr_etl import pipeline
    from dhr_etl.settings import load_settings
    from dhr_etl.source.crawl import review_source

    settings = load_settings()
    source = review_source(settings)
    discovered, _, _ = pipeline.discover(source)
    landing, records, _ = pipeline.land(source, discovered, "run")
    shutil.rmtree(landing.root / "parsed", ignore_errors=True)  # every page parsed afresh
    import dhr_etl.warehouse.duckdb_store  # noqa: F401 - imported before any timing starts, as the baseline's are
    return settings, landing, records


def process(settings, landing, records) -> None:  # noqa: ANN001
    """The steps the nightly assets call (dhr_etl/pipeline.py), parse to publish, without Dagster."""
    from dhr_etl import pipeline
    from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse

    warehouse = DuckDbWarehouse(settings.data_dir / "warehouse.duckdb")
    tables = pipeline.tables_from_landed(settings, records)
    staged = pipeline.stage(warehouse, settings.warehouse_url, tables, settings.source, "bench", built_from={})
    warehouse.publish(staged.location)


def main() -> None:
    settings, landing, records = land(Path(sys.argv[1]), Path(sys.argv[2]))
    started = time.perf_counter()
    process(settings, landing, records)
    print(time.perf_counter() - started)


if __name__ == "__main__":
    main()
