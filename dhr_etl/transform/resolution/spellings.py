"""Every printed spelling once, with how often it is printed and the match key it is grouped under."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import polars as pl

from dhr_etl.transform.catalogue import Catalogue
from dhr_etl.transform.names import core_name, looks_like_acronym, match_key, normalise_name
from dhr_etl.transform.resolution.clusters import method_of
from dhr_etl.transform.rules import generic_addressees

MAX_MATCHED_CHARS = 300
"""Names longer than this (the longest real body's name is under 120 characters) are a sentence
or a paste, not an addressee: each stands for itself, joined only to the very same text, and is
kept out of acronym and fuzzy matching, whose cost grows with the square of a name's length (two
1 MB names took 65 s to compare)."""


@dataclass(frozen=True, slots=True)
class Name:
    printed: str
    count: int
    core: str
    key: str
    acronym: bool


def distinct_names(printed: pl.Series, catalogue: Catalogue) -> dict[str, Name]:
    """printed spelling → its :class:`Name`, sorted by spelling. A name keeps its filler words in
    its key where they tell two catalogue bodies apart ("Sandwell Children's Trust" is not
    "Sandwell Children's Services")."""
    names = {}
    for spelling, count in printed.drop_nulls().value_counts(sort=True).iter_rows():
        core = core_name(spelling)
        key = match_key(core)
        names[spelling] = Name(spelling, count, core, catalogue.own_key(core, key) or key, looks_like_acronym(spelling))
    return dict(sorted(names.items()))


def by_match_key(names: Mapping[str, Name], more_keys: Iterable[str] = ()) -> dict[str, list[Name]]:
    """match key → its printed spellings; ``more_keys`` (the curated names' keys) are there even
    when nothing printed them, so a curated alias can join them."""
    grouped: dict[str, list[Name]] = defaultdict(list)
    for name in names.values():
        grouped[name.key].append(name)
    for key in more_keys:
        grouped.setdefault(key, [])
    return grouped


def spelled_alike(by_key: Mapping[str, list[Name]], methods: Mapping[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """Keys printed in several spellings that normalise differently ("CPS" and "C.P.S." do not;
    "Kent Constabulary" and "Kent Police" do) were joined by the rules: method "rule"."""
    return {key: ("rule", method_of(methods, key)[1]) for key, members in by_key.items()
            if len({normalise_name(n.printed) for n in members}) > 1 and method_of(methods, key)[0] == "exact"}


def matchable(key: str) -> bool:
    return len(key) <= MAX_MATCHED_CHARS


@cache
def generic_keys() -> dict[str, re.Pattern[str] | None]:
    """match key of a generic addressee ("Police") → the pattern a specific body of its kind matches."""
    return {match_key(core_name(generic)): pattern for generic, pattern in generic_addressees()}
