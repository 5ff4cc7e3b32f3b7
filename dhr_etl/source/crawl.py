"""Discover review pages and land them: from the web site, or from a folder of saved pages."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from dhr_etl.files import write_atomically
from dhr_etl.settings import Settings
from dhr_etl.source.discovery import DiscoveryError, parse_listing, parse_sitemap
from dhr_etl.source.http import FetchFailed, FetchRefused, FetchStats, PoliteClient, WaitRefused, conditional_headers
from dhr_etl.source.landing import FetchRecord, LandingZone, utc_now
from dhr_etl.source.urls import (
    BadURL,
    absolute,
    is_saved_review_page,
    path_of_file_url,
    review_id_from_url,
    shown,
    under_base,
)

Progress = Callable[[str], None]

MAX_NOTED_URLS = 20
"""Unusable URLs are noted one by one up to here, then counted: a hostile page may hold thousands."""

DISCOVERED_SCHEMA = {"review_id": pl.String, "url": pl.String, "lastmod": pl.String, "found_in": pl.String}


class SourceUnavailable(RuntimeError):
    """The source could not be read at all; the run stops and the warehouse is left as it was."""


class DiscoveryCutShort(RuntimeError):
    """A hurried discovery (the change sensor's) stopped before the end: the site asked to wait, or
    the time allowed ran out. Says which, in a sentence."""


@dataclass(slots=True)
class Discovery:
    reviews: dict[str, tuple[str, str | None, set[str]]] = field(default_factory=dict)
    """review_id → (url, lastmod, where it was found)."""
    notes: list[str] = field(default_factory=list)
    listing_pages: int = 0
    sitemap_entries: int = 0
    unusable_urls: int = 0

    def skip_url(self, href: str, where: str, why: str) -> None:
        """A URL the site gave that cannot be used: noted (the first few) and passed over."""
        self.unusable_urls += 1
        if self.unusable_urls <= MAX_NOTED_URLS:
            self.notes.append(f"skipped the URL {shown(href)!r} in {shown(where)}: it {why}")
        elif self.unusable_urls == MAX_NOTED_URLS + 1:
            self.notes.append(f"more unusable URLs were skipped than the {MAX_NOTED_URLS} noted above")

    def add(self, review_id: str, url: str, lastmod: str | None, found_in: str) -> None:
        known_url, known_lastmod, places = self.reviews.get(review_id, (url, None, set()))
        places.add(found_in)
        self.reviews[review_id] = (known_url, lastmod or known_lastmod, places)

    def frame(self) -> pl.DataFrame:
        rows = [
            {"review_id": rid, "url": url, "lastmod": lastmod, "found_in": ",".join(sorted(places))}
            for rid, (url, lastmod, places) in sorted(self.reviews.items())
        ]
        return pl.DataFrame(rows, schema=DISCOVERED_SCHEMA)


class ReviewSource(Protocol):
    """Where the review pages come from: a web site or a folder of saved pages, chosen once from
    the settings (:func:`review_source`), so that no step asks which it is."""

    settings: Settings

    def discover(self, progress: Progress,
                 within_seconds: float | None = None) -> tuple[pl.DataFrame, Discovery, FetchStats]:
        """All review pages the source lists, one row per review. ``within_seconds``: a hurried
        discovery (see :func:`discover_reviews`)."""

    def read_pages(self, rows: list[dict], previous: dict[str, dict], landing: LandingZone,
                   progress: Progress) -> tuple[list[FetchRecord], FetchStats]:
        """Every listed page's content stored in ``landing``, one record per row of ``rows``."""

    def files_not_read(self) -> list[str] | None:
        """Files next to the pages that are not pages (reported, not read); None for a site."""


@dataclass(frozen=True, slots=True)
class SiteSource:
    """A web site: sitemap and listing pages, then each review page, politely over HTTP."""

    settings: Settings

    def discover(self, progress: Progress,
                 within_seconds: float | None = None) -> tuple[pl.DataFrame, Discovery, FetchStats]:
        if within_seconds is None:
            discovery, stats = asyncio.run(_discover_site(self.settings, progress))
        else:
            discovery, stats = asyncio.run(_discover_site_within(self.settings, progress, within_seconds))
        return discovery.frame(), discovery, stats

    def read_pages(self, rows: list[dict], previous: dict[str, dict], landing: LandingZone,
                   progress: Progress) -> tuple[list[FetchRecord], FetchStats]:
        return asyncio.run(_fetch_all(self.settings, rows, previous, landing, progress))

    def files_not_read(self) -> list[str] | None:
        return None


@dataclass(frozen=True, slots=True)
class FolderSource:
    """A folder of saved pages, ``<8 hex digits>-<slug>.html`` or ``.txt``: read, never fetched."""

    settings: Settings

    @property
    def folder(self) -> Path:
        return Path(self.settings.source)

    def discover(self, progress: Progress,
                 within_seconds: float | None = None) -> tuple[pl.DataFrame, Discovery, FetchStats]:
        return _discover_folder(self.folder), Discovery(), FetchStats()

    def read_pages(self, rows: list[dict], previous: dict[str, dict], landing: LandingZone,
                   progress: Progress) -> tuple[list[FetchRecord], FetchStats]:
        records = [_read_file(self.settings.source, row, landing) for row in rows]
        progress(f"read {len(records)} saved pages from {self.settings.source}")
        return records, FetchStats()

    def files_not_read(self) -> list[str] | None:
        return unrecognised_files(self.folder)


def review_source(settings: Settings) -> ReviewSource:
    """The source the settings name (validated there: an http(s) URL or a folder of pages)."""
    return SiteSource(settings) if settings.source_is_url else FolderSource(settings)


def _as_source(source: ReviewSource | Settings) -> ReviewSource:
    return review_source(source) if isinstance(source, Settings) else source


def discover_reviews(source: ReviewSource | Settings, progress: Progress = print,
                     within_seconds: float | None = None) -> tuple[pl.DataFrame, Discovery, FetchStats]:
    """All review pages the source lists, one row per review (sitemap and listing merged).
    Settings stand for the source they configure.

    ``within_seconds``: a hurried discovery, for a caller that must not block (the change sensor,
    under the Dagster daemon's evaluation timeout). It never waits for the site, neither a
    Retry-After nor a back-off, and stops when the time is up; either way it raises
    :class:`DiscoveryCutShort`. The rate limit and robots.txt hold as in any crawl."""
    return _as_source(source).discover(progress, within_seconds)


async def _discover_site_within(settings: Settings, progress: Progress, seconds: float) -> tuple[Discovery, FetchStats]:
    try:
        async with asyncio.timeout(seconds):
            return await _discover_site(settings, progress, may_wait=False)
    except TimeoutError:
        raise DiscoveryCutShort(f"{settings.source} did not finish answering the check within {seconds:g} s") from None


def _cut_short(exc: WaitRefused) -> DiscoveryCutShort:
    return DiscoveryCutShort(f"asking {shown(exc.url)} gave {exc.problem}, and the check does not wait to retry")


def _discover_folder(folder: Path) -> pl.DataFrame:
    discovery = Discovery()
    files = sorted(p for p in folder.iterdir() if is_saved_review_page(p) and p.is_file())
    # The HTML page wins over a saved text rendition of the same review: it carries the report link.
    for path in sorted(files, key=lambda p: p.suffix.lower() == ".txt"):
        if path.stem not in discovery.reviews:
            discovery.add(path.stem, path.resolve().as_uri(), None, "folder")
    if not discovery.reviews:  # settings check this at start; the folder may have been emptied since
        raise SourceUnavailable(f"found no review pages in {folder}; a folder source holds saved pages "
                                "named <8 hex digits>-<slug>.html or .txt")
    return discovery.frame()


def unrecognised_files(folder: Path) -> list[str]:
    """Files in a page folder whose names are not ``<8 hex>-<slug>.html|.txt``: reported, not read."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not is_saved_review_page(p))


class DiscoveryCache:
    """Sitemaps and listing pages as last fetched, with their validators, so that a quiet night
    costs the site conditional requests answered 304 instead of the same documents again."""

    def __init__(self, landing: LandingZone) -> None:
        self.landing = landing
        self.path = landing.root / "discovery_cache.json"
        self.entries: dict[str, dict] = json.loads(self.path.read_text()) if self.path.exists() else {}

    async def get(self, client: PoliteClient, url: str) -> bytes:
        cached = self.entries.get(url)
        headers = conditional_headers(cached.get("etag"), cached.get("last_modified")) if cached else {}
        response = await client.get(url, headers)
        if response.status == 304 and cached:
            return self.landing.read(cached["sha256"])
        self.entries[url] = {"sha256": self.landing.store(response.content), "etag": response.headers.get("etag"),
                             "last_modified": response.headers.get("last-modified")}
        return response.content

    def save(self) -> None:
        write_atomically(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode("utf-8"))


async def _discover_site(settings: Settings, progress: Progress, may_wait: bool = True) -> tuple[Discovery, FetchStats]:
    base = settings.source
    discovery = Discovery()
    cache = DiscoveryCache(LandingZone(settings.landing_dir))
    async with _client(settings, may_wait) as client:
        try:
            await client.load_robots()
        except (FetchFailed, FetchRefused) as exc:
            if isinstance(exc, WaitRefused) and not may_wait:
                raise _cut_short(exc) from None
            raise SourceUnavailable(f"cannot reach {base}: {exc}") from None
        failures = []
        for name, step in (("sitemap", _read_sitemaps), ("listing", _read_listing)):
            try:
                await step(client, settings, discovery, cache)
            except (FetchFailed, FetchRefused, DiscoveryError) as exc:
                if isinstance(exc, WaitRefused) and not may_wait:
                    raise _cut_short(exc) from None
                failures.append(f"{name}: {exc}")
                discovery.notes.append(f"{name} unreadable: {exc}")
        progress(f"discovered {len(discovery.reviews)} review pages "
                 f"({discovery.sitemap_entries} sitemap entries, {discovery.listing_pages} listing pages)")
        if len(failures) == 2:
            raise SourceUnavailable(f"cannot read {base}: " + "; ".join(failures))
        if not discovery.reviews:
            raise SourceUnavailable(f"found no review pages at {base}: neither its sitemap nor its listing links "
                                    f"to a page named {base}<8 hex digits>-<slug>/")
        cache.save()
        return discovery, client.stats


def _client(settings: Settings, may_wait: bool = True) -> PoliteClient:
    return PoliteClient(
        settings.source,
        user_agent=settings.user_agent,
        max_concurrency=settings.max_concurrency,
        requests_per_second=settings.requests_per_second,
        timeout_seconds=settings.timeout_seconds,
        max_bytes=settings.max_page_bytes,
        max_wait_seconds=settings.max_wait_seconds if may_wait else 0.0,
    )


async def _read_sitemaps(client: PoliteClient, settings: Settings, discovery: Discovery, cache: DiscoveryCache) -> None:
    queue = [absolute("/sitemap.xml", settings.source)]
    seen: set[str] = set()
    while queue and len(seen) < settings.max_listing_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        sitemap = parse_sitemap(await cache.get(client, url))
        for entry in sitemap.entries:
            if discovery.sitemap_entries >= settings.max_sitemap_entries:
                discovery.notes.append(f"stopped at the cap of {settings.max_sitemap_entries} sitemap entries")
                return
            discovery.sitemap_entries += 1
            try:
                loc = absolute(entry.loc, url)
            except BadURL as exc:
                discovery.skip_url(entry.loc, url, str(exc))
                continue
            if sitemap.is_index:
                if under_base(loc, absolute("/", settings.source)):
                    queue.append(loc)
            elif review_id := review_id_from_url(loc, settings.source):
                discovery.add(review_id, loc, entry.lastmod, "sitemap")


async def _read_listing(client: PoliteClient, settings: Settings, discovery: Discovery, cache: DiscoveryCache) -> None:
    url: str | None = settings.source
    seen: set[str] = set()
    while url and url not in seen:
        if len(seen) >= settings.max_listing_pages:
            discovery.notes.append(f"stopped at the cap of {settings.max_listing_pages} listing pages")
            return
        seen.add(url)
        content = await cache.get(client, url)
        discovery.listing_pages += 1
        page = parse_listing(content.decode("utf-8", errors="replace"), url)
        for href, why in page.unusable:
            discovery.skip_url(href, url, why)
        for link in page.links:
            if review_id := review_id_from_url(link, settings.source):
                discovery.add(review_id, link, None, "listing")
        url = page.next_url if page.next_url and under_base(page.next_url, settings.source) else None


def land_pages(source: ReviewSource | Settings, discovered: pl.DataFrame, landing: LandingZone, run_stamp: str,
               progress: Progress = print) -> tuple[list[FetchRecord], FetchStats]:
    """Fetch (or read) every discovered page into the landing zone, and record the run there.

    ``run_stamp`` names the run's fetch log; stamps must sort in run order. Settings stand for the
    source they configure.
    """
    source = _as_source(source)
    previous = _previous_fetches(landing.history(source.settings.source))
    records, stats = source.read_pages(discovered.to_dicts(), previous, landing, progress)
    records = [_with_change(record, previous.get(record.review_id)) for record in records]
    landing.record_run(records, run_stamp)
    return records, stats


def _with_change(record: FetchRecord, before: dict | None) -> FetchRecord:
    if record.sha256 is None:
        return record
    change = "new" if before is None else "unchanged" if before["sha256"] == record.sha256 else "changed"
    return dataclasses.replace(record, change=change)


def _previous_fetches(history: pl.DataFrame) -> dict[str, dict]:
    """review_id → the newest record that holds content, for conditional requests."""
    latest = history.filter(pl.col("sha256").is_not_null()).unique("review_id", keep="last")
    return {row["review_id"]: row for row in latest.to_dicts()}


def _read_file(source: str, row: dict, landing: LandingZone) -> FetchRecord:
    path = path_of_file_url(row["url"])
    content = path.read_bytes()
    return FetchRecord(
        source=source, review_id=row["review_id"], url=row["url"], fetched_at=utc_now(),
        outcome="read", status=None, sha256=landing.store(content), bytes=len(content),
        rendition="text" if path.suffix.lower() == ".txt" else "html",
    )


async def _fetch_all(settings: Settings, rows: list[dict], previous: dict[str, dict],
                     landing: LandingZone, progress: Progress) -> tuple[list[FetchRecord], FetchStats]:
    done = 0
    step = max(1, len(rows) // 10)

    async with _client(settings) as client:
        await client.load_robots()

        async def one(row: dict) -> FetchRecord:
            nonlocal done
            record = await _fetch_page(client, settings.source, row, previous.get(row["review_id"]), landing)
            done += 1
            if done % step == 0 or done == len(rows):
                progress(f"fetched {done}/{len(rows)} review pages")
            return record

        records = await asyncio.gather(*(one(row) for row in rows))
        return list(records), client.stats


async def _fetch_page(client: PoliteClient, source: str, row: dict, before: dict | None,
                      landing: LandingZone) -> FetchRecord:
    common = dict(source=source, review_id=row["review_id"], url=row["url"], lastmod=row["lastmod"])
    if before and row["lastmod"] and before.get("lastmod") == row["lastmod"]:
        # The sitemap says the page has not changed since we stored it: no request at all.
        return FetchRecord(**common, fetched_at=utc_now(), outcome="not_modified", status=None,
                           sha256=before["sha256"], bytes=0, rendition=before["rendition"],
                           etag=before.get("etag"), last_modified=before.get("last_modified"))
    headers = conditional_headers(before.get("etag"), before.get("last_modified")) if before else {}
    try:
        response = await client.get(row["url"], headers)
    except (FetchFailed, FetchRefused) as exc:
        return FetchRecord(**common, fetched_at=utc_now(), outcome="failed", status=None,
                           sha256=None, bytes=None, rendition=None, error=str(exc))
    if response.status == 304 and before:
        return FetchRecord(**common, fetched_at=utc_now(), outcome="not_modified", status=304,
                           sha256=before["sha256"], bytes=0, rendition=before["rendition"],
                           etag=response.headers.get("etag", before.get("etag")),
                           last_modified=response.headers.get("last-modified", before.get("last_modified")),
                           duration_ms=response.duration_ms)
    content_type = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
    if content_type not in ("text/html", "application/xhtml+xml", "text/plain"):
        return FetchRecord(**common, fetched_at=utc_now(), outcome="failed", status=response.status,
                           sha256=None, bytes=len(response.content), rendition=None,
                           error=f"content type {content_type!r} is neither HTML nor text")
    return FetchRecord(
        **common, fetched_at=utc_now(), outcome="fetched", status=response.status,
        sha256=landing.store(response.content), bytes=len(response.content),
        rendition="text" if content_type == "text/plain" else "html",
        etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
        duration_ms=response.duration_ms,
    )


def fetch_summary(records: list[FetchRecord], stats: FetchStats) -> dict[str, int | float]:
    """Requests by outcome, bytes and politeness waiting: what one run cost the site."""
    return {
        "fetched (200)": sum(r.outcome == "fetched" for r in records),
        "not modified (304)": sum(r.outcome == "not_modified" and r.status == 304 for r in records),
        "skipped by sitemap lastmod": sum(r.outcome == "not_modified" and r.status is None for r in records),
        "read from folder": sum(r.outcome == "read" for r in records),
        "failed": sum(r.outcome == "failed" for r in records),
        "requests": stats.requests,
        "retried": stats.retried,
        "bytes_received": stats.bytes_received,
        "page_body_bytes": sum(r.bytes or 0 for r in records if r.outcome == "fetched"),
        "seconds_waiting": round(stats.seconds_waiting, 2),
    }
