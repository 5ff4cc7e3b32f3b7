"""Curated aliases (``reference/agency_aliases.csv``): they join first and always win, and give
their body its name and, where the row says, its sector."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dhr_etl.transform.names import core_name, match_key
from dhr_etl.transform.resolution.clusters import Merge


@dataclass(frozen=True, slots=True)
class CuratedAliases:
    keys: tuple[str, ...] = ()
    """Every curated name's match key, canonical and printed, in file order."""
    names: Mapping[str, str] = field(default_factory=dict)
    """canonical match key → the curated name"""
    sectors: Mapping[str, str] = field(default_factory=dict)
    """canonical match key → the curated sector"""
    merges: tuple[Merge, ...] = ()
    methods: Mapping[str, tuple[str, float]] = field(default_factory=dict)


def curated_aliases(printed_keys: Iterable[str], rows: Iterable[tuple[str, str, str]]) -> CuratedAliases:
    """``printed_keys``: the match keys of the printed spellings; ``rows``: (printed, canonical,
    sector) as :func:`~dhr_etl.transform.rules.curated_agency_aliases` reads them."""
    printed = set(printed_keys)
    keys: dict[str, None] = {}
    names: dict[str, str] = {}
    sectors: dict[str, str] = {}
    merges, methods = [], {}
    for alias, canonical, sector in rows:
        key, canonical_key = match_key(core_name(alias)), match_key(core_name(canonical))
        keys.setdefault(canonical_key)
        keys.setdefault(key)
        if key in printed:
            methods[key] = ("curated", 1.0)
        names[canonical_key] = canonical
        if sector:
            sectors[canonical_key] = sector
        merges.append(Merge(key, other=canonical_key, force=True))
    return CuratedAliases(tuple(keys), names, sectors, tuple(merges), methods)


def forbidden_pairs(*pairs: Iterable[tuple[str, str]]) -> set[frozenset[str]]:
    """Curated pairs of names never to join (``reference/must_not_merge.csv`` and the catalogue's),
    as pairs of match keys."""
    return {frozenset((match_key(core_name(a)), match_key(core_name(b)))) for group in pairs for a, b in group}
