"""Values of the page's labelled fields, and the natural order of recommendation labels.

Each parser returns None for text that does not have the field's shape (so "Published in 2016" in
a paragraph is not taken for the field), and raises :class:`PageParseError` with one sentence when
the shape is right but the value cannot be true ("February 0000", month 13, "99999999999 recs"):
such a page is quarantined with that sentence rather than loaded with a wrong value.
"""

from __future__ import annotations

import datetime as dt
import re

from dhr_etl.parse.model import PageParseError

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
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\b")
_SLASH_MONTH = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})\b")
_DIGIT_RUN = re.compile(r"\d+")
_COUNT = re.compile(r"^(\d+)\s*(?:recs?|recommendations?)?\b", re.IGNORECASE)

FIRST_PUBLISHED_YEAR = 1990
"""Statutory DHRs began in 2011; earlier years allow for older reviews a library might hold."""
FIRST_YEAR_OF_DEATH = 1900
MAX_DECLARED_COUNT = 9_999
"""The longest review seen declares under 100 recommendations; more than four digits is a typo."""
_SHOWN_CHARS = 60


def shown(value: str) -> str:
    """A value quoted in an error sentence, cut short so a 5 MB cell makes a readable message."""
    return repr(value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "…")


def _latest_year() -> int:
    return dt.date.today().year + 1


def parse_published_month(value: str) -> dt.date | None:
    """``June 2023`` → 2023-06-01. Also ``Jun 2023``, ``2023-06``, ``06/2023``, ``1/06/2023``.

    None if the text has none of those shapes or names no month ("Spring 2016", "Febuary 2016"
    read as unreadable, not wrong); PageParseError for an impossible year, month or day."""
    value = value.strip()
    day = None
    if m := _MONTH_YEAR.match(value):
        month = _MONTHS.get(m.group(1).lower())
        if month is None:
            return None
        year = int(m.group(2))
    elif m := _ISO_MONTH.match(value):
        year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    elif m := _SLASH_MONTH.match(value):
        day, month, year = m.group(1), int(m.group(2)), int(m.group(3))
    else:
        return None
    accepted = "accepted: a month from January 1990 to December {} written like 'June 2023', '2023-06' or '06/2023'"
    if not FIRST_PUBLISHED_YEAR <= year <= _latest_year() or not 1 <= month <= 12:
        raise PageParseError(f"'Published' value {shown(value)} is not a possible month ({accepted.format(_latest_year())})")
    if day is not None:
        try:
            dt.date(year, month, int(day))
        except ValueError:
            raise PageParseError(f"'Published' value {shown(value)} names a day that month does not have "
                                 f"({accepted.format(_latest_year())})") from None
    return dt.date(year, month, 1)


def parse_year(value: str) -> int | None:
    """``2012`` → 2012; ``Unknown``, empty or numberless text → None; PageParseError for a number
    of four or more digits that is no possible year of death (``0000``, ``2999``, ``99999999999``)."""
    runs = _DIGIT_RUN.findall(value)
    for run in runs:
        if len(run) == 4 and FIRST_YEAR_OF_DEATH <= int(run) <= dt.date.today().year:
            return int(run)
    if any(len(run) >= 4 for run in runs):
        raise PageParseError(f"'Year of death' value {shown(value)} is not a possible year "
                             f"(accepted: a year from {FIRST_YEAR_OF_DEATH} to {dt.date.today().year}, or 'Unknown')")
    return None


def parse_declared_count(value: str) -> int | None:
    """``54 recs`` / ``1 rec`` / ``0`` → the number; text not starting with a number → None;
    PageParseError for more than MAX_DECLARED_COUNT (never converting a huge digit run to int)."""
    m = _COUNT.match(value.strip())
    if not m:
        return None
    digits = m.group(1).lstrip("0") or "0"
    if len(digits) > len(str(MAX_DECLARED_COUNT)) or int(digits) > MAX_DECLARED_COUNT:
        raise PageParseError(f"'Extracted' value {shown(value.strip())} is not a possible recommendation count "
                             f"(accepted: 0 to {MAX_DECLARED_COUNT:,}, like '54 recs')")
    return int(digits)


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
