"""Load time per backend, and how long BI readers are held up while a new version is published.

    .venv/bin/python bench/publish_cost.py --recommendations 50000

Builds the star tables through the real pipeline code (synthetic pages → parse → resolve →
star), then, on DuckDB and on PostgreSQL (DHR_BENCH_POSTGRES_URL, or a throwaway local cluster):
times build (load + views) and publish, and runs a reader querying a view in a tight loop during
the publish, reporting its slowest query against its median. Prints markdown; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import duckdb
import psycopg

from dhr_etl.pipeline import star_tables
from dhr_etl.sample.generate import write_library
from dhr_etl.sample.postgres_cluster import create_database, throwaway_cluster
from dhr_etl.settings import SAMPLE_LIBRARY_DIR, load_settings
from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse
from dhr_etl.warehouse.postgres_store import PostgresWarehouse, conninfo

READER_SQL = "SELECT COUNT(*), SUM(agency_count) FROM v_recommendations WHERE rec_order <= 3"


def star_tables_of(folder: Path, work: Path):
    os.environ.update({"DHR_SOURCE": str(folder), "DHR_DATA_DIR": str(work / folder.name)})
    return star_tables(load_settings(), "bench")


def measure(warehouse, reader, tables) -> dict[str, float]:
    warehouse.publish(warehouse.build_version(tables))  # a previous version for readers to hold
    started = time.perf_counter()
    location = warehouse.build_version(tables)
    built = time.perf_counter() - started
    latencies: list[tuple[float, float]] = []
    stop = threading.Event()

    def loop() -> None:
        read, close = reader()
        try:
            while not stop.is_set():
                t0 = time.perf_counter()
                read()
                latencies.append((t0, time.perf_counter() - t0))
        finally:
            close()

    thread = threading.Thread(target=loop)
    thread.start()
    time.sleep(1.0)
    publish_start = time.perf_counter()
    warehouse.publish(location)
    publish_end = time.perf_counter()
    time.sleep(1.0)
    stop.set()
    thread.join()
    during = [d for t0, d in latencies if t0 <= publish_end and t0 + d >= publish_start]
    outside = [d for t0, d in latencies if not (t0 <= publish_end and t0 + d >= publish_start)]
    return {"build_s": built, "publish_s": publish_end - publish_start,
            "reader_median_ms": statistics.median(outside) * 1000,
            "reader_max_during_publish_ms": max(during, default=0.0) * 1000,
            "queries": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=50_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dhr-publish-cost-"))
    synthetic = work / "synthetic"
    write_library(synthetic, max(1, args.recommendations * 2 // 14), seed=11)  # ~7.5 recommendations a review
    libraries = {"sample": star_tables_of(SAMPLE_LIBRARY_DIR, work), "synthetic": star_tables_of(synthetic, work)}

    with ExitStack() as stack:
        server = os.environ.get("DHR_BENCH_POSTGRES_URL") or stack.enter_context(throwaway_cluster())
        server = server.rsplit("/", 1)[0] + "/"
        print("| library | reviews | recommendations | backend | build s | publish s | reader median ms | "
              "reader slowest during publish ms |")
        print("|---|---|---|---|---|---|---|---|")
        for name, tables in libraries.items():
            duck_path = work / f"{name}.duckdb"

            def duck_reader(path=duck_path):
                def read():
                    with duckdb.connect(str(path), read_only=True) as con:
                        return con.execute(READER_SQL).fetchall()
                return read, lambda: None

            url = create_database(server, f"bench_{name}_{os.getpid()}")

            def pg_reader(url=url):
                con = psycopg.connect(conninfo(url), autocommit=True)
                con.execute("SET search_path TO dhr")
                return (lambda: con.execute(READER_SQL).fetchall()), con.close

            for backend, warehouse, reader in (("DuckDB", DuckDbWarehouse(duck_path), duck_reader),
                                               ("PostgreSQL", PostgresWarehouse(url), pg_reader)):
                m = measure(warehouse, reader, tables)
                print(f"| {name} | {len(tables['dim_review'])} | {len(tables['fact_recommendation'])} | {backend} | "
                      f"{m['build_s']:.2f} | {m['publish_s']:.3f} | {m['reader_median_ms']:.1f} | "
                      f"{m['reader_max_during_publish_ms']:.1f} |")


if __name__ == "__main__":
    main()
