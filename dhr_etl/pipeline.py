"""The nightly graph's steps as plain functions, without Dagster: the one pipeline entry point.

Each Dagster asset (``dhr_etl/defs/assets.py``) calls one of these and adds only its metadata and
logging; :func:`star_tables` calls the same steps in the graph's order, for the benchmark
(``bench/``) and for tests that need a warehouse's tables from a source in one call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from dhr_etl.parse.library import ParsedLibrary, parse_library
from dhr_etl.settings import Settings
from dhr_etl.source.crawl import Discovery, ReviewSource, discover_reviews, land_pages, review_source
from dhr_etl.source.http import FetchStats
from dhr_etl.source.landing import FetchRecord, LandingZone
from dhr_etl.transform.agencies import AgencyResolution, resolve_agencies
from dhr_etl.transform.catalogue import Catalogue, load_catalogue
from dhr_etl.transform.csps import resolve_csps
from dhr_etl.transform.registry import AgencyRegistry, publish_staged_registry
from dhr_etl.transform.repeats import group_repeats
from dhr_etl.transform.star import Entities, build_star, review_csp_names
from dhr_etl.transform.theme_examples import theme_examples
from dhr_etl.transform.themes import classify_recommendations
from dhr_etl.transform.threads import THREADS, in_threads
from dhr_etl.warehouse.store import StagedVersion, Warehouse

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def discover(source: ReviewSource, progress: Progress = _quiet) -> tuple[pl.DataFrame, Discovery, FetchStats]:
    """The review pages the source lists, one row per review."""
    return discover_reviews(source, progress)


def land(source: ReviewSource, discovered: pl.DataFrame, run_stamp: str,
         progress: Progress = _quiet) -> tuple[LandingZone, list[FetchRecord], FetchStats]:
    """Every discovered page fetched (or read) into the landing zone; ``run_stamp`` names the fetch log."""
    landing = LandingZone(source.settings.landing_dir)
    records, stats = land_pages(source, discovered, landing, run_stamp, progress)
    return landing, records, stats


def parse(settings: Settings, records: list[FetchRecord]) -> ParsedLibrary:
    """Each review's newest page that parses, from the landing zone (through the parse cache)."""
    return parse_library(LandingZone(settings.landing_dir), settings.source, records)


def catalogue(settings: Settings) -> Catalogue:
    """The catalogue of real bodies and its geography, read from DHR_CACHE_DIR when an
    earlier process built it from the same reference files and code (~0.05 s against ~1.1 s)."""
    return load_catalogue(settings.cache_dir)


