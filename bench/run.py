"""The benchmark harness: dhr-etl against the script an analyst would write, side by side, in one
run, reported as ratios so the figures hold on a noisy machine. Writes bench/REPORT.md.

    make bench                                   # the full report (about half an hour)
    .venv/bin/python bench/run.py --tiny         # a 30-review smoke run (what make test runs)

Every dhr-etl figure comes from the real CLI (`dhr-etl run`, Dagster in-process) or the real
pipeline code against a real HTTP site on 127.0.0.1 with a per-response latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CONCURRENCY, RATE, LATENCY = 8, 20.0, 0.02


def run_process(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr[-3000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return seconds, peak, stdout


def dhr_env(work: Path, source: str, name: str) -> dict[str, str]:
    home = work / f"home-{name}"
    home.mkdir(exist_ok=True)
    return {**{k: v for k, v in os.environ.items() if not k.startswith("DHR_")}, "DHR_SOURCE": source,
            "DHR_DATA_DIR": str(work / f"data-{name}"), "DAGSTER_HOME": str(home),
            "DHR_MAX_CONCURRENCY": str(CONCURRENCY), "DHR_REQUESTS_PER_SECOND": str(RATE)}


def dhr_run(work: Path, source: str, name: str) -> tuple[float, int]:
    seconds, peak, _ = run_process([PYTHON, "-m", "dhr_etl.cli", "run", "--log-level", "WARNING"],
                                   dhr_env(work, source, name))
    return seconds, peak


def warehouse_counts(path: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return {"reviews": con.execute("SELECT COUNT(*) FROM dim_review").fetchone()[0],
                "recommendations": con.execute("SELECT COUNT(*) FROM fact_recommendation").fetchone()[0],
                "pairs": con.execute("SELECT COUNT(*) FROM bridge_recommendation_agency").fetchone()[0]}


def site_traffic(site, since: int) -> tuple[int, int, list]:
    log = site.requests[since:]
    pages = [r for r in log if r.path.count("/") == 4 and "?" not in r.path]
    return len(log), sum(r.bytes_sent for r in log), pages


def processing_only(work: Path, library: Path) -> float:
    """Parse through publish from a landing zone that already holds the pages (cold parse cache)."""
    code = f"""
