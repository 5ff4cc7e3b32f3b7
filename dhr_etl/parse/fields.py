"""Values of the page's labelled fields, and the natural order of recommendation labels."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})\b")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?\b")
_SLASH_MONTH = re.compile(r"^(?:\d{1,2}/)?(\d{1,2})/(\d{4})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_COUNT = re.compile(r"^(\d+)\s*(?:recs?|recommendations?)?\b", re.IGNORECASE)


def parse_published_month(value: str) -> dt.date | None:
    """``June 2023`` → 2023-06-01. Also ``Jun 2023``, ``2023-06``, ``06/2023``. None if unreadable."""
    value = value.strip()
    if m := _MONTH_YEAR.match(value):
        month = _MONTHS.get(m.group(1).lower())
        return dt.date(int(m.group(2)), month, 1) if month else None
    if m := _ISO_MONTH.match(value):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _SLASH_MONTH.match(value):
        month, year = int(m.group(1)), int(m.group(2))
    else:
        return None
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


def parse_year(value: str) -> int | None:
    """``2012`` → 2012; ``Unknown``, empty or yearless text → None."""
    m = _YEAR.search(value)
    return int(m.group(1)) if m else None


def parse_declared_count(value: str) -> int | None:
    """``54 recs`` / ``1 rec`` / ``0`` → the number; anything else → None."""
    m = _COUNT.match(value.strip())
    return int(m.group(1)) if m else None


_LABEL_PIECE = re.compile(r"\d+|[^\W\d_]+")


def natural_sort_key(label: str) -> tuple[tuple[int, int | str], ...]:
    """Order labels as a reader would: R2 < R10, 9.1 a < 9.1 b < 10.1, 8 < 8.1 < 8.1.1.

    Numbers compare as numbers and sort before letters at the same place; punctuation and
    spacing are ignored, so ``9.1a`` and ``9.1 a`` sort together.
    """
    return tuple(
        (0, int(piece)) if piece.isdigit() else (1, piece.lower())
        for piece in _LABEL_PIECE.findall(label)
    )
