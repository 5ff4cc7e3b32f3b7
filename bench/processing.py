"""Processing only: parse → resolve → classify → build → publish, from a landing zone that
already holds the pages (cold parse cache). What figure 3 times and bench/profile.py profiles.

The data folder's cache (``cache/``: the built catalogue and the theme examples' weights, both
derived from the reference files alone) is there, as after any earlier run with the same reference
files and code; it is written by another process before timing starts, so this one reads it from
disk (as any run does that passes ``settings.cache_dir``). Nothing derived from the library's pages
is in it. ``--cold-catalogue`` leaves it out (a first run, or the first after a reference file
changed): the process then builds both.

    python bench/processing.py <library folder> <work folder> [--cold-catalogue]   → seconds on stdout

The last line is the seconds of the whole; the line before it, ``models <seconds>``, the part spent
in the two models (``pipeline.themes_and_repeats``: themes and repeat groups, which the benchmark's
baseline does not make), so that the report can show what the rest costs beside the baseline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def land(library: Path, work: Path, cold_catalogue: bool = False):
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
    import numpy.ma  # noqa: F401 - and so are the modules the steps import on first use: numpy's on the first
    import tokenizers  # noqa: F401 - np.unique (19 ms), the word vectors' tokenizer (57 ms; reading its file is timed)
    if not cold_catalogue:  # as an earlier run left it: on disk, not in this process's memory
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from dhr_etl.transform.catalogue import load_catalogue; load_catalogue(Path(sys.argv[1])); "
                        "from dhr_etl.transform.theme_examples import theme_examples; theme_examples(Path(sys.argv[1]))",
                        str(settings.cache_dir)], check=True, cwd=PROJECT)
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
    settings, landing, records = land(Path(sys.argv[1]), Path(sys.argv[2]), "--cold-catalogue" in sys.argv[3:])
    models = _timed_models()
    started = time.perf_counter()
    process(settings, landing, records)
    total = time.perf_counter() - started
    print(f"models {models[0]}")
    print(total)


def _timed_models() -> list[float]:
    """The seconds the two models take inside process(), added up as they run (one call here)."""
    from dhr_etl import pipeline

    seconds = [0.0]
    models = pipeline.themes_and_repeats

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started = time.perf_counter()
        try:
            return models(*args, **kwargs)
        finally:
            seconds[0] += time.perf_counter() - started

    pipeline.themes_and_repeats = timed
    return seconds


if __name__ == "__main__":
    main()
