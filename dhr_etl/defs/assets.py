"""The nightly asset graph (README, Design): discover → land → parse → resolve → classify → build → publish → report.

Each asset calls one step of ``dhr_etl/pipeline.py`` and adds its metadata and logging; the
configuration comes from the run's resources (``dhr_etl/defs/resources.py``)."""


import datetime as dt
from dataclasses import asdict

import dagster as dg
import polars as pl

from dhr_etl import pipeline
from dhr_etl.changes import built_from, last_published
from dhr_etl.defs.metadata import counts_by, preview, table_metadata
from dhr_etl.defs.resources import SettingsResource, SourceResource, WarehouseResource
from dhr_etl.defs.run_lock import RunLock
from dhr_etl.parse.library import ParsedLibrary
from dhr_etl.published import write_outputs
from dhr_etl.source.crawl import fetch_summary
from dhr_etl.source.landing import FetchRecord
from dhr_etl.transform.agencies import AgencyResolution
from dhr_etl.transform.registry import AgencyRegistry, published_registry, staged_registry
from dhr_etl.transform.star import Entities
from dhr_etl.warehouse.store import StagedVersion
from dhr_etl.warehouse.views import VIEW_NAMES


@dg.asset(group_name="source",
          description="Review pages the source lists (sitemap and listing merged).")
def review_index(context: dg.AssetExecutionContext, run_lock: RunLock,
                 source: SourceResource) -> dg.Output[pl.DataFrame]:
    review_source = source.review_source()
    context.log.info(f"discovering review pages at {review_source.settings.source}")
    frame, discovery, stats = pipeline.discover(review_source, context.log.info)
    metadata = {
        **table_metadata(frame),
        "source": review_source.settings.source,
        "reviews": len(frame),
        "found_in": counts_by(frame, "found_in") if len(frame) else {},
        "requests": stats.requests,
        "notes": "\n".join(discovery.notes) or "none",
        "preview": preview(frame),
    }
    if (skipped := review_source.files_not_read()) is not None:
        metadata["files_not_read"] = ", ".join(skipped) or "none"
    return dg.Output(frame, metadata=metadata)


@dg.asset(group_name="source",
          description="The landing zone: every page as fetched, by content hash.")
