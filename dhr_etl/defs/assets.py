"""The nightly asset graph (README, Design): discover → land → parse → resolve → classify → build → publish → report."""


import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg
import polars as pl

from dhr_etl.changes import built_from, last_published
from dhr_etl.defs.metadata import counts_by, preview
from dhr_etl.parse.library import ParsedLibrary, parse_library
from dhr_etl.published import write_outputs
from dhr_etl.settings import load_settings
from dhr_etl.source.crawl import discover_reviews, fetch_summary, land_pages, unrecognised_files
from dhr_etl.source.landing import FetchRecord, LandingZone
from dhr_etl.transform.agencies import AgencyResolution, resolve_agencies
from dhr_etl.transform.csps import resolve_csps
from dhr_etl.transform.registry import AgencyRegistry, publish_staged_registry, published_registry, staged_registry
from dhr_etl.transform.repeats import group_repeats
from dhr_etl.transform.star import Entities, build_star, review_csp_names
from dhr_etl.transform.themes import classify_recommendations
from dhr_etl.warehouse.store import open_warehouse
from dhr_etl.warehouse.views import VIEW_NAMES

LOCKED = {"run_lock"}
"""Every asset needs the run lock (dhr_etl/defs/run_lock.py), so a run of any selection holds it."""


@dataclass(frozen=True)
class StagedVersion:
    """A built, not yet published, warehouse version and the row counts it must hold."""

    warehouse_url: str
    location: str
    """Where the version is: a staged file (DuckDB) or a staging schema (PostgreSQL)."""
    expected_rows: dict[str, int]


@dg.asset(group_name="source", required_resource_keys=LOCKED,
          description="Review pages the source lists (sitemap and listing merged).")
def review_index(context: dg.AssetExecutionContext) -> dg.Output[pl.DataFrame]:
    settings = load_settings()
    context.log.info(f"discovering review pages at {settings.source}")
    frame, discovery, stats = discover_reviews(settings, progress=context.log.info)
    metadata = {
        "source": settings.source,
        "reviews": len(frame),
        "found_in": counts_by(frame, "found_in") if len(frame) else {},
        "requests": stats.requests,
        "notes": "\n".join(discovery.notes) or "none",
        "preview": preview(frame),
    }
    if not settings.source_is_url:
        skipped = unrecognised_files(Path(settings.source))
        metadata["files_not_read"] = ", ".join(skipped) or "none"
    return dg.Output(frame, metadata=metadata)


@dg.asset(group_name="source", required_resource_keys=LOCKED,
          description="The landing zone: every page as fetched, by content hash.")
