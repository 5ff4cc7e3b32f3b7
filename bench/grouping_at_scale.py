"""Repeat grouping judged at the size of a library, not of one labelled set.

tests/transform/test_themes_dev.py groups each blind set's texts on their own: some 400 pair texts
or 130 cluster texts at a time. A library holds thousands, and there each text meets many more
wordings of its topic (every set covers the same twenty-eight sectors), so its sixteen nearest in
meaning (``repeats.NEIGHBOURS``) and the groups average linkage builds are not those of a small set.
Here the pair and cluster texts of the first ``--sets`` blind sets (default: all of them) are grouped
as ONE library (each set's reviews kept apart by the set's name), and each set's labelled pairs and
cluster pairs are judged on that one grouping, as the tests judge them on a set's own.

    .venv/bin/python bench/grouping_at_scale.py [--sets N]     → one markdown row on stdout

Pairs and clusters are precision / recall, means over the sets; "both goals" counts the sets whose
pairs reach precision 0.80 and recall 0.70. Pairs across sets are not labelled, so a group that
joins two sets' texts is neither credited nor blamed for that join, only for the labelled pairs it
keeps together or apart.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

os.environ.setdefault("DHR_DATA_DIR", tempfile.mkdtemp(prefix="dhr-grouping-at-scale-"))

import polars as pl  # noqa: E402

from dhr_etl.transform.repeats import group_repeats  # noqa: E402
from tests.transform.test_themes_dev import PAIR_BLIND_SETS, REC_SCHEMA, library_id, rows  # noqa: E402


def _precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=len(PAIR_BLIND_SETS), help=f"how many blind sets (of {len(PAIR_BLIND_SETS)})")
    sets = PAIR_BLIND_SETS[: parser.parse_args().sets]
    number: dict[tuple[str, str, str], int] = {}  # (set, review, text) -> its row in the library

    def row(labelled_set: str, review: str, text: str) -> int:
        return number.setdefault((labelled_set, review, text), len(number))

    pairs, clusters = {}, {}
    for folder in sets:
        name = folder.name
        pairs[name] = [(row(name, r["review_a"], r["text_a"]), row(name, r["review_b"], r["text_b"]), r["same_ask"].strip() == "1")
                       for r in rows("pairs_holdout.csv", folder)]
        clusters[name] = [(row(name, r["review_id"], r["text"]), r["review_id"], r["cluster_id"])
                          for r in rows("clusters_holdout.csv", folder)]
    library = pl.DataFrame([(library_id(f"{s}-{review}"), i, text) for (s, review, text), i in number.items()],
                           schema=REC_SCHEMA, orient="row")
    started = time.perf_counter()
    group = dict(group_repeats(library).select("rec_position", "repeat_group_key").iter_rows())
    seconds = time.perf_counter() - started

    def together(i: int, j: int) -> bool:
        return group.get(i) is not None and group.get(i) == group.get(j)

    figures = []
    for name in pairs:
        tp = sum(together(a, b) and same for a, b, same in pairs[name])
        fp = sum(together(a, b) and not same for a, b, same in pairs[name])
        fn = sum(same and not together(a, b) for a, b, same in pairs[name])
        judged = [(i, j, ci == cj) for (i, ri, ci), (j, rj, cj) in itertools.combinations(clusters[name], 2) if ri != rj]
        ctp = sum(together(i, j) and same for i, j, same in judged)
        cfp = sum(together(i, j) and not same for i, j, same in judged)
        cfn = sum(same and not together(i, j) for i, j, same in judged)
        figures.append((*_precision_recall(tp, fp, fn), *_precision_recall(ctp, cfp, cfn)))
    mean = [statistics.mean(f[k] for f in figures) for k in range(4)]
    sizes = pl.Series(list(group.values())).value_counts()["count"] if group else pl.Series([0])
    print("| sets | texts | pairs P / R | clusters P / R | both goals | texts in groups | groups | largest | grouping s |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {len(sets)} | {len(number):,} | {mean[0]:.3f} / {mean[1]:.3f} | {mean[2]:.3f} / {mean[3]:.3f} "
          f"| {sum(f[0] >= 0.80 and f[1] >= 0.70 for f in figures)} of {len(figures)} | {len(group):,} | {len(sizes):,} "
          f"| {sizes.max()} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
