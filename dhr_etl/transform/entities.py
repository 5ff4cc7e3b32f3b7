"""Canonical agencies and CSPs from the printed names.

This first resolution step merges spellings that normalise to the same text (case, white space,
``&``/``and``, apostrophes, punctuation). The frames already have the shape the warehouse keeps,
so richer matching (acronyms, fuzzy, context) changes what is merged, not the tables.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import normalise_name, preferred_spelling, slugify
from dhr_etl.transform.rules import is_group, sector_of

AGENCY_SCHEMA = {"agency_key": pl.Int64, "agency_name": pl.String, "normalised_name": pl.String,
                 "agency_sector": pl.String, "is_group": pl.Boolean}
ALIAS_SCHEMA = {"alias_key": pl.Int64, "addressed_as": pl.String, "agency_key": pl.Int64,
                "match_method": pl.String, "confidence": pl.Float64, "times_printed": pl.Int64}
CSP_SCHEMA = {"csp_key": pl.Int64, "csp_name": pl.String, "csp_slug": pl.String, "spellings": pl.String}
CSP_LOOKUP_SCHEMA = {"csp_printed": pl.String, "csp_key": pl.Int64}


def _group_spellings(printed: pl.Series) -> dict[str, list[tuple[str, int]]]:
    """normalised form → [(printed spelling, times printed)], sorted for determinism."""
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for spelling, count in printed.drop_nulls().value_counts(sort=True).iter_rows():
        groups[normalise_name(spelling)].append((spelling, count))
    return {key: sorted(groups[key]) for key in sorted(groups)}


def resolve_agencies(addressed_as: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(agencies, aliases): one row per canonical body, and one per printed spelling of it."""
    agencies, aliases = [], []
    for normalised, spellings in _group_spellings(addressed_as).items():
        agency_key = stable_key("agency", normalised)
        name = preferred_spelling(spellings)
        agencies.append({"agency_key": agency_key, "agency_name": name, "normalised_name": normalised,
                         "agency_sector": sector_of(normalised), "is_group": is_group(normalised)})
        aliases.extend(
            {"alias_key": stable_key("alias", spelling), "addressed_as": spelling, "agency_key": agency_key,
             "match_method": "exact" if spelling == name else "rule", "confidence": 1.0,
             "times_printed": count}
            for spelling, count in spellings
        )
    return pl.DataFrame(agencies, schema=AGENCY_SCHEMA), pl.DataFrame(aliases, schema=ALIAS_SCHEMA)


def resolve_csps(csp_printed: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(csps, lookup): one row per CSP, and the map from each printed spelling to its key."""
    csps, lookup = [], []
    for normalised, spellings in _group_spellings(csp_printed).items():
        csp_key = stable_key("csp", normalised)
        name = preferred_spelling(spellings)
        csps.append({"csp_key": csp_key, "csp_name": name, "csp_slug": slugify(name),
                     "spellings": " | ".join(spelling for spelling, _ in spellings)})
        lookup.extend({"csp_printed": spelling, "csp_key": csp_key} for spelling, _ in spellings)
    return pl.DataFrame(csps, schema=CSP_SCHEMA), pl.DataFrame(lookup, schema=CSP_LOOKUP_SCHEMA)