def review_pages(context: dg.AssetExecutionContext, review_index: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    settings = load_settings()
    landing = LandingZone(settings.landing_dir)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{context.run.run_id[:8]}"
    records, stats = land_pages(settings, review_index, landing, stamp, progress=context.log.info)
    frame = pl.DataFrame([asdict(r) for r in records]) if records else pl.DataFrame()
    outcomes = counts_by(frame, "outcome") if len(frame) else {}
    changes = counts_by(frame.filter(pl.col("change").is_not_null()), "change") if len(frame) else {}
    context.log.info(f"landed {len(records)} pages: {outcomes}; since the last run: {changes}")
    failures = frame.filter(pl.col("outcome") == "failed").select("review_id", "error") if len(frame) else frame
    return dg.Output(frame, metadata={
        "pages": len(records),
        "since_last_run": changes,
        "fetch": fetch_summary(records, stats),
        "requests_by_status": {str(k): v for k, v in sorted(stats.by_status.items())},
        "failed_pages": preview(failures, 25, 200),
        "landing_zone": dg.MetadataValue.path(str(landing.root)),
        "fetch_log": dg.MetadataValue.path(str(landing.fetches / f"{stamp}.jsonl")),
    })


@dg.multi_asset(
    group_name="parse",
    required_resource_keys=LOCKED,
    outs={
        "parsed_reviews": dg.AssetOut(description="One row per review, from its newest page that parses."),
        "parsed_recommendations": dg.AssetOut(description="One row per row of a recommendations table."),
        "parsed_addressees": dg.AssetOut(description="One row per (recommendation, addressee as printed)."),
        "parse_quarantine": dg.AssetOut(description="Page versions that failed to fetch or parse, with why."),
    },
)
def parsed_pages(context: dg.AssetExecutionContext, review_pages: pl.DataFrame):
    settings = load_settings()
    records = [FetchRecord(**row) for row in review_pages.to_dicts()]
    parsed = parse_library(LandingZone(settings.landing_dir), settings.source, records)
    for failure in parsed.quarantine.iter_rows(named=True):
        context.log.warning(f"quarantined {failure['review_id']}: {failure['reason']}")
    context.log.info(f"{len(parsed.reviews)} reviews, {len(parsed.recommendations)} recommendations; "
                     f"{parsed.pages_parsed} page version(s) parsed, {parsed.cache_hits} from the parse cache, "
                     f"{len(parsed.quarantine)} quarantined")
    yield dg.Output(parsed.reviews, output_name="parsed_reviews", metadata={
        "reviews": len(parsed.reviews),
        "pages_parsed": parsed.pages_parsed,
        "parse_cache_hits": parsed.cache_hits,
        "status": counts_by(parsed.reviews, "status") if len(parsed.reviews) else {},
        "quarantined_pages": len(parsed.quarantine),
        "preview": preview(parsed.reviews.drop("summary"))})
    yield dg.Output(parsed.recommendations, output_name="parsed_recommendations", metadata={
        "recommendations": len(parsed.recommendations), "preview": preview(parsed.recommendations)})
    yield dg.Output(parsed.addressees, output_name="parsed_addressees", metadata={
        "pairs": len(parsed.addressees),
        "distinct_printed_names": parsed.addressees["addressed_as"].n_unique(),
        "preview": preview(parsed.addressees)})
    yield dg.Output(parsed.quarantine, output_name="parse_quarantine", metadata={
        "quarantined_pages": len(parsed.quarantine), "preview": preview(parsed.quarantine, 20, 200)})


@dg.asset(group_name="resolve", required_resource_keys=LOCKED,
          description="Canonical agencies: every printed addressee resolved to a body, with a sector.")
def agencies(
    context: dg.AssetExecutionContext,
    parsed_addressees: pl.DataFrame,
    parsed_recommendations: pl.DataFrame,
    parsed_reviews: pl.DataFrame,
    csps: tuple[pl.DataFrame, pl.DataFrame],
) -> dg.Output[AgencyResolution]:
    settings = load_settings()
    registry = AgencyRegistry.load(published_registry(settings.data_dir))
    resolution = resolve_agencies(parsed_addressees, parsed_recommendations,
                                  review_csp_names(parsed_reviews, *csps), registry)
    registry.save(staged_registry(settings.data_dir))  # the registry only once this version is published
    agency_frame, aliases = resolution.agencies, resolution.aliases
    context.log.info(f"{aliases.height} printed spellings resolved to {agency_frame.height} agencies")
    return dg.Output(resolution, metadata={
        "agencies": len(agency_frame),
        "spellings": len(aliases),
        "by_match_method": counts_by(aliases, "match_method") if len(aliases) else {},
        "resolved_in_context": int((resolution.pairs["resolved_by"] == "context").sum()),
        "resolved_by_place": int((resolution.pairs["resolved_by"] == "place").sum()),
        "groups": int(agency_frame["is_group"].sum()),
        "by_sector": counts_by(agency_frame, "agency_sector") if len(agency_frame) else {},
        "preview": preview(agency_frame),
    })


@dg.asset(group_name="resolve", required_resource_keys=LOCKED,
          description="What agency resolution could not settle alone: for a human to look at.")
def names_for_review(agencies: AgencyResolution) -> dg.Output[pl.DataFrame]:
    findings = agencies.findings
    return dg.Output(findings, metadata={
        "findings": len(findings),
        "by_kind": counts_by(findings, "kind") if len(findings) else {},
        "findings_table": preview(findings, 50, 160),
        "edit": "dhr_etl/reference/agency_aliases.csv, must_not_merge.csv, sector_rules.csv",
    })


@dg.asset(group_name="resolve", required_resource_keys=LOCKED,
          description="Canonical Community Safety Partnerships, placed on the geography reference, and their spellings.")
def csps(parsed_reviews: pl.DataFrame) -> dg.Output[tuple[pl.DataFrame, pl.DataFrame]]:
    csp_frame, lookup = resolve_csps(parsed_reviews["csp_printed"])
    return dg.Output((csp_frame, lookup), metadata={
        "csps": len(csp_frame), "spellings": len(lookup),
        "by_placement_method": counts_by(lookup, "placement_method") if len(lookup) else {},
        "preview": preview(csp_frame)})


@dg.asset(group_name="classify", required_resource_keys=LOCKED,
          description="Themes of every recommendation, with what decided each (override, rule words, the model's evidence).")
def recommendation_themes(parsed_recommendations: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    themes = classify_recommendations(parsed_recommendations)
    return dg.Output(themes, metadata={"assignments": len(themes), "by_theme": counts_by(themes, "theme") if len(themes) else {},
                                       "by_method": counts_by(themes, "method") if len(themes) else {},
                                       "preview": preview(themes, 20, 200),
                                       "correct": "dhr_etl/reference/theme_overrides.csv"})


@dg.asset(group_name="classify", required_resource_keys=LOCKED,
          description="Groups of the same ask made in two or more reviews.")
def repeated_recommendations(parsed_recommendations: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    groups = group_repeats(parsed_recommendations)
    labels = groups.filter(pl.col("is_representative")).select("repeat_label", "review_id", "rec_position")
    return dg.Output(groups, metadata={"groups": groups["repeat_group_key"].n_unique(), "recommendations_in_groups": len(groups),
                                       "group_labels": preview(labels, 20, 120),
                                       "correct": "dhr_etl/reference/repeat_overrides.csv"})


@dg.asset(group_name="warehouse", required_resource_keys=LOCKED,
          description="A new warehouse version, built beside the live one and checked before publishing.")
def staged_warehouse(
    context: dg.AssetExecutionContext,
    parsed_reviews: pl.DataFrame,
    parsed_recommendations: pl.DataFrame,
    parsed_addressees: pl.DataFrame,
    parse_quarantine: pl.DataFrame,
    agencies: AgencyResolution,
    csps: tuple[pl.DataFrame, pl.DataFrame],
    recommendation_themes: pl.DataFrame,
    repeated_recommendations: pl.DataFrame,
    review_index: pl.DataFrame,
    review_pages: pl.DataFrame,
) -> dg.Output[StagedVersion]:
    settings = load_settings()
    parsed = ParsedLibrary(parsed_reviews, parsed_recommendations, parsed_addressees, parse_quarantine)
    tables = build_star(parsed, Entities(agencies, *csps), recommendation_themes, repeated_recommendations)
    # What it is built from goes into the version itself: published with it, for the next change check.
    tables["warehouse_version"] = version_row(tables, settings.source, context.run.run_id,
                                              built_from(settings, review_index, review_pages))
    warehouse = open_warehouse(settings.warehouse_url, settings.bi_role)
    context.log.info(f"building a new warehouse version beside {warehouse.display()}")
    location = warehouse.build_version(tables)
    expected = {name: len(frame) for name, frame in tables.items()}
    return dg.Output(StagedVersion(settings.warehouse_url, location, expected), metadata={
        "staged_version": location,
        **{f"rows_{name}": rows for name, rows in expected.items()},
        "data_quality_findings": preview(tables["data_quality_finding"], 20, 200),
    })


@dg.asset(group_name="warehouse", required_resource_keys=LOCKED,
          description="The live warehouse: the checked version, published atomically, with its views.")
def warehouse(context: dg.AssetExecutionContext, staged_warehouse: StagedVersion) -> dg.MaterializeResult:
    settings = load_settings()
    live = open_warehouse(staged_warehouse.warehouse_url, settings.bi_role)
    previous = live.table_counts()
    live.publish(staged_warehouse.location)
    publish_staged_registry(settings.data_dir)  # the agency registry this version was resolved with
    counts = live.table_counts()
    changes = {table: rows - previous.get(table, 0) for table, rows in counts.items()}
    context.log.info(f"published {live.display()}: {counts['dim_review']} reviews, "
                     f"{counts['fact_recommendation']} recommendations")
    return dg.MaterializeResult(metadata={
        "rows_changed_since_previous_version": {t: f"{d:+d}" for t, d in changes.items() if d} or "none",
        "warehouse": live.display(),
        "reviews": counts["dim_review"],
        "recommendations": counts["fact_recommendation"],
        "addressee_pairs": counts["bridge_recommendation_agency"],
        "agencies": counts["dim_agency"],
        "csps": counts["dim_csp"],
        "views": ", ".join(VIEW_NAMES),
        "built_from": dg.MetadataValue.json(asdict(built) if (built := last_published(settings)) else {}),
    })


def version_row(tables: dict[str, pl.DataFrame], source: str, run_id: str, built: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame([{
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "source": source,
        "reviews": len(tables["dim_review"]),
        "recommendations": len(tables["fact_recommendation"]),
        "agencies": len(tables["dim_agency"]),
        "csps": len(tables["dim_csp"]),
        **built,
    }])


@dg.asset(group_name="warehouse", deps=["warehouse"], required_resource_keys=LOCKED,
          description="A static HTML report of the published warehouse (sectors, themes, bodies, repeats, data "
                      "quality) and its open-data release (every view as Parquet and CSV).")
def report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    path, release = write_outputs(load_settings())
    context.log.info(f"report written to {path}, open-data release to {release}")
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(path)),
        "open": dg.MetadataValue.url(path.as_uri()),
        "bytes": path.stat().st_size,
        "open_data_release": dg.MetadataValue.path(str(release)),
    })
