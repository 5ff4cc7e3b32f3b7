"""What is a review URL, and what is inside the configured site."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

REVIEW_ID = re.compile(r"^(?P<hex>[0-9a-f]{8})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def under_base(url: str, base: str) -> bool:
    """True when the URL is on the base's host and under its path (the only pages we crawl)."""
    return same_origin(url, base) and urlsplit(url).path.startswith(urlsplit(base).path)


def absolute(href: str, page_url: str) -> str:
    return urldefrag(urljoin(page_url, href.strip()))[0]


def review_id_from_url(url: str, base: str) -> str | None:
    """``<base><8 hex>-<slug>/`` → ``<8 hex>-<slug>``; None for anything else."""
    if not under_base(url, base):
        return None
    rest = urlsplit(url).path[len(urlsplit(base).path):].strip("/")
    return rest if REVIEW_ID.match(rest) else None


def path_of_file_url(url: str) -> Path:
    """The saved page a folder source's ``file://`` URL stands for (discovery writes them)."""
    return Path.from_uri(url) if hasattr(Path, "from_uri") else Path(url.removeprefix("file://"))


def review_url(review_id: str, base: str) -> str:
    return f"{base}{review_id}/"


def upload_date_from_review_id(review_id: str) -> dt.date | None:
    """The id's hex prefix is the upload time to the Home Office library as a Unix timestamp."""
    m = REVIEW_ID.match(review_id)
    if not m:
        return None
    seconds = int(m.group("hex"), 16)
    # The library is in London: an upload at 23:30 UTC on 31 May is on 1 June there.
    return dt.datetime.fromtimestamp(seconds, tz=LONDON).date()
