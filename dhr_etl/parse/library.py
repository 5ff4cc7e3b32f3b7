"""Parse every landed review into polars frames, falling back to the last good copy of a page.

For each review the newest stored version is parsed; if it fails, the failure is quarantined with
its reason and older versions are tried, newest first, so a page that breaks keeps showing its
last good data, flagged with the date of that data.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import IO

import polars as pl

from dhr_etl.frames import FrameBuilder
from dhr_etl.resources import packaged_path
from dhr_etl.parse.model import PageParseError, ParsedReview, review_from_json, review_to_json
from dhr_etl.parse.review_page import parse_review_page
from dhr_etl.source.landing import FetchRecord, LandingZone
from dhr_etl.source.urls import upload_date_from_review_id

REVIEW_SCHEMA = {
    "review_id": pl.String,
    "source_url": pl.String,
    "title": pl.String,
    "csp_printed": pl.String,
    "published_month": pl.Date,
    "upload_date": pl.Date,
    "year_of_death": pl.Int32,
    "declared_recommendations": pl.Int32,
    "summary": pl.String,
    "report_url": pl.String,
    "content_sha256": pl.String,
    "rendition": pl.String,
    "data_as_of": pl.String,
    "status": pl.String,
    "status_note": pl.String,
    "parse_notes": pl.String,  # what parsing removed from the page to store it, one note a line
}
RECOMMENDATION_SCHEMA = {
    "review_id": pl.String,
    "rec_position": pl.Int32,
    "rec_label": pl.String,
    "rec_order": pl.Int32,
    "recommendation": pl.String,
}
ADDRESSEE_SCHEMA = {
    "review_id": pl.String,
    "rec_position": pl.Int32,
    "addressee_position": pl.Int32,
    "addressed_as": pl.String,
}
QUARANTINE_SCHEMA = {
    "review_id": pl.String,
    "url": pl.String,
    "content_sha256": pl.String,
    "fetched_at": pl.String,
    "reason": pl.String,
}


PARSER_DIR = packaged_path("parse")


@cache
def parser_digest() -> str:
    """A digest of the code that turns a page into a ParsedReview: every source file of
    ``dhr_etl/parse/`` and the version of selectolax, the HTML parser it reads pages with. Cached
    results are keyed by it, so any change to parsing (an edit, an upgrade) parses every page afresh
    once, with no version number for anyone to remember to bump. Computed once per process."""
    digest = hashlib.sha256(f"selectolax {package_version('selectolax')}".encode())
    for path in sorted(PARSER_DIR.glob("*.py")):
        digest.update(f"\x1e{path.name}\x1f".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ParsedLibrary:
    reviews: pl.DataFrame
    recommendations: pl.DataFrame
    addressees: pl.DataFrame
    quarantine: pl.DataFrame
    """Every version that failed to parse this run, with the reason."""
    pages_parsed: int = 0
    """Page versions actually parsed this run; the rest came from the cache."""
    cache_hits: int = 0


class ParseCache:
    """Parse results (or the reason a page failed) by content hash, under ``<landing>/parsed/``:
    one JSON-lines file per run holding that run's new results, read whole at the start of the
    next (one file per page would cost more than the parsing on a slow file system).

    An entry is keyed by the page's content, rendition and URL and by :func:`parser_digest`, so it
    says only what this parser makes of that page, whichever warehouse version it ends up in: it is
    written as soon as parsed, and a run whose version fails its checks leaves entries that are
    still right. Each file is named after the digest it was written under; files of any other
    parser are removed, not read (``discard_unsaved``), so old results do not pile up in memory.

    Memory is what limits a large library here, so earlier entries stay as their JSON text until
    asked for, and new ones go straight to this run's file (a temporary name until ``save``): at
    65,000 pages, decoded dictionaries and a run's results held until the end took over 1 GB."""

    _KEY_PREFIX = '{"key": "'

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, str] = {}
        self._prefix = f"p{parser_digest()[:16]}-"
        for path in sorted(root.glob(f"{self._prefix}*.jsonl")) if root.is_dir() else []:
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    if line.strip():
                        self.entries[self._key_of(line)] = line
        self.added = 0
        self._pending: IO[str] | None = None
        self._pending_path = root / f".{os.getpid()}-{time.time_ns()}.jsonl.tmp"

    @classmethod
    def _key_of(cls, line: str) -> str:
        # Every line starts with its key (``put`` writes it first): read it without decoding the rest.
        if line.startswith(cls._KEY_PREFIX):
            return line[len(cls._KEY_PREFIX):len(cls._KEY_PREFIX) + 64]
        return json.loads(line)["key"]

    @staticmethod
    def _key(sha: str, rendition: str, url: str) -> str:
        return hashlib.sha256(f"{parser_digest()}|{sha}|{rendition}|{url}".encode()).hexdigest()

    def get(self, sha: str, rendition: str, url: str) -> ParsedReview | PageParseError | None:
        line = self.entries.get(self._key(sha, rendition, url))
        if line is None:
            return None
        data = json.loads(line)
        return PageParseError(data["error"]) if "error" in data else review_from_json(data["review"])

    def put(self, sha: str, rendition: str, url: str, result: ParsedReview | PageParseError) -> None:
        entry = {"key": self._key(sha, rendition, url),
                 **({"error": str(result)} if isinstance(result, PageParseError) else {"review": review_to_json(result)})}
        if self._pending is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._pending = self._pending_path.open("w", encoding="utf-8")
        self._pending.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.added += 1

    def save(self) -> None:
        """Publish this run's entries under their final name (a killed run leaves only a .tmp file,
        which no reader looks at and the next ``discard_unsaved`` removes)."""
        if self._pending is None:
            return
        self._pending.flush()
        os.fsync(self._pending.fileno())
        self._pending.close()
        self._pending = None
        final = f"{self._prefix}{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{self.added}.jsonl"
        os.replace(self._pending_path, self.root / final)

    def discard_unsaved(self) -> None:
        """Remove what killed runs left half-written, and the results of any other parser code."""
        for stale in self.root.glob(".*.jsonl.tmp") if self.root.is_dir() else []:
            if stale != self._pending_path:
                stale.unlink(missing_ok=True)
        for other in self.root.glob("*.jsonl") if self.root.is_dir() else []:
            if not other.name.startswith(self._prefix):
                other.unlink(missing_ok=True)


