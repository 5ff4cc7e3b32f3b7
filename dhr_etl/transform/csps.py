"""Canonical Community Safety Partnerships from the names the pages print.

Each printed name is placed on the geography reference (:mod:`dhr_etl.transform.geography`):
``Safer Leeds``, ``LEEDS`` and ``Leeds City Council`` are all Leeds, which then carries its region,
police force area and health area. A placed CSP's key comes from its csp_id, so it is the key its
canonical spelling always had. A name the reference cannot place (unknown, or fitting two real
partnerships) keeps the rule used before there was a reference: spellings that differ only in
case, white space, punctuation or ``&``/``and`` are one CSP, named by the spelling with "and", else
the most printed; these are reported for a human (kind 'unplaced CSP' / 'ambiguous CSP').
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from dhr_etl.transform.geography import Csp, CspPlacing, Geography, load_geography
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import normalise_name, preferred_spelling, slugify

CSP_SCHEMA = {"csp_key": pl.Int64, "csp_name": pl.String, "csp_slug": pl.String, "spellings": pl.String,
              "region": pl.String, "police_force_area": pl.String, "health_area": pl.String,
              "placement_method": pl.String}
CSP_LOOKUP_SCHEMA = {"csp_printed": pl.String, "csp_key": pl.Int64, "placement_method": pl.String,
                     "candidates": pl.String}
CSP_FINDING_KINDS = {"unplaced": "unplaced CSP", "ambiguous": "ambiguous CSP"}
# The least certain way a CSP's spellings were placed is the one a reader should know of.
_CERTAINTY = ("exact", "variant", "normalised", "typo")


def csp_key(csp: Csp) -> int:
    """The key of a placed CSP: the key its canonical spelling had under the normalised-name rule
    (csp_id is the slug of that spelling), so warehouses built before the reference keep theirs."""
    return stable_key("csp", " ".join(csp.csp_id.split("-")))


def _placed_row(csp: Csp, placings: list[tuple[CspPlacing, int]]) -> dict:
    weakest = max((p.method for p, _ in placings), key=_CERTAINTY.index)
    return {"csp_key": csp_key(csp), "csp_name": csp.name, "csp_slug": csp.csp_id,
            "spellings": " | ".join(sorted(p.printed for p, _ in placings)), "region": csp.region,
            "police_force_area": csp.police_force_area, "health_area": csp.health_area or None,
            "placement_method": weakest}


def _unplaced_row(normalised: str, placings: list[tuple[CspPlacing, int]]) -> dict:
    name = preferred_spelling([(p.printed, count) for p, count in placings])
    method = "ambiguous" if any(p.method == "ambiguous" for p, _ in placings) else "unplaced"
    return {"csp_key": stable_key("csp", normalised), "csp_name": name, "csp_slug": slugify(name),
            "spellings": " | ".join(sorted(p.printed for p, _ in placings)), "region": None,
            "police_force_area": None, "health_area": None, "placement_method": method}


def resolve_csps(csp_printed: pl.Series, geography: Geography | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(csps, lookup): one row per CSP, and the map from each printed spelling to its key, with how
    it was placed and, when ambiguous, the CSPs it could be."""
    geography = geography or load_geography()
    placed: dict[str, list[tuple[CspPlacing, int]]] = defaultdict(list)
    unplaced: dict[str, list[tuple[CspPlacing, int]]] = defaultdict(list)
    for spelling, count in csp_printed.drop_nulls().value_counts(sort=True).iter_rows():
        placing = geography.place(spelling)
        if placing.csp is not None:
            placed[placing.csp.csp_id].append((placing, count))
        else:
            unplaced[normalise_name(spelling)].append((placing, count))
    groups = [(_placed_row(geography.csps[csp_id], placed[csp_id]), placed[csp_id]) for csp_id in sorted(placed)]
    groups += [(_unplaced_row(normalised, unplaced[normalised]), unplaced[normalised]) for normalised in sorted(unplaced)]
    rows = [row for row, _ in groups]
    lookup = [{"csp_printed": placing.printed, "csp_key": row["csp_key"], "placement_method": placing.method,
               "candidates": " | ".join(placing.candidates) or None}
              for row, placings in groups for placing, _ in placings]
    csps = pl.DataFrame(rows, schema=CSP_SCHEMA)
    return csps, pl.DataFrame(lookup, schema=CSP_LOOKUP_SCHEMA)


def csp_findings(reviews: pl.DataFrame, csp_lookup: pl.DataFrame) -> pl.DataFrame:
    """One finding per printed CSP name the reference could not place, with the reviews printing it
    (the first 20), in the shape of the resolution findings: kind, addressed_as, detail, review_ids."""
    not_placed = csp_lookup.filter(pl.col("placement_method").is_in(list(CSP_FINDING_KINDS)))
    pages = reviews.select("review_id", "csp_printed").group_by("csp_printed").agg(
        pl.col("review_id").unique().sort().head(20).str.join(" | ").alias("review_ids"))
    return not_placed.join(pages, on="csp_printed", how="left").sort("csp_printed").select(
        pl.col("placement_method").replace_strict(CSP_FINDING_KINDS).alias("kind"),
        pl.col("csp_printed").alias("addressed_as"),
        pl.when(pl.col("placement_method") == "ambiguous")
        .then(pl.lit("fits more than one CSP: ") + pl.col("candidates")
              + pl.lit("; add the spelling to the right row of reference/geography/csps.csv"))
        .otherwise(pl.lit("no CSP in reference/geography/csps.csv has this name; add it as a library spelling "
                          "or other name of its CSP (or a new row)"))
        .alias("detail"),
        pl.col("review_ids"),
    )
