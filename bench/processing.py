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
    from dhr_etl.pipeline import land as land_pages
    from dhr_etl.settings import load_settings

    settings = load_settings()
    landing, records = land_pages(settings)
    shutil.rmtree(landing.root / "parsed", ignore_errors=True)  # every page parsed afresh
    import dhr_etl.parse.library, dhr_etl.transform.star, dhr_etl.warehouse.duckdb_store  # noqa: E401, F401
    return settings, landing, records


def process(settings, landing, records) -> None:  # noqa: ANN001
    # Imported by land(), before any timing starts: the baseline's imports are not timed either.
    from dhr_etl.parse.library import parse_library
    from dhr_etl.transform.star import build_star, resolve_entities
    from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse

    parsed = parse_library(landing, settings.source, records)
    tables = build_star(parsed, resolve_entities(parsed))
    warehouse = DuckDbWarehouse(settings.data_dir / "warehouse.duckdb")
    warehouse.publish(warehouse.build_version(tables))


def main() -> None:
    settings, landing, records = land(Path(sys.argv[1]), Path(sys.argv[2]))
    started = time.perf_counter()
    process(settings, landing, records)
    print(time.perf_counter() - started)


if __name__ == "__main__":
    main()
