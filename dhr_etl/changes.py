"""Has anything a run would read changed since the live warehouse was built? Asked before a run
starts (by the ``source_changes`` sensor and by ``dhr-etl run``), so that a quiet check costs the
source a few conditional requests and this machine a second, instead of a Dagster run that
rebuilds the same warehouse.

A version records what it was built from in its own ``warehouse_version`` row (:func:`built_from`):
the source, the pages the source listed with their sitemap dates (or, for a folder, each file's
size and time), how many pages failed, and a digest of the code, reference files and view SQL. The
record is published in the same step as the data it describes, so it can never describe another
version. The check (:func:`check_for_changes`) rediscovers the source the way a run does
(conditional requests for the sitemaps and listing pages) and compares.

Its verdict says how sure it is (:class:`Verdict`): the source or the code differs (CHANGED); only
fetching pages can tell, because some failed last time or the sitemap leaves them undated
(UNVOUCHED); the check could not finish, because the site asked it to wait or its time ran out
(UNDECIDED); or nothing changed (QUIET). A quiet check whose report does not describe the live
version (a run stopped between publishing and reporting) needs only the report and the release
rewritten: :attr:`ChangeCheck.outputs_stale`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import polars as pl

from dhr_etl.published import outputs_describe
from dhr_etl.resources import PACKAGE_DIR, REFERENCE_DIR, SQL_DIR
from dhr_etl.settings import Settings
from dhr_etl.source.urls import path_of_file_url

WAREHOUSE_TIMEOUT_SECONDS = 5
"""How long reading the live version's record may take on PostgreSQL (connecting included): the
check runs inside a sensor evaluation, which a server that never answers must not hang."""
NIGHT_BEGINS_AT_HOUR = 2
"""A "night" runs from 02:00 to 02:00 local time (DHR_SCHEDULE_TIMEZONE): the hour the nightly
schedule used to run at. Retries that no change calls for happen at most once a night (:func:`run_key`)."""


class Verdict(StrEnum):
    CHANGED = "changed"
    """The source lists new, changed or removed pages, or the code, the source or the live version differ."""
    UNVOUCHED = "unvouched"
    """Nothing seen changed, but some pages failed last time or are undated: only fetching them can tell."""
    UNDECIDED = "undecided"
    """The check stopped before the end: the site asked it to wait, or its time ran out."""
    QUIET = "quiet"


@dataclass(frozen=True, slots=True)
class BuiltFrom:
    """What the live warehouse version was built from: its ``warehouse_version`` row."""

    run_id: str
    built_at: str
    source: str
    pages: str
    """Digest of the listed pages: review id, URL and sitemap date; for a folder, size and mtime too."""
    listed_pages: int
    undated_pages: int
    """Pages listed without a date: whether they changed only a request for each can tell."""
    failed_pages: int
    code: str
    """Digest of the package's code, its reference files and the view SQL."""


@dataclass(frozen=True, slots=True)
class ChangeCheck:
    verdict: Verdict
    reason: str
    """Why, in a line for a person."""
    outputs_stale: bool = False
    """Nothing changed, but the report or the open-data release is missing or of another version."""
    seen: str = ""
    """Digest of what the check saw (the live version, the code, the listed pages): the same state
    seen twice gives the same run key."""

    @property
    def changed(self) -> bool:
        """Whether a run is called for (anything but QUIET): what ``dhr-etl run`` acts on."""
        return self.verdict is not Verdict.QUIET


def code_digest() -> str:
    """Changes whenever the code, a reference file or a view definition does (an upgrade, an edited
    alias list), so that a run after such a change rebuilds even if the source is quiet."""
    digest = hashlib.sha256()
    code = [p for p in PACKAGE_DIR.rglob("*.py")
            # the bundled library is a source like any other: its pages are compared as pages
            if "sample" not in p.relative_to(PACKAGE_DIR).parts]
    # reference/ with its subfolders (bodies/, geography/): an edited catalogue changes resolution too
    files = sorted([*code, *REFERENCE_DIR.rglob("*.csv"), *REFERENCE_DIR.rglob("*.csv.gz"), *SQL_DIR.glob("*.sql")])
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


