"""What a nightly run costs the site: requests and bytes of a cold run, a quiet night, and a night
after 1% of pages changed, against a local library of several hundred synthetic pages.

    .venv/bin/python bench/crawl_cost.py --reviews 400 --rps 10 --concurrency 4

Each run is the real nightly job (Dagster, in-process) against a real HTTP site on 127.0.0.1.
Prints a markdown table; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=400)
    parser.add_argument("--rps", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dhr-crawl-cost-"))
    os.environ.update({
        "DHR_DATA_DIR": str(work / "data"), "DAGSTER_HOME": str(work / "home"),
        "DHR_REQUESTS_PER_SECOND": str(args.rps), "DHR_MAX_CONCURRENCY": str(args.concurrency),
    })
    (work / "home").mkdir()
    import dagster as dg

    from dhr_etl.definitions import defs
    from dhr_etl.sample.generate import write_library
    from dhr_etl.sample.site import LibrarySite

    write_library(work / "library", args.reviews, seed=4)
    rows = []
    with LibrarySite(work / "library", per_page=50, latency_seconds=args.latency) as site:
        os.environ["DHR_SOURCE"] = site.base_url

        def run(label: str) -> None:
            first = len(site.requests)
            started = time.monotonic()
            with dg.instance_for_test() as instance:
                result = defs.resolve_job_def("nightly").execute_in_process(instance=instance)
            seconds = time.monotonic() - started
            assert result.success
            log = site.requests[first:]
            pages = [r for r in log if r.path.count("/") == 4 and "?" not in r.path]
            span = (max(r.at for r in log) - min(r.at for r in log)) if len(log) > 1 else 0.0
            rows.append((label, len(log), len(pages), sum(r.status == 304 for r in pages),
                         sum(r.bytes_sent for r in log), sum(r.bytes_sent for r in pages),
                         (len(log) - 1) / span if span else 0.0, seconds))

        run("cold")
        run("no change")
        for review_id in sorted(site.pages)[: max(1, args.reviews // 100)]:
            page = site.pages[review_id]
            site.set_page(review_id, page.content.replace(b"</main>", b"<p>Revised.</p></main>"))
            site.pages[review_id].last_modified += 60
        run("1% changed")

    print(f"{args.reviews} reviews, limit {args.rps} requests/s, concurrency {args.concurrency}, "
          f"site latency {args.latency * 1000:.0f} ms\n")
    print("| run | requests | page requests | 304s | bytes sent | page bytes | observed requests/s | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for label, requests, pages, not_modified, sent, page_bytes, rate, seconds in rows:
        print(f"| {label} | {requests} | {pages} | {not_modified} | {sent:,} | {page_bytes:,} | {rate:.2f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