def resolve_csp_names(reviews: pl.DataFrame, bodies: Catalogue | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(canonical CSPs, printed spelling → CSP) for the reviews' printed CSP names, placed on the
    geography ``bodies`` holds (default: the reference geography, built)."""
    return resolve_csps(reviews["csp_printed"], bodies.geography if bodies else None)


def resolve_agency_names(addressees: pl.DataFrame, recommendations: pl.DataFrame, reviews: pl.DataFrame,
                         csps: pl.DataFrame, csp_spellings: pl.DataFrame,
                         registry: AgencyRegistry | None = None, bodies: Catalogue | None = None) -> AgencyResolution:
    """Every printed addressee resolved to a body of ``bodies`` (default: the reference catalogue,
    built); "Community Safety Partnership" read as the review's own CSP."""
    return resolve_agencies(addressees, recommendations, review_csp_names(reviews, csps, csp_spellings), registry,
                            bodies)


def classify(recommendations: pl.DataFrame, cache_dir: Path | None = None, threads: int | None = None) -> pl.DataFrame:
    """The themes of every recommendation; the labelled examples they are compared with read from
    ``cache_dir`` (DHR_CACHE_DIR) when an earlier process weighed them from the same reference files
    and code. ``threads``: how many decide them (default ``threads.THREADS``, one per core up to two)."""
    return classify_recommendations(recommendations, theme_examples(cache_dir), threads)


def find_repeats(recommendations: pl.DataFrame, threads: int = THREADS) -> pl.DataFrame:
    """Groups of the same ask made in two or more reviews (``threads``: see :func:`group_repeats`)."""
    return group_repeats(recommendations, threads=threads)


SIDE_BY_SIDE_UP_TO = 100_000
"""Recommendations up to which :func:`themes_and_repeats` makes themes and groups side by side.
Past it they are made one after the other: at 65,000 reviews (~700,000 recommendations) side by
side saved nothing (165 s against 161 s end to end; grouping is most of the step there) and held
both models' working memory at once (peak 2,057 MiB against 1,897; the goal is under 2 GiB). The
library today holds ~7,000."""


def themes_and_repeats(recommendations: pl.DataFrame, cache_dir: Path | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(:func:`classify`, :func:`find_repeats`) of the recommendations, grouping on a worker
    thread while themes are decided on this one (up to SIDE_BY_SIDE_UP_TO recommendations). Much
    of grouping is Python holding the interpreter's lock, while deciding themes is mostly polars
    and numpy, which release it: at 650 reviews the two took 2.9 s one after the other and 2.0-2.5 s
    side by side, the same rows."""
    if recommendations.height > SIDE_BY_SIDE_UP_TO:
        # Grouping first: its table (a row per grouped recommendation) is smaller than the themes'
        # (a row per theme, with its evidence), and the first step's table is held while the second works.
        repeats = find_repeats(recommendations)
        return classify(recommendations, cache_dir), repeats
    # Themes on one thread beside grouping: on two cores that made the step ~0.1-0.3 s shorter at 650
    # reviews than themes on two (three threads on two cores). Grouping measures its pairs on THREADS:
    # on 7,000 different wordings (drawn from the labelled sets) grouping outlasts themes by seconds,
    # and the step took 10.2 s against 11.0 s with grouping on one thread (medians of three; the same
    # at 650 reviews of the benchmark's library, 2.6-3.1 s either way).
    steps = [lambda: classify(recommendations, cache_dir, max(1, THREADS - 1)), lambda: find_repeats(recommendations, THREADS)]
    themes, repeats = in_threads(_run, steps, 2)
    return themes, repeats


def _run(step: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    return step()


def assemble(parsed: ParsedLibrary, entities: Entities, themes: pl.DataFrame,
             repeats: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Every table of the star schema, by name."""
    return build_star(parsed, entities, themes, repeats)


def stage(warehouse: Warehouse, warehouse_url: str, tables: dict[str, pl.DataFrame], source: str,
          run_id: str, built_from: dict[str, object]) -> StagedVersion:
    """A new version holding ``tables`` and a row saying what built it (the run, and ``built_from``:
    the pages and code, :func:`dhr_etl.changes.built_from`), beside the live one, unpublished."""
    tables = {**tables, "warehouse_version": version_row(tables, source, run_id, built_from)}
    location = warehouse.build_version(tables)
    return StagedVersion(warehouse_url, location, {name: len(frame) for name, frame in tables.items()}, run_id)


def publish(warehouse: Warehouse, staged: StagedVersion, data_dir: Path) -> None:
    """Make the staged version live, then the agency registry it was resolved with (the report and
    the open-data release follow, from the live version: :func:`dhr_etl.published.write_outputs`)."""
    warehouse.publish(staged.location)
    publish_staged_registry(data_dir)


def version_row(tables: dict[str, pl.DataFrame], source: str, run_id: str,
                built_from: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame([{
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "source": source,
        "reviews": len(tables["dim_review"]),
        "recommendations": len(tables["fact_recommendation"]),
        "agencies": len(tables["dim_agency"]),
        "csps": len(tables["dim_csp"]),
        **built_from,
    }])


def star_tables(settings: Settings, run_stamp: str = "run") -> dict[str, pl.DataFrame]:
    """Discover, land, parse, resolve, classify and assemble every table of a warehouse version."""
    source = review_source(settings)
    discovered, _, _ = discover(source)
    _, records, _ = land(source, discovered, run_stamp)
    return tables_from_landed(settings, records)


def tables_from_landed(settings: Settings, records: list[FetchRecord]) -> dict[str, pl.DataFrame]:
    """Parse → resolve → classify → assemble, from pages already in the landing zone."""
    parsed = parse(settings, records)
    bodies = catalogue(settings)
    csps, csp_spellings = resolve_csp_names(parsed.reviews, bodies)
    agencies = resolve_agency_names(parsed.addressees, parsed.recommendations, parsed.reviews, csps, csp_spellings,
                                    bodies=bodies)
    return assemble(parsed, Entities(agencies, csps, csp_spellings), *themes_and_repeats(parsed.recommendations, settings.cache_dir))
