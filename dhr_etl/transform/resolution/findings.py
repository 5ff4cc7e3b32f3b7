"""What needs a human, besides the steps' own findings: names too long to match, specific bodies
outside the catalogue, bodies with no sector, spellings new since the last run; each finding with
the reviews that print it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from dhr_etl.transform.catalogue import Catalogue
from dhr_etl.transform.registry import AgencyRegistry
from dhr_etl.transform.resolution.clusters import Clusters
from dhr_etl.transform.resolution.spellings import MAX_MATCHED_CHARS, Name, matchable

FINDING_SCHEMA = {"kind": pl.String, "addressed_as": pl.String, "detail": pl.String, "review_ids": pl.String}


def too_long(names: Mapping[str, Name]) -> list[dict]:
    return [{"kind": "not matched: too long for a name", "addressed_as": name.printed,
             "detail": f"{len(name.printed):,} characters, over {MAX_MATCHED_CHARS}: kept as printed, as a body of its own"}
            for name in names.values() if not matchable(name.key)]


def outside_catalogue(agencies: pl.DataFrame, catalogue: Catalogue) -> list[dict]:
    """Specific bodies no catalogue entry matched: still resolved by the rules, listed for a human."""
    if not catalogue.bodies:
        return []
    outside = agencies.filter(~pl.col("is_generic") & ~pl.col("is_group")
                              & (pl.col("agency_sector") != "community safety partnership"))
    return [{"kind": "not in the catalogue", "addressed_as": name,
             "detail": "resolved by the rules; add it to reference/bodies/ or a curated alias if it is a real body"}
            for name in outside["agency_name"].to_list()]


def for_humans(agencies: pl.DataFrame, aliases: pl.DataFrame, registry: AgencyRegistry) -> list[dict]:
    """Bodies no sector rule matched, and (when there was an earlier run) spellings new since it."""
    findings = [{"kind": "no sector", "addressed_as": row["agency_name"],
                 "detail": "no sector rule matched; add one to reference/sector_rules.csv or a curated alias"}
                for row in agencies.filter(pl.col("agency_sector") == "other").iter_rows(named=True)]
    if registry.has_history:
        findings += [{"kind": "new name since the last run", "addressed_as": row["addressed_as"],
                      "detail": f"matched by {row['match_method']} (confidence {row['confidence']})"}
                     for row in aliases.iter_rows(named=True) if not registry.knows_alias(row["addressed_as"])]
    return findings


def findings_frame(findings: Iterable[dict], addressees: pl.DataFrame) -> pl.DataFrame:
    """The findings, each once, with up to 20 of the reviews that print the name."""
    frame = pl.DataFrame(list(findings), schema={k: v for k, v in FINDING_SCHEMA.items() if k != "review_ids"})
    pages = addressees.group_by("addressed_as").agg(
        pl.col("review_id").unique().sort().head(20).str.join(" | ").alias("review_ids"))
    named = frame.join(pages, on="addressed_as", how="left")
    return named.select(list(FINDING_SCHEMA)).unique(maintain_order=True)


def catalogue_keys(clusters: Clusters, key_of_root: Mapping[str, int], extra: Iterable[dict]) -> set[int]:
    """Agencies that are catalogue bodies: matched by name, or brought in by a review's place (the
    partnership of a CSP the geography cannot place is brought in too: it has its sector)."""
    return {key_of_root[root] for root in clusters.body if root in key_of_root} | {row["agency_key"] for row in extra}
