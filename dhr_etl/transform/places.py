"""Place names in a recommendation's words, for repeat grouping to pass over.

Where an ask is made is not what is asked: "Tell friends and neighbours across Doncaster how to
voice a concern" and "... across Barnsley ..." are one ask, and "Havering's adult social care
should ..." and "the local authority should ..." one kind of body. The same-ask measures read a
place name as a rare word the other text lacks, the mark of a different ask. The names are those of
``reference/geography/local_authorities.csv`` (districts, counties, unitary authorities, their
Welsh names, police force and health areas), less the everyday words in
``reference/place_words_kept.csv``.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from dhr_etl.transform.rules import read_reference_csv, split_cell

PLACE_COLUMNS = ("la_name", "county", "welsh_name", "police_force_area", "health_area")


@cache
def place_pattern() -> str:
    """A regex (lower case) matching any place name as whole words, with a possessive "'s"."""
    kept = {row["name"].strip().lower() for row in read_reference_csv("place_words_kept.csv")}
    names = {name.lower() for row in read_reference_csv("geography/local_authorities.csv")
             for column in PLACE_COLUMNS for name in split_cell(row.get(column))}
    # Longest first, so "north east lincolnshire" goes whole rather than leaving "north east".
    alternatives = sorted(names - kept, key=lambda name: (-len(name), name))
    return r"\b(?:" + "|".join(re.escape(name) for name in alternatives) + r")(?:'s)?\b"


def without_places(lowered: pl.Series) -> pl.Series:
    """Lower-cased texts with every place name replaced by a space."""
    return lowered.str.replace_all(place_pattern(), " ")