def built_from(settings: Settings, discovered: pl.DataFrame, fetched: pl.DataFrame) -> dict[str, object]:
    """The columns of a new version's ``warehouse_version`` row that say what it is built from:
    ``discovered``, the pages the source listed; ``fetched``, this run's fetch records."""
    pages, undated = pages_digest(settings, discovered)
    failed = int((fetched["outcome"] == "failed").sum()) if len(fetched) else 0
    return {"pages_digest": pages, "listed_pages": len(discovered), "undated_pages": undated,
            "failed_pages": failed, "code_digest": code_digest()}


def last_published(settings: Settings) -> BuiltFrom | None:
    """What the live version was built from; None when there is no live version, it cannot be
    read, or an older dhr-etl built it without the record."""
    from dhr_etl.warehouse.store import open_warehouse

    try:
        rows = open_warehouse(settings.warehouse_url, timeout_seconds=WAREHOUSE_TIMEOUT_SECONDS).query(
            "SELECT run_id, built_at, source, pages_digest, listed_pages, undated_pages, failed_pages, code_digest "
            "FROM warehouse_version")
    except Exception:  # noqa: BLE001 - any failure to read it means it cannot be vouched for
        return None
    if len(rows) != 1 or any(value is None for value in rows[0]):
        return None
    return BuiltFrom(*rows[0])


def check_for_changes(settings: Settings, within_seconds: float | None = None) -> ChangeCheck:
    """Whether a run would build anything new, and why.

    ``within_seconds``: for a caller that must not block (the sensor). The source is asked without
    ever waiting for it and within that time, else the verdict is UNDECIDED. Without it the source
    is asked as a run asks it, waiting as the site requests up to DHR_MAX_WAIT_SECONDS. Either way a
    source that cannot be read at all raises ``SourceUnavailable``."""
    built = last_published(settings)
    if built is None:
        return ChangeCheck(Verdict.CHANGED, "no record of a published version yet (the live warehouse is missing, "
                                            "unreadable, or was built by an older dhr-etl)")
    if built.source != settings.source:
        return ChangeCheck(Verdict.CHANGED, "the source is not the one the live version was built from",
                           seen=_digest(built.run_id, settings.source))
    code = code_digest()
    if built.code != code:
        return ChangeCheck(Verdict.CHANGED, "dhr-etl's code, reference files or view SQL changed since the live "
                                            "version was built", seen=_digest(built.run_id, code))
    from dhr_etl.source.crawl import DiscoveryCutShort, discover_reviews  # imports httpx: only when needed

    try:
        discovered, _, _ = discover_reviews(settings, progress=lambda _: None, within_seconds=within_seconds)
    except DiscoveryCutShort as exc:
        return ChangeCheck(Verdict.UNDECIDED, f"the check could not finish: {exc}")
    pages, undated = pages_digest(settings, discovered)
    seen = _digest(built.run_id, code, pages)
    if pages != built.pages:
        return ChangeCheck(Verdict.CHANGED, "the source lists new, changed or removed pages", seen=seen)
    if built.failed_pages:
        return ChangeCheck(Verdict.UNVOUCHED, f"{built.failed_pages} page(s) failed last time and are tried again",
                           seen=seen)
    if undated:
        return ChangeCheck(Verdict.UNVOUCHED, f"the sitemap dates none of {undated} page(s): only fetching them "
                                              "can tell", seen=seen)
    return ChangeCheck(Verdict.QUIET, f"nothing changed since run {built.run_id[:8]} built the live version at "
                                      f"{built.built_at} ({len(discovered)} pages listed, none new or changed)",
                       outputs_stale=not outputs_describe(settings, built.run_id), seen=seen)


def night_of(moment: dt.datetime, timezone: str) -> str:
    """The night a moment falls in, named by the date it began (nights begin at 02:00 local time)."""
    local = moment.astimezone(ZoneInfo(timezone)) - dt.timedelta(hours=NIGHT_BEGINS_AT_HOUR)
    return local.date().isoformat()


def run_key(check: ChangeCheck, night: str) -> str:
    """The sensor's run key for a check that calls for a run. Dagster starts at most one run per
    key, so: a change starts one run per state seen (a run that failed on it is tried again the
    next night, or as soon as anything else changes); a retry that no change calls for (UNVOUCHED)
    or a check that could not finish (UNDECIDED) starts at most one run a night; stale outputs
    (a QUIET check's) are rewritten once per live version and night."""
    if check.verdict is Verdict.QUIET:
        return f"{night}:outputs:{check.seen[:16]}"
    if check.verdict is Verdict.CHANGED:
        return f"{night}:changed:{check.seen[:16]}"
    return f"{night}:{check.verdict}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
