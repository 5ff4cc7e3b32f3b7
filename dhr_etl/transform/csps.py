"""Canonical Community Safety Partnerships from the names the pages print.

Spellings that differ only in case, white space, punctuation or ``&``/``and`` are one CSP
(``Nuneaton & Bedworth`` = ``Nuneaton and Bedworth``). Merged and historic names stay distinct
(``Adur`` ≠ ``Adur and Worthing``) unless ``reference/csp_aliases.csv`` says otherwise. The name
shown is the spelling with "and", else the most printed one.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import normalise_name, preferred_spelling, slugify
from dhr_etl.transform.rules import curated_csp_aliases

CSP_SCHEMA = {"csp_key": pl.Int64, "csp_name": pl.String, "csp_slug": pl.String, "spellings": pl.String}
CSP_LOOKUP_SCHEMA = {"csp_printed": pl.String, "csp_key": pl.Int64}


def _group_spellings(printed: pl.Series) -> dict[str, list[tuple[str, int]]]:
    """normalised form (of the curated name, where there is one) → [(spelling, times printed)]."""
    curated = {normalise_name(k): normalise_name(v) for k, v in curated_csp_aliases().items()}
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for spelling, count in printed.drop_nulls().value_counts(sort=True).iter_rows():
        normalised = normalise_name(spelling)
        groups[curated.get(normalised, normalised)].append((spelling, count))
    return {key: sorted(groups[key]) for key in sorted(groups)}


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