import os, time
os.environ.update({{"DHR_SOURCE": {str(library)!r}, "DHR_DATA_DIR": {str(work / "data-processing")!r}}})
from dhr_etl.settings import load_settings
from dhr_etl.source.crawl import discover_reviews, land_pages
from dhr_etl.source.landing import LandingZone
from dhr_etl.parse.library import parse_library
from dhr_etl.transform.star import build_star, resolve_entities
from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse
settings = load_settings()
landing = LandingZone(settings.landing_dir)
records, _ = land_pages(settings, discover_reviews(settings, progress=lambda _: None)[0], landing, "run", progress=lambda _: None)
started = time.perf_counter()
parsed = parse_library(landing, settings.source, records)
tables = build_star(parsed, resolve_entities(parsed))
warehouse = DuckDbWarehouse(settings.data_dir / "warehouse.duckdb")
warehouse.publish(warehouse.build_version(tables))
print(time.perf_counter() - started)
"""
    _, _, out = run_process([PYTHON, "-c", code], dict(os.environ))
    return float(out.strip().splitlines()[-1])


def view_latencies(path: Path) -> dict[str, float]:
    import duckdb

    from dhr_etl.warehouse.views import VIEW_NAMES

    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for view in VIEW_NAMES:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                con.sql(f"SELECT * FROM {view}").to_arrow_table()  # every row, as a BI tool's driver reads it
                times.append(time.perf_counter() - started)
            out[view] = statistics.median(times) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="30 reviews, no growth series: proves the harness works")
    parser.add_argument("--report", type=Path, default=PROJECT / "bench" / "REPORT.md")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from dhr_etl.sample.generate import write_library
    from dhr_etl.sample.site import LibrarySite

    work = Path(tempfile.mkdtemp(prefix="dhr-bench-"))
    base_count = 30 if args.tiny else 650
    growth = [] if args.tiny else [650, 6_500, 65_000]
    library = work / f"library-{base_count}"
    write_library(library, base_count, seed=7, library_scale=True)
    figures: dict[str, object] = {}

    with LibrarySite(library, per_page=50, latency_seconds=LATENCY) as site:
        # 1. Cold run, end to end, against the baseline.
        mark = len(site.requests)
        cold_seconds, cold_peak = dhr_run(work, site.base_url, "http")
        cold_requests, cold_bytes, cold_pages = site_traffic(site, mark)
        counts = warehouse_counts(work / "data-http" / "warehouse.duckdb")
        mark = len(site.requests)
        base_seconds, _, out = run_process([PYTHON, str(PROJECT / "bench" / "baseline" / "analyst_script.py"),
                                            site.base_url, str(work / "baseline.duckdb")], dict(os.environ))
        baseline = json.loads(out)
        base_requests, base_bytes, _ = site_traffic(site, mark)
        same = {k: counts[k] == baseline[k] for k in ("reviews", "recommendations", "pairs")}
        if not all(same.values()):
            raise SystemExit(f"the baseline disagrees with dhr-etl: {counts} vs {baseline}; it is not a baseline")
        figures["counts"] = counts
        figures["cold"] = (cold_seconds, base_seconds)
        # 2. Second run, nothing changed (the baseline has no memory: it fetches everything again).
        mark = len(site.requests)
        warm_seconds, _ = dhr_run(work, site.base_url, "http")
        warm_requests, warm_bytes, _ = site_traffic(site, mark)
        figures["no_change"] = (warm_seconds, warm_requests, warm_bytes, base_seconds, base_requests, base_bytes)
        # 4. Fetch efficiency of the cold run.
        starts = sorted(r.at for r in cold_pages)
        achieved = (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else 0.0
        ceiling = min(CONCURRENCY / LATENCY, RATE)
        figures["fetch"] = (achieved, ceiling)

    # 3. Processing only, from the landing zone.
    processing = processing_only(work, library)
    figures["processing"] = (counts["reviews"] / processing, baseline["reviews"] / baseline["parse_and_load_seconds"])
    # 7. Fixed cost of one Dagster run with nothing to do (a 12-page sample, second run).
    sample = str(PROJECT / "dhr_etl" / "sample" / "library")
    dhr_run(work, sample, "fixed")
    figures["fixed"] = dhr_run(work, sample, "fixed")[0]
    # 5. Growth, and 6. view latency at the largest size (folder source: no network in the way).
    rows = []
    for size in growth:
        folder = library if size == base_count else work / f"library-{size}"
        if size != base_count:
            write_library(folder, size, seed=7, library_scale=True)
        seconds, peak = dhr_run(work, str(folder), f"growth-{size}")
        rows.append((size, seconds, peak))
    figures["growth"] = rows
    if growth:
        figures["views"] = view_latencies(work / f"data-growth-{growth[-1]}" / "warehouse.duckdb")
    write_report(args.report, figures, args.tiny)
    print(args.report.read_text())
    shutil.rmtree(work, ignore_errors=True)


def write_report(path: Path, f: dict, tiny: bool) -> None:
    cores = os.cpu_count() or 1
    cold, base = f["cold"]
    warm_s, warm_req, warm_bytes, base_s, base_req, base_bytes = f["no_change"]
    ours, theirs = f["processing"]
    achieved, ceiling = f["fetch"]
    lines = [
        "# dhr-etl benchmark" + (" (tiny smoke run)" if tiny else ""),
        "",
        f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}. Machine: {platform.machine()}, {cores} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}, "
        f"Python {platform.python_version()}. Command: `make bench` (`.venv/bin/python bench/run.py`).",
        f"Site: 127.0.0.1, {LATENCY * 1000:.0f} ms per response; dhr-etl at concurrency {CONCURRENCY}, "
        f"{RATE:.0f} requests/s (its politeness cap). Baseline: `bench/baseline/analyst_script.py` "
        "(requests + BeautifulSoup, sequential, pandas, one ORM insert per row, same DuckDB schema).",
        f"Counts, identical for both (checked): {f['counts']}.",
        "",
        "| # | figure | dhr-etl | baseline | ratio |",
        "|---|---|---|---|---|",
        f"| 1 | cold run, {f['counts']['reviews']} reviews, wall s | {cold:.1f} | {base:.1f} | {cold / base:.2f}× the baseline's time |",
        f"| 2 | no-change run: wall s | {warm_s:.1f} | {base_s:.1f} | {warm_s / base_s:.1%} of the baseline's time |",
        f"| 2 | no-change run: requests | {warm_req} | {base_req} | {warm_req / base_req:.1%} |",
        f"| 2 | no-change run: bytes | {warm_bytes:,} | {base_bytes:,} | {warm_bytes / base_bytes:.1%} |",
        f"| 3 | processing (parse → publish), reviews/s | {ours:.0f} ({ours / cores:.0f} per core) | {theirs:.0f} | "
        f"{ours / theirs:.1f}× |",
        f"| 4 | fetch efficiency: pages/s over the ceiling {ceiling:.0f}/s | {achieved:.1f} | | {achieved / ceiling:.2f} |",
        f"| 7 | fixed cost of one Dagster run with nothing to do, wall s (CLI process) | {f['fixed']:.1f} | | |",
        "",
    ]
    if f["growth"]:
        lines += ["## 5. Growth (folder source, end to end through `dhr-etl run`)", "",
                  "| reviews | wall s | peak memory MiB | time ratio per tenfold |", "|---|---|---|---|"]
        previous = None
        for size, seconds, peak in f["growth"]:
            ratio = f"{seconds / previous:.1f}×" if previous else ""
            lines.append(f"| {size:,} | {seconds:.1f} | {peak:,} | {ratio} |")
            previous = seconds
        lines += ["", f"## 6. View latency at {f['growth'][-1][0]:,} reviews (DuckDB, every row fetched as Arrow, median of 3)", "",
                  "| view | ms |", "|---|---|"]
        lines += [f"| {view} | {ms:.0f} |" for view, ms in f["views"].items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
