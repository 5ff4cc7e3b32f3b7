"""The benchmark harness: dhr-etl against the script an analyst would write, side by side, in one
run, reported as ratios so the figures hold on a noisy machine. Writes bench/REPORT.md.

    make bench                                   # the full report (about 8 minutes here)
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
    # DHR_CACHE_DIR is kept for --tiny only (main() drops it otherwise): see there.
    return {**{k: v for k, v in os.environ.items() if not k.startswith("DHR_") or k == "DHR_CACHE_DIR"},
            "DHR_SOURCE": source,
            "DHR_DATA_DIR": str(work / f"data-{name}"), "DAGSTER_HOME": str(home),
            "DHR_MAX_CONCURRENCY": str(CONCURRENCY), "DHR_REQUESTS_PER_SECOND": str(RATE)}


def dhr_run(work: Path, source: str, name: str, *extra: str) -> tuple[float, int]:
    seconds, peak, _ = run_process([PYTHON, "-m", "dhr_etl.cli", "run", "--log-level", "WARNING", *extra],
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


def processing_only(work: Path, library: Path, repeats: int = 3) -> tuple[float, float]:
    """Parse through publish from a landing zone that already holds the pages (cold parse cache;
    the built catalogue in the data folder's cache, see bench/processing.py), each time in a new
    process: the median of ``repeats`` runs (one run of ~1 s swung by ±30% here), and the median
    of their seconds in the two models (themes and repeat groups)."""
    times, models = [], []
    for i in range(repeats):
        _, _, out = run_process([PYTHON, str(PROJECT / "bench" / "processing.py"), str(library),
                                 str(work / f"data-processing-{i}")], dict(os.environ))
        *_, model_line, total_line = out.strip().splitlines()
        times.append(float(total_line))
        models.append(float(model_line.removeprefix("models ")))
    return statistics.median(times), statistics.median(models)


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
    if not args.tiny:  # each run builds the catalogue in its own data folder, as a first run does;
        os.environ.pop("DHR_CACHE_DIR", None)  # --tiny (make test's) times nothing and may share one
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
        if baseline["insert_statements"] != baseline["rows_loaded"]:
            raise SystemExit(f"the baseline sent {baseline['insert_statements']} INSERTs for {baseline['rows_loaded']} rows: "
                             "not one insert per row, so not the baseline the brief describes")
        figures["baseline_inserts"] = baseline["insert_statements"]
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
    processing, models = processing_only(work, library, repeats=1 if args.tiny else 3)  # tiny: proves it runs, times nothing
    figures["processing"] = (counts["reviews"] / processing, baseline["reviews"] / baseline["parse_and_load_seconds"])
    figures["models"] = (processing, models)
    # 7. Fixed cost of one Dagster run with nothing to do (a 12-page sample, second run, forced past
    # the change check that would otherwise start no run at all).
    sample = str(PROJECT / "dhr_etl" / "sample" / "library")
    if not args.tiny:  # tiny proves the step runs and times nothing: its one run is a first run
        dhr_run(work, sample, "fixed")
    figures["fixed"] = dhr_run(work, sample, "fixed", "--force")[0]
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


def goals(f: dict) -> list[tuple[str, str, bool]]:
    """(goal, this run's figure, met?) for each of the brief's goals, assessed from the figures."""
    cold, base = f["cold"]
    warm_s, _, warm_bytes, base_s, _, base_bytes = f["no_change"]
    ours, theirs = f["processing"]
    achieved, ceiling = f["fetch"]
    rows = [
        ("processing ≥ 20× the baseline", f"{ours / theirs:.1f}×", ours / theirs >= 20),
        ("no-change run ≤ 5% of the baseline's time", f"{warm_s / base_s:.1%}", warm_s / base_s <= 0.05),
        ("no-change run ≤ 1% of the baseline's bytes", f"{warm_bytes / base_bytes:.2%}", warm_bytes / base_bytes <= 0.01),
        ("fetch efficiency ≥ 0.8", f"{achieved / ceiling:.2f}", achieved / ceiling >= 0.8),
    ]
    if f["growth"]:
        ratios = [b[1] / a[1] for a, b in zip(f["growth"], f["growth"][1:])]
        largest = f["growth"][-1]
        slow = {v: ms for v, ms in f["views"].items() if ms >= 250}
        rows += [
            ("growth per tenfold ≤ 11× in time", ", ".join(f"{r:.1f}×" for r in ratios), all(r <= 11 for r in ratios)),
            (f"peak memory < 2 GiB at {largest[0]:,} reviews", f"{largest[2]:,} MiB", largest[2] < 2048),
            (f"every view under 250 ms at {largest[0]:,} reviews",
             "slowest " + ", ".join(f"{v} {ms:.0f} ms" for v, ms in sorted(f["views"].items(), key=lambda i: -i[1])[:2])
             + (f"; over: {', '.join(slow)}" if slow else ""), not slow),
        ]
    return rows


def write_report(path: Path, f: dict, tiny: bool) -> None:
    cores = os.cpu_count() or 1
    cold, base = f["cold"]
    warm_s, warm_req, warm_bytes, base_s, base_req, base_bytes = f["no_change"]
    ours, theirs = f["processing"]
    processing_seconds, model_seconds = f["models"]
    without_models = f["counts"]["reviews"] / (processing_seconds - model_seconds)  # reviews/s
    achieved, ceiling = f["fetch"]
    lines = [
        "# dhr-etl benchmark" + (" (tiny smoke run)" if tiny else ""),
        "",
        f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}. Machine: {platform.machine()}, {cores} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}, "
        f"Python {platform.python_version()}. Command: `make bench` (`.venv/bin/python bench/run.py`).",
        f"Site: 127.0.0.1, {LATENCY * 1000:.0f} ms per response; dhr-etl at concurrency {CONCURRENCY}, "
        f"{RATE:.0f} requests/s (its politeness cap). Baseline: `bench/baseline/analyst_script.py` "
        f"(requests + BeautifulSoup, sequential, pandas, one ORM insert per row: {f['baseline_inserts']:,} INSERT "
        "statements for as many rows, checked; same DuckDB schema).",
        f"Counts, identical for both (checked): {f['counts']}.",
        "",
        "| # | figure | dhr-etl | baseline | ratio |",
        "|---|---|---|---|---|",
        f"| 1 | cold run, {f['counts']['reviews']} reviews, wall s | {cold:.1f} | {base:.1f} | {cold / base:.2f}× the baseline's time |",
        f"| 2 | no-change run (`dhr-etl run`: the change check starts no Dagster run): wall s | {warm_s:.1f} | {base_s:.1f} | "
        f"{warm_s / base_s:.1%} of the baseline's time |",
        f"| 2 | no-change run: requests | {warm_req} | {base_req} | {warm_req / base_req:.1%} |",
        f"| 2 | no-change run: bytes | {warm_bytes:,} | {base_bytes:,} | {warm_bytes / base_bytes:.2%} |",
        f"| 3 | processing (parse → publish, from the landing zone; dhr-etl: median of 3 new processes, the built catalogue of bodies read from the data folder's cache as any earlier run leaves it), reviews/s | {ours:.0f} ({ours / cores:.0f} per core) | "
        f"{theirs:.0f} (one core) | {ours / theirs:.1f}× |",
        f"| 3 | of which the two models (themes and repeat groups, which the baseline does not make), s of the {processing_seconds:.2f} s "
        f"| {model_seconds:.2f} | | |",
        f"| 3 | processing without the two models (the work the baseline also does), reviews/s "
        f"| {without_models:.0f} | {theirs:.0f} | {without_models / theirs:.1f}× |",
        f"| 4 | fetch efficiency: pages/s over the ceiling {ceiling:.0f}/s | {achieved:.1f} | | {achieved / ceiling:.2f} |",
        f"| 7 | fixed cost of one Dagster run with nothing to do (`dhr-etl run --force`, CLI process), wall s | {f['fixed']:.1f} | | |",
        "",
    ]
    if f["growth"]:
        lines += ["## 5. Growth (folder source, cold, end to end through `dhr-etl run`)", "",
                  "| reviews | wall s | peak memory MiB | time ratio per tenfold |", "|---|---|---|---|"]
        previous = None
        for size, seconds, peak in f["growth"]:
            ratio = f"{seconds / previous:.1f}×" if previous else ""
            lines.append(f"| {size:,} | {seconds:.1f} | {peak:,} | {ratio} |")
            previous = seconds
        lines += ["", f"## 6. View latency at {f['growth'][-1][0]:,} reviews (DuckDB, every row fetched as Arrow, median of 3)", "",
                  "| view | ms |", "|---|---|"]
        lines += [f"| {view} | {ms:.0f} |" for view, ms in f["views"].items()]
    lines += ["", "## Goals (assessed by bench/run.py from the figures above)", "", "| goal | this run | met? |", "|---|---|---|"]
    lines += [f"| {goal} | {value} | {'yes' if met else '**no**'} |" for goal, value, met in goals(f)]
    findings = PROJECT / "bench" / "FINDINGS.md"
    if findings.exists() and not tiny:
        lines += ["", findings.read_text(encoding="utf-8").strip()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
