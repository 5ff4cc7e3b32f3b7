"""Asset checks. Blocking ones stop a bad version from being published."""


import dagster as dg
import polars as pl

from dhr_etl.defs.metadata import preview
from dhr_etl.warehouse import checks
from dhr_etl.warehouse.store import StagedVersion, open_warehouse


def _staged_query(staged_warehouse: pl.DataFrame) -> checks.Query:
    staged = StagedVersion.from_frame(staged_warehouse)
    return open_warehouse(staged.warehouse_url).staged_query(staged.location)


def _result(outcome: checks.CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=outcome.description,
        metadata={"problems": outcome.problems or "none"},
    )


@dg.asset_check(asset="staged_warehouse", blocking=True, description="Keys unique and not null in every table.")
def keys_unique(staged_warehouse: pl.DataFrame) -> dg.AssetCheckResult:
    return _result(checks.duplicate_keys(_staged_query(staged_warehouse)))


@dg.asset_check(asset="staged_warehouse", blocking=True, description="No fact, bridge or alias row points at a missing row.")
def no_orphan_rows(staged_warehouse: pl.DataFrame) -> dg.AssetCheckResult:
    return _result(checks.orphan_rows(_staged_query(staged_warehouse)))


@dg.asset_check(asset="staged_warehouse", blocking=True, description="Row counts equal what was parsed and resolved.")
def counts_reconcile(staged_warehouse: pl.DataFrame) -> dg.AssetCheckResult:
    return _result(checks.counts_reconcile(_staged_query(staged_warehouse),
                                           StagedVersion.from_frame(staged_warehouse).expected_rows))


@dg.asset_check(
    asset="parsed_reviews",
    additional_ins={"parsed_recommendations": dg.AssetIn("parsed_recommendations")},
    description="Each page's declared count ('Extracted: N recs') equals the rows parsed.",
)
def declared_counts_match(parsed_reviews: pl.DataFrame, parsed_recommendations: pl.DataFrame) -> dg.AssetCheckResult:
    parsed = parsed_recommendations.group_by("review_id").len("parsed")
    mismatched = (
        parsed_reviews.select("review_id", "declared_recommendations")
        .join(parsed, on="review_id", how="left")
        .with_columns(pl.col("parsed").fill_null(0))
        .filter(pl.col("declared_recommendations").is_not_null()
                & (pl.col("declared_recommendations") != pl.col("parsed")))
    )
    return dg.AssetCheckResult(
        passed=mismatched.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reviews_mismatched": len(mismatched), "mismatches": preview(mismatched, 25)},
    )
