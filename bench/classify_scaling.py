"""How long theme classification and repeat grouping take as recommendations grow (to 50,000),
and the process's peak memory.

    .venv/bin/python bench/classify_scaling.py [--distinct]

Recommendations come from the synthetic generator (realistic wording, many shared phrasings, so
a hard case for grouping). The generator repeats its wording (3,584 distinct texts among 50,000),
and both steps read each distinct text once; ``--distinct`` makes every text unique (a reference
number after it: no new word, but every text is read, placed and scored on its own), the work a
real library of 50,000 different wordings would cost. ``--labelled`` draws them instead from the
project's labelled sets (tests/transform/fixtures/themes_dev*/: ~108,000 distinct wordings written
to mirror real reviews' recommendations, in many more words than the generator has), each drawn
once, eleven to a review: what a library of real, different recommendations costs, where the
generator's (even with ``--distinct``) meet a few thousand words and few candidate pairs each. The first size also pays for loading the word vectors, the models and
the labelled theme examples, once per process. Wall and CPU seconds (CPU is the steadier figure on
a shared machine). Prints markdown; asserts nothing. The issue's bound: 50,000 in under 60 s and 1 GiB.

    .venv/bin/python bench/classify_scaling.py --report-cell 100000

adds to each size one recommendation whose cell holds a pasted report: that many made-up words,
nearly all distinct (a hostile or broken page; ~900 kB). The models read its first 4,000 characters
(``text.ASK_CHARACTERS``); the figures show what the one cell costs beside the rest.
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import time

import dhr_etl  # noqa: F401 - first, as the CLI and Dagster import it: it caps malloc's arenas before polars' threads make theirs
import polars as pl

from dhr_etl.sample.generate import generate_reviews
from dhr_etl.transform.repeats import group_repeats
from dhr_etl.transform.themes import classify_recommendations


def recommendations(count: int, distinct: bool = False) -> pl.DataFrame:
    rows = []
    for review in generate_reviews(count // 6 + 10, seed=3):
        rows += [(review.review_id, i, f"{text} (ref {len(rows) + i})" if distinct else text)
                 for i, (_, text, _) in enumerate(review.recommendations, start=1)]
    return pl.DataFrame(rows[:count], schema={"review_id": pl.String, "rec_position": pl.Int32,
                                              "recommendation": pl.String}, orient="row")


def labelled_recommendations(count: int, seed: int = 5) -> pl.DataFrame:
    """``count`` distinct wordings drawn from the labelled sets, eleven to a review."""
    from same_outputs import labelled_sets  # noqa: PLC0415 - bench/ is this script's folder (tests import the module, not this)
    texts = pl.concat([frame["recommendation"] for frame in labelled_sets().values()]).unique(maintain_order=True)
    if count > len(texts):
        raise SystemExit(f"the labelled sets hold {len(texts):,} distinct wordings; {count:,} were asked for")
    drawn = random.Random(seed).sample(texts.to_list(), count)
    return pl.DataFrame({"review_id": [f"review-{i // 11:05d}" for i in range(count)],
                         "rec_position": [i % 11 + 1 for i in range(count)], "recommendation": drawn},
                        schema={"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String})


def report_cell(words: int, seed: int = 7) -> str:
    """A recommendation cell holding a pasted report: ``words`` made-up words of eight letters."""
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(words))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--distinct", action="store_true", help="every text unique (no repeated wording)")
    parser.add_argument("--labelled", action="store_true", help="distinct wordings drawn from the labelled sets (realistic words)")
    parser.add_argument("--report-cell", type=int, default=0, metavar="WORDS",
                        help="add one recommendation holding WORDS made-up words (a report pasted into a cell)")
    args = parser.parse_args()
    distinct = args.distinct
    cell = pl.DataFrame({"review_id": ["report-cell"], "rec_position": [1], "recommendation": [report_cell(args.report_cell)]},
                        schema={"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String})
    print("| recommendations | classify s (CPU s) | group s (CPU s) | groups | recommendations in groups | peak memory so far MB |")
    print("|---|---|---|---|---|---|")
    for count in (5_000, 10_000, 50_000):
        frame = labelled_recommendations(count) if args.labelled else recommendations(count, distinct)
        if args.report_cell:
            frame = pl.concat([frame, cell])
        started, cpu = time.perf_counter(), time.process_time()
        classify_recommendations(frame)
        classified, classified_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        groups = group_repeats(frame)
        grouped, grouped_cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        print(f"| {len(frame):,} | {classified:.2f} ({classified_cpu:.2f}) | {grouped:.2f} ({grouped_cpu:.2f}) | {groups['repeat_group_key'].n_unique():,} | {len(groups):,} "
              f"| {peak:.0f} |")


if __name__ == "__main__":
    main()
