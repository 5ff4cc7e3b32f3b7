"""Load curated rule files from ``dhr_etl/reference/`` (editable by domain experts, reviewed in diffs)."""

from __future__ import annotations

import csv
import gzip
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import polars as pl

from dhr_etl.resources import REFERENCE_DIR
from dhr_etl.transform.threads import once


class ReferenceDataError(ValueError):
    """A reference file is malformed; the message names the file and line."""


def reference_path(name: str) -> Path:
    """Where reference file ``name`` is read from (what an error about it names)."""
    return REFERENCE_DIR / name


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Rows of a reference CSV; lines starting with ``#`` are comments. A byte-order mark (what a
    spreadsheet's "CSV UTF-8" puts first) is not part of the first column's name."""
    return list(_reference_reader(name))


def _reference_reader(name: str) -> csv.DictReader:
    with open(reference_path(name), encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in handle if not line.lstrip().startswith("#")]
    return csv.DictReader(lines)


def read_checked_csv(name: str, required: Sequence[str], optional: Sequence[str], takes: str,
                     extra_cells: str) -> list[dict[str, str]]:
    """Rows of a user-edited reference CSV (an override file), refused with a one-line error naming
    the file unless its header holds ``required`` and no column but those and ``optional`` (``takes``:
    how the error says what it takes), and each row has no more cells than the header (``extra_cells``:
    what the error says to do about it). Read loosely, a misspelt column reads as an empty one."""
    reader = _reference_reader(name)
    columns = reader.fieldnames or []
    if not set(required) <= set(columns) or set(columns) - set(required) - set(optional):
        raise ReferenceDataError(f"{reference_path(name)}: the columns are {', '.join(map(repr, columns))}; it takes {takes}")
    rows = list(reader)
    for number, row in enumerate(rows, start=1):
        if row.get(None):
            raise ReferenceDataError(f"{reference_path(name)}, data row {number}: more cells than columns; {extra_cells}")
    return rows


def warn_of_unmatched_overrides(name: str, count: int, example: tuple[str, str]) -> None:
    """Warn that ``count`` rows of override file ``name`` name no recommendation of the library
    (``example``: one such row's review_id and rec_label): a misspelt id or label changes nothing,
    silently, unless someone is told. One message for both override files."""
    logging.getLogger(__name__).warning("%s: %d row(s) name no recommendation of this library, e.g. review %s, label %s; "
                                        "they change nothing", name, count, *example)


def split_cell(cell: str | None) -> tuple[str, ...]:
    """The values of a reference cell that holds several, ``|``-separated ("policy | training")."""
    return tuple(part.strip() for part in (cell or "").split("|") if part.strip())


def _compile(name: str, row_number: int, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ReferenceDataError(f"{reference_path(name)}, rule {row_number}: bad pattern {pattern!r}: {exc}") from None


@contextmanager
def run_in_polars(name: str, patterns: Sequence[str]) -> Iterator[None]:
    """Around polars code that runs the patterns of reference file ``name``: a pattern polars refuses
    is reported by file, rule and pattern, instead of polars' own error, which names none of them.

    The patterns of the files that only polars runs (``ask_concepts.csv``, ``theme_rules.csv``) are
    not compiled ahead in Python: that took ~0.2 s of every process (Python's compiler is slow on
    patterns this size), it did not catch what polars refuses (a look-around, which Python accepts),
    and polars compiles each pattern anyway as it runs it."""
    try:
        yield
    except pl.exceptions.ComputeError as exc:
        refused = _refused_by_polars(name, patterns)
        if refused is None:
            raise
        raise refused from exc


def _refused_by_polars(name: str, patterns: Sequence[str]) -> ReferenceDataError | None:
    probe = pl.Series([""], dtype=pl.String)
    for row_number, pattern in enumerate(patterns, 1):
        try:
            probe.str.contains(pattern)
        except pl.exceptions.ComputeError as exc:
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            why = next((line for line in lines if line.startswith("error:")), lines[0] if lines else "refused")
            return ReferenceDataError(f"{reference_path(name)}, rule {row_number}: bad pattern {pattern!r} ({why}); "
                                      "patterns are Rust regular expressions, as polars runs them: no look-arounds "
                                      "and no back-references")
    return None


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


def _names(name: str, *columns: str) -> list[tuple[str, ...]]:
    return [tuple((row.get(c) or "").strip() for c in columns) for row in read_reference_csv(name)]


@cache
def synonyms() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(phrase, its whole-word pattern, replacement): the phrase lets a caller skip the pattern
    where the text does not contain it (the catalogue normalises ~40,000 names per process)."""
    return tuple((phrase, re.compile(rf"\b{re.escape(phrase)}\b"), replacement)
                 for phrase, replacement in _names("synonyms.csv", "phrase", "replacement"))


@cache
def acronyms() -> dict[str, str]:
    return {acronym.lower(): expansion.lower() for acronym, expansion in _names("acronyms.csv", "acronym", "expansion")}


@cache
def filler_words() -> frozenset[str]:
    return frozenset(word for (word,) in _names("filler_words.csv", "word"))


@cache
def curated_agency_aliases() -> tuple[tuple[str, str, str], ...]:
    return tuple(_names("agency_aliases.csv", "addressed_as", "canonical_name", "sector"))


@cache
def must_not_merge() -> tuple[tuple[str, str], ...]:
    return tuple(_names("must_not_merge.csv", "name_a", "name_b"))


@cache
def successors() -> tuple[tuple[str, str, str], ...]:
    return tuple(_names("successors.csv", "predecessor", "successor", "from"))


@cache
def generic_addressees() -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    return tuple((generic, re.compile(pattern) if pattern else None)
                 for generic, pattern in _names("generic_addressees.csv", "generic", "specific_pattern"))


@cache
def generic_place_rules() -> dict[str, str]:
    """generic name → what it means in the review's place (see ``generic_addressees.csv``)."""
    return {generic: rule for generic, rule in _names("generic_addressees.csv", "generic", "place_rule") if rule}


@once
def theme_rules() -> tuple[tuple[str, str, float], ...]:
    """(theme, pattern, weight): run by polars only (:func:`run_in_polars`). ``{named_systems}`` in a
    pattern stands for any of the names of ``named_systems.csv`` (:func:`named_systems_pattern`)."""
    systems = named_systems_pattern()
    return tuple((row["theme"], row["pattern"].replace("{named_systems}", systems), float(row["weight"]))
                 for row in read_reference_csv("theme_rules.csv"))


def named_systems_pattern() -> str:
    """A group matching any name of ``named_systems.csv`` (lower case, as the rules read the text), a
    space or hyphen in a name matching either or, for a hyphen, none ("cp-is", "cp is", "cpis")."""
    names = sorted({row["name"] for row in read_reference_csv("named_systems.csv") if row["name"].strip()}, key=lambda n: (-len(n), n))
    return "(?:" + "|".join(re.escape(name.strip().lower()).replace(r"\ ", "[ -]").replace(r"\-", "[ -]?")
                            for name in names) + ")"


@cache
def level_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    rows = read_reference_csv("level_rules.csv")
    return tuple((_compile("level_rules.csv", i, row["pattern"]), row["level"]) for i, row in enumerate(rows, 1))


def level_of(normalised_name: str) -> str:
    """national, regional or local: the reach of a body, for counting national recommendations apart."""
    for pattern, level in level_rules():
        if pattern.search(normalised_name):
            return level
    return "local"


@once
def _ask_concept_rows() -> list[dict[str, str]]:
    return read_reference_csv("ask_concepts.csv")


@once
def ask_concepts() -> tuple[tuple[str, str], ...]:
    """(concept, pattern): run by polars only (:func:`run_in_polars`)."""
    return tuple((row["concept"], row["pattern"]) for row in _ask_concept_rows())


@once
def concept_glosses() -> dict[str, str]:
    """Each concept's gloss: the plain words its meaning is read from (the concept's own name
    when the ``gloss`` column is empty). Word vectors know "risk conference" but not "marac"."""
    return {row["concept"]: (row.get("gloss") or "").strip() or row["concept"] for row in _ask_concept_rows()}


def read_model_lines(name: str) -> list[str]:
    """A trained model's table from ``reference/`` (its comment lines included). A name ending in
    ``.gz`` is read through gzip: the theme examples (:data:`dhr_etl.transform.theme_examples.EXAMPLES_FILE`)
    are 6.7 MB of text, 1.4 MB compressed."""
    path = reference_path(name)
    with (gzip.open(path, "rt", encoding="utf-8") if name.endswith(".gz") else open(path, encoding="utf-8")) as handle:
        return handle.readlines()
