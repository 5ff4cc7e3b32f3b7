"""Repeat grouping judged by kind of labelled pair, pooled over blind sets.

tests/transform/test_themes_dev.py judges each blind set's pairs on their own (precision and
recall of the set). A set's precision depends on its mix of pairs: a file that is half hard
negatives (same body, opening and topic, a different ask) groups more wrong pairs than one that is
mostly near-verbatim repeats, with the same model. Here each set's pair texts are grouped as the
test groups them (its ``grouped_pairs``), and what was grouped is counted by the pairs' ``kind`` (paraphrase,
near_duplicate, hard_negative, easy_negative), so that a change can be judged on paraphrases found
and hard negatives kept apart, whatever mix a set has.

    .venv/bin/python bench/pair_kinds.py [set folder names ...]   (default: every set of PAIR_BLIND_SETS)
    .venv/bin/python bench/pair_kinds.py --threshold 0.3 --threshold 0.325 [sets ...]   (a sweep)

Prints pooled pairs precision / recall, the margin on the nearer goal (min(precision - 0.80,
recall - 0.70): how the sessions' rules compare versions), how many sets meet both pair goals, and
the share of each kind grouped; once per threshold (default: the shipped repeats.REPEAT_THRESHOLD).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

os.environ.setdefault("DHR_DATA_DIR", tempfile.mkdtemp(prefix="dhr-pair-kinds-"))

from dhr_etl.transform.repeats import REPEAT_THRESHOLD  # noqa: E402
from tests.transform.test_themes_dev import FIXTURES, GOALS, PAIR_BLIND_SETS, grouped_pairs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set folder names under tests/transform/fixtures (default: PAIR_BLIND_SETS)")
    parser.add_argument("--threshold", type=float, action="append",
                        help=f"grouping threshold; repeat it for a sweep (default {REPEAT_THRESHOLD}, the shipped one)")
    arguments = parser.parse_args()
    folders = [FIXTURES / name for name in arguments.sets] if arguments.sets else list(PAIR_BLIND_SETS)
    for threshold in arguments.threshold or [REPEAT_THRESHOLD]:
        print(f"grouped at {threshold}:")
        counted(folders, threshold)


def counted(folders: list[Path], threshold: float) -> None:
    """Print the pooled figures of ``folders``' pair files grouped at ``threshold``."""
    pooled, kinds, grouped, meeting = Counter(), Counter(), Counter(), 0
    for folder in folders:
        mine = Counter()
        for pair, together in grouped_pairs("pairs_holdout.csv", folder, threshold):
            kind, same = (pair.get("kind") or "unknown").strip(), pair["same_ask"].strip() == "1"
            mine["tp" if same and together else "fp" if together else "fn" if same else "tn"] += 1
            kinds[kind] += 1
            grouped[kind] += together
        pooled.update(mine)
        precision = mine["tp"] / max(mine["tp"] + mine["fp"], 1)
        recall = mine["tp"] / max(mine["tp"] + mine["fn"], 1)
        meeting += precision >= GOALS["pair precision"] and recall >= GOALS["pair recall"]
    precision = pooled["tp"] / max(pooled["tp"] + pooled["fp"], 1)
    recall = pooled["tp"] / max(pooled["tp"] + pooled["fn"], 1)
    margin = min(precision - GOALS["pair precision"], recall - GOALS["pair recall"])
    print(f"{len(folders)} sets, {sum(kinds.values())} pairs: pooled precision {precision:.3f}, recall {recall:.3f} "
          f"(margin on the nearer goal {margin:+.3f}); both goals met on {meeting} of {len(folders)}")
    for kind in sorted(kinds):
        print(f"  {kind}: {kinds[kind]} pairs, {grouped[kind] / kinds[kind]:.1%} grouped")


if __name__ == "__main__":
    main()
