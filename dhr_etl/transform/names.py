"""Normalised forms of printed names: the text two spellings of one body share."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_NOT_WORD = re.compile(r"[^\w\s]+")
_AMPERSAND = re.compile(r"\s*&\s*|\s*\+\s*")


def normalise_name(printed: str) -> str:
    """Case, white space, ``&``/``and``, curly/straight apostrophes and punctuation folded away:
    ``Children’s Services`` and ``childrens  services`` → ``childrens services``."""
    text = unicodedata.normalize("NFKC", printed).translate(_APOSTROPHES).lower()
    text = _AMPERSAND.sub(" and ", text).replace("'", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def slugify(name: str) -> str:
    return "-".join(normalise_name(name).replace("_", " ").split())


def preferred_spelling(spellings_with_counts: list[tuple[str, int]]) -> str:
    """The most printed spelling; ties go to one that writes "and" rather than "&", then to the one
    sorting first (straight apostrophes before curly), so the choice never depends on input order."""
    return min(spellings_with_counts, key=lambda item: (-item[1], "&" in item[0], item[0]))[0]