def review_pages(context: dg.AssetExecutionContext, run_lock: RunLock, source: SourceResource,
                 review_index: pl.DataFrame) -> dg.Output[pl.DataFrame]:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{context.run.run_id[:8]}"
    landing, records, stats = pipeline.land(source.review_source(), review_index, stamp, context.log.info)
    frame = pl.DataFrame([asdict(r) for r in records]) if records else pl.DataFrame()
    outcomes = counts_by(frame, "outcome") if len(frame) else {}
    changes = counts_by(frame.filter(pl.col("change").is_not_null()), "change") if len(frame) else {}
    context.log.info(f"landed {len(records)} pages: {outcomes}; since the last run: {changes}")
    failures = frame.filter(pl.col("outcome") == "failed").select("review_id", "error") if len(frame) else frame
    return dg.Output(frame, metadata={
        **table_metadata(frame),
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
    outs={
        "parsed_reviews": dg.AssetOut(description="One row per review, from its newest page that parses."),
        "parsed_recommendations": dg.AssetOut(description="One row per row of a recommendations table."),
        "parsed_addressees": dg.AssetOut(description="One row per (recommendation, addressee as printed)."),
        "parse_quarantine": dg.AssetOut(description="Page versions that failed to fetch or parse, with why."),
    },
)
def parsed_pages(context: dg.AssetExecutionContext, run_lock: RunLock, settings: SettingsResource,
                 review_pages: pl.DataFrame):
    records = [FetchRecord(**row) for row in review_pages.to_dicts()]
    parsed = pipeline.parse(settings.settings(), records)
    for failure in parsed.quarantine.iter_rows(named=True):
        context.log.warning(f"quarantined {failure['review_id']}: {failure['reason']}")
    context.log.info(f"{len(parsed.reviews)} reviews, {len(parsed.recommendations)} recommendations; "
                     f"{parsed.pages_parsed} page version(s) parsed, {parsed.cache_hits} from the parse cache, "
                     f"{len(parsed.quarantine)} quarantined")
    yield dg.Output(parsed.reviews, output_name="parsed_reviews", metadata={
        **table_metadata(parsed.reviews),
        "reviews": len(parsed.reviews),
        "pages_parsed": parsed.pages_parsed,
        "parse_cache_hits": parsed.cache_hits,
        "status": counts_by(parsed.reviews, "status") if len(parsed.reviews) else {},
        "quarantined_pages": len(parsed.quarantine),
        "preview": preview(parsed.reviews.drop("summary"))})
    yield dg.Output(parsed.recommendations, output_name="parsed_recommendations", metadata={
        **table_metadata(parsed.recommendations),
        "recommendations": len(parsed.recommendations), "preview": preview(parsed.recommendations)})
    yield dg.Output(parsed.addressees, output_name="parsed_addressees", metadata={
        **table_metadata(parsed.addressees),
        "pairs": len(parsed.addressees),
        "distinct_printed_names": parsed.addressees["addressed_as"].n_unique(),
        "preview": preview(parsed.addressees)})
    yield dg.Output(parsed.quarantine, output_name="parse_quarantine", metadata={
        **table_metadata(parsed.quarantine),
        "quarantined_pages": len(parsed.quarantine), "preview": preview(parsed.quarantine, 20, 200)})


@dg.multi_asset(
    group_name="resolve",
    outs={
        "agencies": dg.AssetOut(
            description="Canonical agencies: every printed addressee resolved to a body, with a sector."),
        "agency_aliases": dg.AssetOut(
            description="One row per printed spelling: its body, how it was matched, with what confidence."),
        "agency_pairs": dg.AssetOut(
            description="One row per (recommendation, addressee): the body meant there, context included."),
        "names_for_review": dg.AssetOut(
            description="What agency resolution could not settle alone: for a human to look at."),
    },
)
def agency_resolution(
    context: dg.AssetExecutionContext,
    run_lock: RunLock,
    settings: SettingsResource,
    parsed_addressees: pl.DataFrame,
    parsed_recommendations: pl.DataFrame,
    parsed_reviews: pl.DataFrame,
    csps: pl.DataFrame,
    csp_spellings: pl.DataFrame,
):
    data_dir = settings.settings().data_dir
    registry = AgencyRegistry.load(published_registry(data_dir))
    resolution = pipeline.resolve_agency_names(parsed_addressees, parsed_recommendations, parsed_reviews,
                                               csps, csp_spellings, registry, pipeline.catalogue(settings.settings()))
    registry.save(staged_registry(data_dir))  # the registry the next run starts from only once this version is published
    agency_frame, aliases, findings = resolution.agencies, resolution.aliases, resolution.findings
    context.log.info(f"{aliases.height} printed spellings resolved to {agency_frame.height} agencies")
    yield dg.Output(agency_frame, output_name="agencies", metadata={
        **table_metadata(agency_frame),
        "groups": int(agency_frame["is_group"].sum()),
        "by_sector": counts_by(agency_frame, "agency_sector") if len(agency_frame) else {},
        "preview": preview(agency_frame),
    })
    yield dg.Output(aliases, output_name="agency_aliases", metadata={
        **table_metadata(aliases),
        "by_match_method": counts_by(aliases, "match_method") if len(aliases) else {},
        "preview": preview(aliases),
    })
    yield dg.Output(resolution.pairs, output_name="agency_pairs", metadata={
        **table_metadata(resolution.pairs),
        "resolved_in_context": int((resolution.pairs["resolved_by"] == "context").sum()),
        "resolved_by_place": int((resolution.pairs["resolved_by"] == "place").sum()),
    })
    yield dg.Output(findings, output_name="names_for_review", metadata={
        **table_metadata(findings),
        "by_kind": counts_by(findings, "kind") if len(findings) else {},
        "findings_table": preview(findings, 50, 160),
        "edit": "dhr_etl/reference/agency_aliases.csv, must_not_merge.csv, sector_rules.csv",
    })


@dg.multi_asset(
    group_name="resolve",
    outs={
        "csps": dg.AssetOut(description="Canonical Community Safety Partnerships, placed on the geography reference."),
        "csp_spellings": dg.AssetOut(
            description="Each CSP name as printed on a page, with the CSP it stands for and how it was placed."),
    },
)
def csp_resolution(run_lock: RunLock, settings: SettingsResource, parsed_reviews: pl.DataFrame):
    csp_frame, spellings = pipeline.resolve_csp_names(parsed_reviews, pipeline.catalogue(settings.settings()))
    yield dg.Output(csp_frame, output_name="csps",
                    metadata={**table_metadata(csp_frame), "preview": preview(csp_frame)})
    yield dg.Output(spellings, output_name="csp_spellings", metadata={
        **table_metadata(spellings),
        "by_placement_method": counts_by(spellings, "placement_method") if len(spellings) else {},
        "preview": preview(spellings)})


@dg.multi_asset(
    group_name="classify",
    outs={
        "recommendation_themes": dg.AssetOut(
            description="Themes of every recommendation, with what decided each (override, rule words, the model's evidence)."),
        "repeated_recommendations": dg.AssetOut(description="Groups of the same ask made in two or more reviews."),
    },
)
def themes_and_repeats(run_lock: RunLock, settings: SettingsResource, parsed_recommendations: pl.DataFrame):
    # One step, so that the two models run side by side (pipeline.themes_and_repeats): the
    # in-process executor runs a run's steps one after the other.
    themes, groups = pipeline.themes_and_repeats(parsed_recommendations, settings.settings().cache_dir)
    yield dg.Output(themes, output_name="recommendation_themes", metadata={
        **table_metadata(themes), "assignments": len(themes),
        "by_theme": counts_by(themes, "theme") if len(themes) else {},
        "by_method": counts_by(themes, "method") if len(themes) else {},
        "preview": preview(themes, 20, 200),
        "correct": "dhr_etl/reference/theme_overrides.csv"})
    labels = groups.filter(pl.col("is_representative")).select("repeat_label", "repeat_agreement", "review_id", "rec_position")
    yield dg.Output(groups, output_name="repeated_recommendations", metadata={
        **table_metadata(groups), "groups": groups["repeat_group_key"].n_unique(), "recommendations_in_groups": len(groups),
        "group_labels": preview(labels, 20, 120),
        "correct": "dhr_etl/reference/repeat_overrides.csv"})


@dg.asset(group_name="warehouse",
          description="A new warehouse version, built beside the live one and checked before publishing: "
                      "where it is and the rows each table must hold.")
def staged_warehouse(
    context: dg.AssetExecutionContext,
    run_lock: RunLock,
    settings: SettingsResource,
    warehouse: WarehouseResource,
    parsed_reviews: pl.DataFrame,
    parsed_recommendations: pl.DataFrame,
    parsed_addressees: pl.DataFrame,
    parse_quarantine: pl.DataFrame,
    agencies: pl.DataFrame,
    agency_aliases: pl.DataFrame,
    agency_pairs: pl.DataFrame,
    names_for_review: pl.DataFrame,
    csps: pl.DataFrame,
    csp_spellings: pl.DataFrame,
    recommendation_themes: pl.DataFrame,
    repeated_recommendations: pl.DataFrame,
    review_index: pl.DataFrame,
    review_pages: pl.DataFrame,
) -> dg.Output[pl.DataFrame]:
    run_settings = settings.settings()
    parsed = ParsedLibrary(parsed_reviews, parsed_recommendations, parsed_addressees, parse_quarantine)
    entities = Entities(AgencyResolution(agencies, agency_aliases, agency_pairs, names_for_review), csps, csp_spellings)
    tables = pipeline.assemble(parsed, entities, recommendation_themes, repeated_recommendations)
    target = warehouse.open()
    context.log.info(f"building a new warehouse version beside {target.display()}")
    # What it is built from goes into the version itself: published with it, for the next change check.
    staged = pipeline.stage(target, warehouse.url, tables, run_settings.source, context.run.run_id,
                            built_from(run_settings, review_index, review_pages))
    frame = staged.as_frame()
    return dg.Output(frame, metadata={
        **table_metadata(frame),
        "staged_version": staged.location,
        **{f"rows_{name}": rows for name, rows in staged.expected_rows.items()},
        "data_quality_findings": preview(tables["data_quality_finding"], 20, 200),
    })


@dg.asset(group_name="warehouse",
          description="The live warehouse: the checked version, published atomically, with its views. Materialised "
                      "with staged_warehouse only: a run discards the versions it built and did not publish.")
def warehouse(context: dg.AssetExecutionContext, run_lock: RunLock, settings: SettingsResource,
              warehouse: WarehouseResource, staged_warehouse: pl.DataFrame) -> dg.MaterializeResult:
    staged = StagedVersion.from_frame(staged_warehouse)
    if staged.run_id != context.run.run_id:
        raise dg.Failure(description=(
            f"warehouse publishes only the version staged_warehouse built in the same run, and the one run "
            f"{staged.run_id[:8]} built was discarded when that run ended: materialise staged_warehouse and "
            "warehouse together (select staged_warehouse and its downstream assets)"), allow_retries=False)
    run_settings = settings.settings()
    live = warehouse.open()  # the run's warehouse, where staged_warehouse built this version
    previous = live.table_counts()
    pipeline.publish(live, staged, run_settings.data_dir)
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
        "built_from": dg.MetadataValue.json(asdict(built) if (built := last_published(run_settings)) else {}),
    })


@dg.asset(group_name="warehouse", deps=["warehouse"],
          description="A static HTML report of the published warehouse (sectors, themes, bodies, repeats, data "
                      "quality) and its open-data release (every view as Parquet and CSV).")
def report(context: dg.AssetExecutionContext, run_lock: RunLock, settings: SettingsResource) -> dg.MaterializeResult:
    path, release = write_outputs(settings.settings())
    context.log.info(f"report written to {path}, open-data release to {release}")
    return dg.MaterializeResult(metadata={
        "report": dg.MetadataValue.path(str(path)),
        "open": dg.MetadataValue.url(path.as_uri()),
        "bytes": path.stat().st_size,
        "open_data_release": dg.MetadataValue.path(str(release)),
    })
