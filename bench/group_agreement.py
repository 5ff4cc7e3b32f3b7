"""How far a group's agreement (``repeat_agreement``: repeats.group_agreement) tells a group of one
ask from a group of several, on labelled clusters the same-ask model never trained on.

Each clusters file (about 26 labelled clusters of 3-4 rewordings of one ask, each from its own
review, and about 45 singletons, most of them a cluster's hard negatives: same body and topic,
another ask) is grouped on its own, as the tests group it (their ``cluster_pairs``); every two recommendations of two reviews
that land in one group are counted, by the agreement of their group, as the same ask (one labelled
cluster) or not.

    .venv/bin/python bench/group_agreement.py [set folder names ...]
        (default: every set of tests/transform/test_themes_dev.py's PAIR_BLIND_SETS)

Prints, for each band of agreement, the grouped pairs and the share of them that are the same ask.
Asserts nothing: the README quotes it ("How sure a group is").
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

os.environ.setdefault("DHR_DATA_DIR", tempfile.mkdtemp(prefix="dhr-group-agreement-"))

from tests.transform.test_themes_dev import FIXTURES, PAIR_BLIND_SETS, cluster_pairs  # noqa: E402

BANDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8)
"""The lower edges of the bands of agreement counted (the last runs to 1)."""


def band_of(agreement: float | None) -> str:
    if agreement is None:
        return "none (joined through members)"
    lower = max(edge for edge in BANDS if agreement >= edge)
    upper = next((edge for edge in BANDS if edge > lower), 1.0)
    return f"{lower:.1f} to {upper:.1f}" + (" (1 included)" if upper == 1.0 else "")


def counted(folder: Path) -> Counter:
    """(band, same ask) -> grouped pairs of two reviews, the folder's clusters file grouped on its own."""
    return Counter((band_of(agreement), truth) for truth, found, agreement in
                   cluster_pairs(True, "clusters_holdout.csv", folder) if found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set folder names under tests/transform/fixtures (default: PAIR_BLIND_SETS)")
    names = parser.parse_args().sets
    folders = [FIXTURES / name for name in names] if names else list(PAIR_BLIND_SETS)
    counts = Counter()
    for folder in folders:
        counts.update(counted(folder))
    print(f"{len(folders)} clusters files, grouped pairs of two reviews by their group's agreement:")
    print("| agreement | grouped pairs | the same ask |")
    print("|---|---|---|")
    for band in sorted({band for band, _ in counts}):
        same, grouped = counts[(band, True)], counts[(band, True)] + counts[(band, False)]
        print(f"| {band} | {grouped:,} | {same / grouped:.0%} |")
    same, grouped = sum(v for (_, s), v in counts.items() if s), sum(counts.values())
    print(f"| all | {grouped:,} | {same / grouped:.0%} |")


if __name__ == "__main__":
    main()