def unexpected_failure(exc: Exception) -> PageParseError:
    """A failure no check in the parser foresaw, as one sentence: the page is quarantined with it
    like any other parse error, so one strange page can never stop a run."""
    # The message may quote the page: made writable as UTF-8 (it goes to the parse cache and logs).
    message = " ".join(str(exc).split()).encode("utf-8", "replace").decode("utf-8")
    message = message if len(message) <= 200 else message[:200] + "…"
    return PageParseError(f"the page could not be read ({type(exc).__name__}: {message or 'no message'}); "
                          "pages are accepted once the parser can read them, so report this page as a parser bug")


def decode_page(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PageParseError(f"page is not valid UTF-8 (byte {exc.start}: {exc.reason})") from None


def parse_library(landing: LandingZone, source: str, run_records: Sequence[FetchRecord]) -> ParsedLibrary:
    cache = ParseCache(landing.root / "parsed")
    cache.discard_unsaved()
    parsed_now = cached = 0

    def parse_version(version: dict) -> ParsedReview:
        nonlocal parsed_now, cached
        result = cache.get(version["sha256"], version["rendition"], version["url"])
        if result is None:
            parsed_now += 1
            try:
                page = decode_page(landing.read(version["sha256"]))
                result = parse_review_page(page, version["rendition"], version["url"])
            except PageParseError as exc:
                result = exc
            except Exception as exc:  # noqa: BLE001 - any failure of one page quarantines only that page
                result = unexpected_failure(exc)
            cache.put(version["sha256"], version["rendition"], version["url"], result)
        else:
            cached += 1
        if isinstance(result, PageParseError):
            raise result
        return result

    versions = landing.good_versions(source)
    by_review: dict[str, list[dict]] = {}
    for row in versions.to_dicts():
        by_review.setdefault(row["review_id"], []).append(row)
    this_run = {record.review_id: record for record in run_records}

    quarantine: list[dict] = []
    reviews, recommendations, addressees = (FrameBuilder(REVIEW_SCHEMA), FrameBuilder(RECOMMENDATION_SCHEMA),
                                            FrameBuilder(ADDRESSEE_SCHEMA))
    for review_id in sorted(by_review.keys() | this_run.keys()):
        record = this_run.get(review_id)
        candidates = by_review.get(review_id, [])
        chosen: tuple[dict, ParsedReview] | None = None
        failures: list[dict] = []
        for version in candidates:
            try:
                parsed = parse_version(version)
            except PageParseError as exc:
                failures.append({"review_id": review_id, "url": version["url"],
                                 "content_sha256": version["sha256"],
                                 "fetched_at": version["last_seen"], "reason": str(exc)})
                continue
            chosen = (version, parsed)
            break
        if chosen is not None or record is not None:
            # A withdrawn page whose every copy fails contributes nothing: not a review, and not a
            # failure reported night after night for a page the source no longer lists.
            quarantine += failures
        if chosen is None:
            if record is not None and record.outcome == "failed":
                quarantine.append({"review_id": review_id, "url": record.url, "content_sha256": None,
                                   "fetched_at": record.fetched_at, "reason": record.error})
            continue
        version, parsed = chosen
        status, note = _status(record, version, candidates)
        row = _review_row(review_id, version, parsed, status, note)
        reviews.add(row[name] for name in REVIEW_SCHEMA)
        for rec in parsed.recommendations:
            recommendations.add((review_id, rec.position, rec.label, rec.order, rec.text))
            for i, name in enumerate(rec.addressees, start=1):
                addressees.add((review_id, rec.position, i, name))
    cache.save()
    return ParsedLibrary(
        reviews=reviews.frame(),
        recommendations=recommendations.frame(),
        addressees=addressees.frame(),
        quarantine=pl.DataFrame(quarantine, schema=QUARANTINE_SCHEMA),
        pages_parsed=parsed_now,
        cache_hits=cached,
    )


def _status(record: FetchRecord | None, version: dict, candidates: list[dict]) -> tuple[str, str | None]:
    shown = version["last_seen"][:10]
    if record is None:
        return "withdrawn", f"no longer listed by the source; showing data from {shown}"
    if record.outcome == "failed":
        return "stale", f"page failed to fetch on {record.fetched_at[:10]} ({record.error}), showing data from {shown}"
    if version is not candidates[0]:
        return "stale", f"page failed to parse on {candidates[0]['last_seen'][:10]}, showing data from {shown}"
    return "current", None


def _review_row(review_id: str, version: dict, parsed: ParsedReview, status: str, note: str | None) -> dict:
    return {
        "review_id": review_id,
        "source_url": version["url"],
        "title": parsed.title,
        "csp_printed": parsed.csp,
        "published_month": parsed.published_month,
        "upload_date": upload_date_from_review_id(review_id),
        "year_of_death": parsed.year_of_death,
        "declared_recommendations": parsed.declared_recommendations,
        "summary": parsed.summary,
        "report_url": parsed.report_url,
        "content_sha256": version["sha256"],
        "rendition": version["rendition"],
        "data_as_of": version["last_seen"],
        "status": status,
        "status_note": note,
        "parse_notes": "\n".join(parsed.notes) or None,
    }
