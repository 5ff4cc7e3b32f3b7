"""Data-quality findings per review: what a careful reader of the page would flag."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.text import ASK_CHARACTERS, read_in_part

FINDING_SCHEMA = {"review_id": pl.String, "finding": pl.String, "severity": pl.String}


def find_quality_issues(reviews: pl.DataFrame, recommendation_counts: pl.DataFrame,
                        quarantine: pl.DataFrame, recommendations: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (review, finding). ``recommendation_counts``: rows parsed per review;
    ``recommendations``: the parsed rows themselves (for labels printed twice)."""
    rows: list[dict] = []
    counted = reviews.join(recommendation_counts, on="review_id", how="left").with_columns(
        pl.col("recommendations").fill_null(0)
    )
    for review in counted.iter_rows(named=True):
        rid = review["review_id"]
        declared, parsed = review["declared_recommendations"], review["recommendations"]
        if declared is not None and declared != parsed:
            rows.append({"review_id": rid, "finding": f"declared {declared}, parsed {parsed}",
                         "severity": "error" if parsed == 0 else "warning"})
        if declared is None:
            rows.append({"review_id": rid, "finding": "no declared recommendation count", "severity": "info"})
        if review["year_of_death"] is None:
            rows.append({"review_id": rid, "finding": "no year of death", "severity": "info"})
        published, uploaded = review["published_month"], review["upload_date"]
        if published is None:
            rows.append({"review_id": rid, "finding": "no published month", "severity": "warning"})
        elif uploaded is not None and (published.year, published.month) != (uploaded.year, uploaded.month):
            rows.append({"review_id": rid, "severity": "warning",
                         "finding": f"published month {published:%Y-%m} disagrees with id "
                                    f"(uploaded {uploaded:%Y-%m-%d})"})
        if review["status_note"]:
            rows.append({"review_id": rid, "finding": review["status_note"], "severity": "warning"})
        for note in (review.get("parse_notes") or "").splitlines():
            rows.append({"review_id": rid, "finding": note, "severity": "warning"})
    if recommendations is not None:
        rows += _repeated_labels(recommendations) + _longer_than_the_models_read(recommendations)
    shown = set(reviews["review_id"].to_list())
    for failure in quarantine.filter(~pl.col("review_id").is_in(list(shown))).unique("review_id", keep="first").iter_rows(named=True):
        rows.append({"review_id": failure["review_id"], "severity": "error",
                     "finding": f"page failed on {str(failure['fetched_at'])[:10]} and has no earlier good copy: "
                                f"{failure['reason']}"})
    return pl.DataFrame(rows, schema=FINDING_SCHEMA).unique(["review_id", "finding"], keep="first").sort(
        "review_id", "finding")


def _repeated_labels(recommendations: pl.DataFrame) -> list[dict]:
    """A label printed on two rows of one review ("R3" twice): both rows are kept, as printed, and
    counted (docs/design/WAREHOUSE.md), and the repeat is flagged for a reader to check."""
    repeated = (recommendations.group_by("review_id", "rec_label").agg(pl.len().alias("rows"))
                .filter(pl.col("rows") > 1).sort("review_id", "rec_label"))
    return [{"review_id": rid, "severity": "warning",
             "finding": f"recommendation label {label!r} is printed on {rows} rows; all {rows} are kept and counted"}
            for rid, label, rows in repeated.iter_rows()]


def _longer_than_the_models_read(recommendations: pl.DataFrame) -> list[dict]:
    """A recommendation longer than the theme and repeat models read (text.ASK_CHARACTERS): kept
    whole in the warehouse, its themes and repeats decided from its opening. No real recommendation
    is that long; a cell that is usually holds more than one (a table the parser could not split)."""
    # Only a text longer than that as printed can be (a lead-in only shortens it): the few such rows
    # are read again, not a copy of every text (700,000 at 65,000 reviews, while the star is built).
    printed = (recommendations.select("review_id", "rec_label", "recommendation",
                                      pl.col("recommendation").str.len_chars().alias("characters"))
               .filter(pl.col("characters") > ASK_CHARACTERS))
    long = printed.filter(read_in_part(printed["recommendation"])).sort("review_id", "rec_label")
    return [{"review_id": rid, "severity": "warning",
             "finding": f"recommendation {label!r} is {characters:,} characters long; its themes and repeats are "
                        f"decided from its first {ASK_CHARACTERS:,}"}
            for rid, label, characters in long.select("review_id", "rec_label", "characters").iter_rows()]
