"""The landing zone: every distinct version of every page, by content hash, with its fetch records.

Layout under ``<data>/landing/``::

    blobs/<sha[:2]>/<sha256>        raw bytes as fetched, written once, never changed
    fetches/<run stamp>.jsonl       one fetch record per page per run, written whole at run end

Both are written to a temporary name and renamed, so a killed run leaves either a complete file
or none. Blobs without records (a run killed mid-fetch) are harmless and reused by the next run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from dhr_etl.files import write_atomically

FETCH_RECORD_SCHEMA = {
    "source": pl.String,
    "review_id": pl.String,
    "url": pl.String,
    "fetched_at": pl.String,
    "outcome": pl.String,
    "status": pl.Int64,
    "sha256": pl.String,
    "bytes": pl.Int64,
    "rendition": pl.String,
    "etag": pl.String,
    "last_modified": pl.String,
    "lastmod": pl.String,
    "duration_ms": pl.Int64,
    "error": pl.String,
    "change": pl.String,
}


@dataclass(frozen=True, slots=True)
class FetchRecord:
    source: str
    """The configured source this page came from, so switching sources never mixes histories."""
    review_id: str
    url: str
    fetched_at: str
    outcome: str
    """``fetched`` (new body), ``not_modified`` (304 or skipped by lastmod), ``read`` (local file), ``failed``."""
    status: int | None
    sha256: str | None
    """The content this record stands for: the body fetched, or the unchanged one for a 304."""
    bytes: int | None
    rendition: str | None
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None
    duration_ms: int | None = None
    error: str | None = None
    change: str | None = None
    """Against the page's previous stored version: ``new``, ``changed`` or ``unchanged``; None if failed."""


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class LandingZone:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.fetches = root / "fetches"

    def store(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        path = self.blob_path(sha)
        if not path.exists():
            write_atomically(path, content)
        return sha

    def blob_path(self, sha: str) -> Path:
        return self.blobs / sha[:2] / sha

    def read(self, sha: str) -> bytes:
        return self.blob_path(sha).read_bytes()

    def record_run(self, records: Iterable[FetchRecord], stamp: str) -> Path:
        lines = "".join(json.dumps(asdict(record), ensure_ascii=False) + "\n" for record in records)
        path = self.fetches / f"{stamp}.jsonl"
        write_atomically(path, lines.encode("utf-8"))
        return path

    def history(self, source: str) -> pl.DataFrame:
        """Every fetch record of this source, oldest first (run files are named by a sortable stamp)."""
        files = sorted(self.fetches.glob("*.jsonl")) if self.fetches.is_dir() else []
        frames = [
            pl.read_ndjson(path, schema=FETCH_RECORD_SCHEMA) for path in files if path.stat().st_size
        ]
        if not frames:
            return pl.DataFrame(schema=FETCH_RECORD_SCHEMA)
        return pl.concat(frames).filter(pl.col("source") == source)

    def good_versions(self, source: str) -> pl.DataFrame:
        """Each distinct stored version per review, newest first: review_id, sha256, rendition,
        first_seen, last_seen, url."""
        # Record order, not fetched_at (one-second resolution), says which version is newest.
        history = self.history(source).with_row_index("seq").filter(pl.col("sha256").is_not_null())
        return (
            history.group_by("review_id", "sha256")
            .agg(
                pl.col("rendition").last(),
                pl.col("url").last(),
                pl.col("fetched_at").min().alias("first_seen"),
                pl.col("fetched_at").max().alias("last_seen"),
                pl.col("seq").max().alias("last_seq"),
            )
            .sort(["review_id", "last_seq"], descending=[False, True])
            .drop("last_seq")
        )
