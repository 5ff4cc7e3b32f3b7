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
from pathlib import Path

import polars as pl

from dhr_etl.files import write_atomically
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


# Bump whenever a change to parsing could change what a page parses to: cached results are
# keyed by it, so every page is parsed afresh once after the change.
PARSER_VERSION = "1"


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
    next (one file per page would cost more than the parsing on a slow file system)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, dict] = {}
        self.new: dict[str, dict] = {}
        for path in sorted(root.glob("*.jsonl")) if root.is_dir() else []:
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self.entries[entry["key"]] = entry

    @staticmethod
    def _key(sha: str, rendition: str, url: str) -> str:
        return hashlib.sha256(f"{PARSER_VERSION}|{sha}|{rendition}|{url}".encode()).hexdigest()

    def get(self, sha: str, rendition: str, url: str) -> ParsedReview | PageParseError | None:
        key = self._key(sha, rendition, url)
        data = self.new.get(key) or self.entries.get(key)
        if data is None:
            return None
        return PageParseError(data["error"]) if "error" in data else review_from_json(data["review"])

    def put(self, sha: str, rendition: str, url: str, result: ParsedReview | PageParseError) -> None:
        key = self._key(sha, rendition, url)
        self.new[key] = {"key": key, **({"error": str(result)} if isinstance(result, PageParseError)
                                        else {"review": review_to_json(result)})}

    def save(self) -> None:
        if not self.new:
            return
        path = self.root / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{len(self.new)}.jsonl"
        lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.new.values())
        write_atomically(path, lines.encode("utf-8"))
        self.entries.update(self.new)
        self.new.clear()


def decode_page(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PageParseError(f"page is not valid UTF-8 (byte {exc.start}: {exc.reason})") from None


def parse_library(landing: LandingZone, source: str, run_records: Sequence[FetchRecord]) -> ParsedLibrary:
    cache = ParseCache(landing.root / "parsed")
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

    reviews, recommendations, addressees, quarantine = [], [], [], []
    for review_id in sorted(by_review.keys() | this_run.keys()):
        record = this_run.get(review_id)
        candidates = by_review.get(review_id, [])
        chosen: tuple[dict, ParsedReview] | None = None
        for version in candidates:
            try:
                parsed = parse_version(version)
            except PageParseError as exc:
                quarantine.append({"review_id": review_id, "url": version["url"],
                                   "content_sha256": version["sha256"],
                                   "fetched_at": version["last_seen"], "reason": str(exc)})
                continue
            chosen = (version, parsed)
            break
        if chosen is None:
            if record is not None and record.outcome == "failed":
                quarantine.append({"review_id": review_id, "url": record.url, "content_sha256": None,
                                   "fetched_at": record.fetched_at, "reason": record.error})
            continue
        version, parsed = chosen
        status, note = _status(record, version, candidates)
        reviews.append(_review_row(review_id, version, parsed, status, note))
        for rec in parsed.recommendations:
            recommendations.append({"review_id": review_id, "rec_position": rec.position,
                                    "rec_label": rec.label, "rec_order": rec.order,
                                    "recommendation": rec.text})
            addressees.extend(
                {"review_id": review_id, "rec_position": rec.position,
                 "addressee_position": i, "addressed_as": name}
                for i, name in enumerate(rec.addressees, start=1)
            )
    cache.save()
    return ParsedLibrary(
        reviews=pl.DataFrame(reviews, schema=REVIEW_SCHEMA),
        recommendations=pl.DataFrame(recommendations, schema=RECOMMENDATION_SCHEMA),
        addressees=pl.DataFrame(addressees, schema=ADDRESSEE_SCHEMA),
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
    }
