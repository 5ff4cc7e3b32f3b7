"""Has anything a run would read changed since the live warehouse was built? Asked before a run
starts, so that a quiet night costs the source a few conditional requests and this machine a
second, instead of a whole Dagster run that rebuilds the same warehouse.

A published version records what it was built from (:func:`record_published`): the source, the
pages the source listed with their sitemap dates (or, for a folder, each file's size and time),
how many pages failed, and a digest of the code, reference files and view SQL. The check
(:func:`check_for_changes`) rediscovers the source the way a run does (conditional requests for
the sitemaps and listing pages) and compares. Anything it cannot vouch for counts as a change:
pages the sitemap gives no date for, pages that failed last time, a live warehouse that is not
the recorded version, or no record at all. A quiet night whose report does not describe the live
version (a run killed between publishing and reporting) needs only the report rewritten:
:attr:`ChangeCheck.report_stale`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass

import polars as pl

from dhr_etl.files import write_atomically
from dhr_etl.report import report_path, version_reported
from dhr_etl.resources import PACKAGE_DIR, REFERENCE_DIR, SQL_DIR
from dhr_etl.settings import Settings
from dhr_etl.source.urls import path_of_file_url

STATE_FILE = "published_from.json"


@dataclass(frozen=True, slots=True)
class BuiltFrom:
    """What a published warehouse version was built from."""

    source: str
    warehouse_url: str
    pages: str
    """Digest of the listed pages: review id, URL and sitemap date; for a folder, size and mtime too."""
    undated_pages: int
    """Pages listed without a date: whether they changed only a request for each can tell."""
    failed_pages: int
    code: str
    """Digest of the package's code, its reference files and the view SQL."""
    run_id: str
    published_at: str


@dataclass(frozen=True, slots=True)
class ChangeCheck:
    changed: bool
    reason: str
    report_stale: bool = False
    """Nothing changed, but the report is missing or describes another version than the live one."""


def code_digest() -> str:
    """Changes whenever the code, a reference file or a view definition does (an upgrade, an edited
    alias list), so that a run after such a change rebuilds even if the source is quiet."""
    digest = hashlib.sha256()
    code = [p for p in PACKAGE_DIR.rglob("*.py")
            # the bundled library is a source like any other: its pages are compared as pages
            if "sample" not in p.relative_to(PACKAGE_DIR).parts]
    # reference/ with its subfolders (bodies/, geography/): an edited catalogue changes resolution too
    files = sorted([*code, *REFERENCE_DIR.rglob("*.csv"), *SQL_DIR.glob("*.sql")])
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def pages_digest(settings: Settings, discovered: pl.DataFrame) -> tuple[str, int]:
    """(digest, pages without a date) of what discovery listed."""
    digest = hashlib.sha256()
    undated = 0
    for review_id, url, lastmod in discovered.select("review_id", "url", "lastmod").sort("review_id").iter_rows():
        if not settings.source_is_url:
            stat = path_of_file_url(url).stat()
            lastmod = f"{stat.st_size}:{stat.st_mtime_ns}"
        elif lastmod is None:
            undated += 1
        digest.update(f"{review_id}\x1f{url}\x1f{lastmod}\x1e".encode())
    return digest.hexdigest(), undated


def record_published(settings: Settings, discovered: pl.DataFrame, failed_pages: int, run_id: str) -> BuiltFrom:
    """Called once a version is live: what the next check compares against."""
    pages, undated = pages_digest(settings, discovered)
    built = BuiltFrom(source=settings.source, warehouse_url=settings.warehouse_url, pages=pages,
                      undated_pages=undated, failed_pages=failed_pages, code=code_digest(), run_id=run_id,
                      published_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    write_atomically(settings.data_dir / STATE_FILE, json.dumps(asdict(built), indent=1).encode("utf-8"))
    return built


def last_published(settings: Settings) -> BuiltFrom | None:
    path = settings.data_dir / STATE_FILE
    try:
        return BuiltFrom(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # missing or from another version of dhr-etl: nothing to vouch for


def check_for_changes(settings: Settings) -> ChangeCheck:
    """Whether a run would build anything new; the reason says why, in a line for a person."""
    built = last_published(settings)
    if built is None:
        return ChangeCheck(True, "no record of a published version yet")
    if (built.source, built.warehouse_url) != (settings.source, settings.warehouse_url):
        return ChangeCheck(True, "the source or the warehouse is not the one the live version was built for")
    if built.failed_pages:
        return ChangeCheck(True, f"{built.failed_pages} page(s) failed last time and are tried again")
    if built.code != code_digest():
        return ChangeCheck(True, "dhr-etl's code, reference files or view SQL changed since the live version was built")
    if not _live_version_is(settings, built.run_id):
        return ChangeCheck(True, "the live warehouse is missing or is not the version last recorded")
    from dhr_etl.source.crawl import discover_reviews  # imports httpx: only once the cheap checks pass

    discovered, _, _ = discover_reviews(settings, progress=lambda _: None)
    pages, undated = pages_digest(settings, discovered)
    if pages != built.pages:
        return ChangeCheck(True, "the source lists new, changed or removed pages")
    if undated:
        return ChangeCheck(True, f"the sitemap dates none of {undated} page(s): only fetching them can tell")
    return ChangeCheck(False, f"nothing changed since run {built.run_id[:8]} published at {built.published_at} "
                              f"({len(discovered)} pages listed, none new or changed)",
                       report_stale=version_reported(report_path(settings.data_dir)) != built.run_id)


def _live_version_is(settings: Settings, run_id: str) -> bool:
    from dhr_etl.warehouse.store import open_warehouse

    try:
        rows = open_warehouse(settings.warehouse_url).query("SELECT run_id FROM warehouse_version")
    except Exception:  # noqa: BLE001 - any failure to read it means it cannot be vouched for
        return False
    return rows == [(run_id,)]
