"""How agency resolution time grows with the number of distinct printed names (1,000 → 50,000),
and its quality on the labelled set.

    .venv/bin/python bench/resolution_scaling.py

Names are synthetic but shaped like the real ones: invented place names × the kinds of body
reviews address, with the spelling variants reviews print (& / and, case, acronyms, suffixes,
typos). Prints markdown; asserts nothing.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dhr_etl.transform.agencies import resolve_agencies  # noqa: E402
from tests.transform.resolution_helpers import one_per_review  # noqa: E402
from tests.transform.test_agency_resolution import pairwise_scores  # noqa: E402

SYLLABLES = ["ash", "bur", "cal", "dun", "el", "fen", "gar", "har", "ing", "kel", "lan", "mar", "nor", "ock",
             "pen", "ric", "sal", "tor", "ul", "ven", "wick", "yar", "ton", "ley", "ford", "by", "ham", "field"]
BODIES = ["Police", "NHS Foundation Trust", "County Council", "Children's Services", "Adult Social Care",
          "Safeguarding Adults Board", "CCG", "Integrated Care Board", "Community Safety Partnership",
          "Housing Association", "Women's Aid", "Probation Delivery Unit", "Fire and Rescue Service",
          "Domestic Abuse Service", "Hospital", "Borough Council"]


def place(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def variant(name: str, rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.2:
        return name.replace(" and ", " & ")
    if choice < 0.35:
        return name.lower()
    if choice < 0.5 and len(name) > 8:
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # a transposition typo
    if choice < 0.6:
        return name.replace("NHS Foundation Trust", "NHS FT").replace("Children's", "Children’s")
    return name


def names(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < count:
        base = f"{place(rng)} {rng.choice(BODIES)}"
        out.add(base)
        if rng.random() < 0.5:
            out.add(variant(base, rng))
    return sorted(out)[:count]


def main() -> None:
    precision, recall, f1, sector_accuracy = pairwise_scores()
    print(f"labelled set: pairwise precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}; "
          f"sector accuracy {sector_accuracy:.3f}\n")
    print("| distinct printed names | agencies | seconds | per 1,000 names | growth vs previous |")
    print("|---|---|---|---|---|")
    previous = None
    for count in (1_000, 5_000, 10_000, 50_000):
        frame = one_per_review(names(count))
        started = time.perf_counter()
        resolution = resolve_agencies(frame)
        seconds = time.perf_counter() - started
        growth = f"{seconds / previous[1]:.1f}× for {count / previous[0]:.0f}× names" if previous else ""
        print(f"| {count:,} | {resolution.agencies.height:,} | {seconds:.2f} | {seconds / count * 1000:.3f} | {growth} |")
        previous = (count, seconds)


if __name__ == "__main__":
    main()
