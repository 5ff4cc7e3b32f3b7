"""Mine library-neighbour pairs: the pairs of different reviews' recommendations that the shipped
same-ask network would weigh inside one library, to be labelled by hand.

The labelled pair files are written pair by pair, half of them paraphrases; inside a library the
pairs grouping meets are each wording with its nearest neighbours, and most of those ask different
things. Here each labelled set's theme file (about 400 recommendations in about 100 made-up reviews)
is read as a library: each recommendation is paired with the NEIGHBOURS recommendations
nearest it in meaning, as grouping pairs them (repeats._nearest_in_meaning); the pairs of two
reviews are scored by the network as grouping scores them (same_ask.same_ask_probability), and every
pair scoring at least --floor is written out, unlabelled, for people to label same ask / different ask.

    .venv/bin/python bench/mine_library_neighbours.py --out mined.csv themes_dev84 ... themes_dev165

Writes pair_id, set, text_a, text_b, probability (sorted by set, then probability descending).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from dhr_etl.transform.repeats import NEIGHBOURS, _nearest_in_meaning, ask_words_of  # noqa: E402
from dhr_etl.transform.same_ask import same_ask_probability  # noqa: E402
from dhr_etl.transform.train_themes import FIXTURES, labelled_rows  # noqa: E402


def neighbour_pairs(texts: list[str], reviews: list[str], floor: float) -> list[tuple[int, int, float]]:
    """(a, b, probability) for each pair of a text and one of its NEIGHBOURS nearest in meaning,
    of different reviews, whose same-ask probability is at least ``floor``."""
    prepared, _ = ask_words_of(pl.Series(texts, dtype=pl.String))
    a, b = _nearest_in_meaning(prepared.meaning, np.arange(len(texts)), 1)
    apart = np.array([reviews[i] != reviews[j] for i, j in zip(a.tolist(), b.tolist())], dtype=bool)
    a, b = a[apart], b[apart]
    p = same_ask_probability(prepared, a, b)
    keep = p >= floor
    return sorted(zip(a[keep].tolist(), b[keep].tolist(), p[keep].tolist()), key=lambda t: -t[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", help="set folders under tests/transform/fixtures whose themes_holdout.csv is read")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--floor", type=float, default=0.25, help="lowest same-ask probability written (default 0.25)")
    args = parser.parse_args()
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pair_id", "set", "text_a", "text_b", "probability"])
        count = 0
        for name in args.sets:
            rows = labelled_rows(FIXTURES / name / "themes_holdout.csv")
            texts, reviews = [r["text"] for r in rows], [r["review_id"] for r in rows]
            found = neighbour_pairs(texts, reviews, args.floor)
            for i, j, p in found:
                count += 1
                writer.writerow([f"ln{count:05d}", name, texts[i], texts[j], f"{p:.3f}"])
            print(f"{name}: {len(texts)} recommendations, {len(found)} neighbour pairs at {args.floor} or over", file=sys.stderr)
    print(f"{count} pairs written to {args.out} (NEIGHBOURS {NEIGHBOURS})", file=sys.stderr)


if __name__ == "__main__":
    main()
