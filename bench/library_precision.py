"""Repeat grouping judged inside a library, on the pairs grouping actually weighs there.

The labelled pair files are about half paraphrases, and the tests group each file's ~400 pair texts
on their own; both flatter precision. tests/transform/fixtures/library_neighbours holds 3,500 pairs
drawn at random from the pairs the same-ask network met (scored 0.25 or more) when each theme file of
themes_dev84 to 165 was read as a library of ~400 recommendations in ~100 reviews, each labelled by
hand (its README). Here each of those theme files is grouped as a library, by the pipeline's
grouping, and the labelled pairs are counted: of those grouped together, how many ask the same thing
(precision), and of the same-ask ones, how many are grouped (recall).

    .venv/bin/python bench/library_precision.py [--threshold T]

The pairs are a sample of the neighbour pairs the network scored 0.25 or more with the weights of
session 44 (commit a5f1f2e); a network trained on them must be judged on other pairs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

os.environ.setdefault("DHR_DATA_DIR", tempfile.mkdtemp(prefix="dhr-library-precision-"))

import polars as pl  # noqa: E402

from dhr_etl.transform.repeats import REPEAT_THRESHOLD, group_repeats  # noqa: E402
from dhr_etl.transform.train_themes import FIXTURES, labelled_rows  # noqa: E402
from tests.transform.test_themes_dev import REC_SCHEMA  # noqa: E402

NEIGHBOUR_PAIRS = FIXTURES / "library_neighbours" / "pairs_library_neighbours.csv"


def counted(threshold: float) -> Counter:
    """(grouped, same ask) -> number of labelled neighbour pairs, each set's theme file grouped as a library."""
    by_set = defaultdict(list)
    for pair in labelled_rows(NEIGHBOUR_PAIRS):
        by_set[pair["mined_from"]].append(pair)
    counts = Counter()
    for name, pairs in sorted(by_set.items()):
        rows = labelled_rows(FIXTURES / name / "themes_holdout.csv")
        recs = pl.DataFrame([(r["review_id"], i, r["text"]) for i, r in enumerate(rows)], schema=REC_SCHEMA, orient="row")
        group = dict(group_repeats(recs, threshold).select("rec_position", "repeat_group_key").iter_rows())
        position = {r["text"]: i for i, r in enumerate(rows)}
        for pair in pairs:
            a, b = group.get(position[pair["text_a"]]), group.get(position[pair["text_b"]])
            counts[(a is not None and a == b, pair["same_ask"].strip() == "1")] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=REPEAT_THRESHOLD, help=f"grouping threshold (default {REPEAT_THRESHOLD})")
    threshold = parser.parse_args().threshold
    counts = counted(threshold)
    grouped, same = counts[(True, True)] + counts[(True, False)], counts[(True, True)] + counts[(False, True)]
    print(f"{sum(counts.values())} labelled library-neighbour pairs ({same} same ask), grouped at {threshold}: "
          f"{grouped} grouped, {counts[(True, True)]} of them the same ask; "
          f"precision {counts[(True, True)] / max(grouped, 1):.3f}, recall {counts[(True, True)] / max(same, 1):.3f}")


if __name__ == "__main__":
    main()
