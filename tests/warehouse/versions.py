"""Warehouse versions of a chosen size and a recognisable signature, for publishing tests."""

from __future__ import annotations

import polars as pl

KEY_COLUMNS = ("csp_key", "agency_key", "alias_key", "review_key", "recommendation_key")


def replicate(tables: dict[str, pl.DataFrame], copies: int) -> dict[str, pl.DataFrame]:
    """The sample repeated ``copies`` times with shifted keys: a larger, internally consistent version."""
    out = {}
    for name, frame in tables.items():
        if name in ("dim_csp", "dim_agency", "dim_agency_alias", "resolution_finding", "warehouse_version"):
            out[name] = frame
            continue
        parts = []
        for i in range(copies):
            shifted = frame.with_columns(
                [(pl.col(c) + i * 7_919) % (2**62) for c in ("review_key", "recommendation_key") if c in frame.columns]
            )
            if "review_id" in frame.columns:
                shifted = shifted.with_columns(pl.col("review_id") + f"-copy{i}")
            parts.append(shifted)
        out[name] = pl.concat(parts)
    return out


def keep_reviews(tables: dict[str, pl.DataFrame], count: int) -> dict[str, pl.DataFrame]:
    """A consistent smaller version: the first ``count`` reviews and everything that hangs off them."""
    reviews = tables["dim_review"].sort("review_id").head(count)
    facts = tables["fact_recommendation"].filter(pl.col("review_key").is_in(reviews["review_key"].implode()))
    bridge = tables["bridge_recommendation_agency"].filter(
        pl.col("recommendation_key").is_in(facts["recommendation_key"].implode()))
    findings = tables["data_quality_finding"].filter(pl.col("review_id").is_in(reviews["review_id"].implode()))
    return {**tables, "dim_review": reviews, "fact_recommendation": facts,
            "bridge_recommendation_agency": bridge, "data_quality_finding": findings}


SIGNATURE_SQL = ("SELECT (SELECT COUNT(*) FROM v_reviews), (SELECT COUNT(*) FROM v_recommendations), "
                 "(SELECT COUNT(*) FROM v_recommendation_agencies), (SELECT SUM(reviews) FROM v_csp_year_summary)")


def signature(tables: dict[str, pl.DataFrame]) -> tuple[int, int, int, int]:
    n = len(tables["dim_review"])
    return (n, len(tables["fact_recommendation"]), len(tables["bridge_recommendation_agency"]), n)
