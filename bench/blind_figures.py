"""Every blind figure of a list of labelled sets, one line a set, then their means.

tests/transform/test_themes_dev.py asserts each blind set's figures against its floor (FLOORS) and
prints them among the test output; this prints them in one table, so that a closing note or a
docstring quotes a command rather than a test log, and so that the floors of new sets (or of every
set after a model changes) are figured by the one rule the tests' docstrings state: each figure
less 0.005, cut to two places; "other" alone the figure plus 0.002.

    .venv/bin/python bench/blind_figures.py [set folder names ...] [--floors]
        (default: every set of BLIND_SETS; no themes for a set the theme model trains on,
        train_themes.FORMER_BLIND_THEME_SETS, nor pairs and clusters for one the same-ask model trains
        on, train_repeats.FORMER_BLIND_PAIR_SETS: any other set is measured, in BLIND_SETS or not yet)

Per set: themes hit rate / mean precision / "other" alone, pairs precision / recall, clusters
precision / recall (themes left blank for a set the theme model trains on, pairs and clusters for
one the same-ask model trains on). Then the
means, and how many sets meet the issue's goals (themes: hit rate >= 0.90, mean precision >= 0.80,
"other" alone < 10%; pairs: precision >= 0.80, recall >= 0.70). Pooled pair figures, and the
share of each kind of pair grouped: bench/pair_kinds.py.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

os.environ.setdefault("DHR_DATA_DIR", tempfile.mkdtemp(prefix="dhr-blind-figures-"))

from dhr_etl.transform.train_repeats import FORMER_BLIND_PAIR_SETS  # noqa: E402
from dhr_etl.transform.train_themes import FORMER_BLIND_THEME_SETS  # noqa: E402
from tests.transform.test_themes_dev import BLIND_SETS, FIXTURES, GOALS, cluster_figures, pair_figures, theme_figures  # noqa: E402

OTHER_GOAL = 0.10


def figures_of(folder: Path) -> tuple[float, ...]:
    """(hit rate, mean precision, other alone, pair precision, pair recall, cluster precision,
    cluster recall); the first three NaN for a set whose theme file trains the theme model, the last
    four for one whose pairs and clusters train the same-ask model."""
    if folder.name not in FORMER_BLIND_THEME_SETS:
        themes = theme_figures("themes_holdout.csv", folder)
        found = (themes["hit rate"], themes["mean precision"], themes["other alone"])
    else:
        found = (math.nan,) * 3
    if folder.name in FORMER_BLIND_PAIR_SETS:
        return found + (math.nan,) * 4
    pairs = pair_figures("pairs_holdout.csv", folder)
    clusters = cluster_figures(True, "clusters_holdout.csv", folder)
    return found + (pairs["precision"], pairs["recall"], clusters["precision"], clusters["recall"])


def floor_row(name: str, figures: tuple[float, ...]) -> str:
    """The set's FLOORS entry by the tests' rule (figures NaN: the floor is left as 0.0)."""
    def cut(x: float) -> float:
        return 0.0 if math.isnan(x) else math.floor((x - 0.005) * 100 + 1e-9) / 100
    floors = [cut(x) for x in figures]
    floors[2] = 0.0 if math.isnan(figures[2]) else round(figures[2] + 0.002, 3)
    return f'    "{name}": ({", ".join(f"{x:.3f}" if i == 2 else f"{x:.2f}" for i, x in enumerate(floors))}),'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="set folder names under tests/transform/fixtures (default: BLIND_SETS)")
    parser.add_argument("--floors", action="store_true", help="also print each set's FLOORS entry")
    arguments = parser.parse_args()
    folders = [FIXTURES / name for name in arguments.sets] if arguments.sets else list(BLIND_SETS)
    missing = [f.name for f in folders if not (f / "themes_holdout.csv").is_file()]
    if missing:
        parser.error(f"no themes_holdout.csv in {', '.join(missing)}: give set folder names under {FIXTURES}")
    print("| set | hit rate | mean precision | other alone | pair precision | pair recall | cluster precision | cluster recall |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for folder in folders:
        figures = figures_of(folder)
        rows.append(figures)
        print(f"| {folder.name} | " + " | ".join("" if math.isnan(x) else f"{x:.3f}" for x in figures) + " |", flush=True)
    columns = list(zip(*rows))
    known = [[x for x in column if not math.isnan(x)] for column in columns]
    print("| mean | " + " | ".join(f"{sum(xs) / len(xs):.3f}" if xs else "" for xs in known) + " |")
    with_themes = [r for r in rows if not math.isnan(r[0])]
    themes_met = sum(r[0] >= GOALS["hit rate"] and r[1] >= GOALS["mean precision"] and r[2] < OTHER_GOAL for r in with_themes)
    with_pairs = [r for r in rows if not math.isnan(r[3])]
    pairs_met = sum(r[3] >= GOALS["pair precision"] and r[4] >= GOALS["pair recall"] for r in with_pairs)
    print(f"\nthemes: all three goals met on {themes_met} of {len(with_themes)} sets; "
          f"pairs: both goals met on {pairs_met} of {len(with_pairs)} sets")
    if arguments.floors:
        print("\nFLOORS entries (each figure less 0.005, cut to two places; other alone plus 0.002):")
        for folder, figures in zip(folders, rows):
            print(floor_row(folder.name, figures))


if __name__ == "__main__":
    main()
