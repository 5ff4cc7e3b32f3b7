"""Where processing time goes: pyinstrument over parse → publish on a synthetic library.

    .venv/bin/python bench/profile.py [--reviews 6500]   → bench/profile-<reviews>.txt

The call tree (functions under 1% hidden) is what bench/REPORT.md's profile notes cite.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.processing import land, process  # noqa: E402
from dhr_etl.sample.generate import write_library  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=6_500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dhr-profile-"))
    write_library(work / "library", args.reviews, seed=7, library_scale=True)
    settings, landing, records = land(work / "library", work / "data")
    profiler = Profiler(interval=0.005)
    profiler.start()
    process(settings, landing, records)
    profiler.stop()
    shutil.rmtree(work, ignore_errors=True)
    text = profiler.output_text(unicode=False, color=False, show_all=False, timeline=False,
                                processor_options={"filter_threshold": 0.01})
    out = PROJECT / "bench" / f"profile-{args.reviews}.txt"
    out.write_text(text.replace(f"{PROJECT}/", ""), encoding="utf-8")  # paths relative to the project
    print(out.read_text(encoding="utf-8")[:6000])


if __name__ == "__main__":
    main()
