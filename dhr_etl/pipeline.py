"""The nightly graph's work as plain function calls, without Dagster: for benchmarks and tests
that need a warehouse's tables from a source in one call. The Dagster assets run the same steps
one asset each (``dhr_etl/defs/assets.py``)."""

from __future__ import annotations

import polars as pl

from dhr_etl.parse.library import parse_library
from dhr_etl.settings import Settings
from dhr_etl.source.crawl import discover_reviews, land_pages
from dhr_etl.source.landing import FetchRecord, LandingZone
from dhr_etl.transform.star import build_star, resolve_entities


def land(settings: Settings, run_stamp: str = "run") -> tuple[LandingZone, list[FetchRecord]]:
    """Discover the source's pages and land them; the landing zone and this run's fetch records."""
    landing = LandingZone(settings.landing_dir)
    discovered, _, _ = discover_reviews(settings, progress=lambda _: None)
    records, _ = land_pages(settings, discovered, landing, run_stamp, progress=lambda _: None)
    return landing, records


def star_tables(settings: Settings, run_stamp: str = "run") -> dict[str, pl.DataFrame]:
    """Discover, land, parse, resolve and assemble every table of a warehouse version."""
    landing, records = land(settings, run_stamp)
    parsed = parse_library(landing, settings.source, records)
    return build_star(parsed, resolve_entities(parsed))
