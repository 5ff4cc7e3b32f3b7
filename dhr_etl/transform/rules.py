"""Load curated rule files from ``dhr_etl/reference/`` (editable by domain experts, reviewed in diffs)."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


class ReferenceDataError(ValueError):
    """A reference file is malformed; the message names the file and line."""


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Rows of a reference CSV; lines starting with ``#`` are comments."""
    path = REFERENCE_DIR / name
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


def _compile(name: str, row_number: int, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ReferenceDataError(f"{REFERENCE_DIR / name}, rule {row_number}: bad pattern {pattern!r}: {exc}") from None


@cache
def sector_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    rows = read_reference_csv("sector_rules.csv")
    return tuple((_compile("sector_rules.csv", i, row["pattern"]), row["sector"]) for i, row in enumerate(rows, 1))


@cache
def group_patterns() -> tuple[re.Pattern[str], ...]:
    rows = read_reference_csv("group_patterns.csv")
    return tuple(_compile("group_patterns.csv", i, row["pattern"]) for i, row in enumerate(rows, 1))


def sector_of(normalised_name: str) -> str:
    for pattern, sector in sector_rules():
        if pattern.search(normalised_name):
            return sector
    return "other"


def is_group(normalised_name: str) -> bool:
    return any(pattern.search(normalised_name) for pattern in group_patterns())
