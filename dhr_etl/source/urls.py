"""What is a review URL, and what is inside the configured site."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

REVIEW_ID = re.compile(r"^(?P<hex>[0-9a-f]{8})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$")

MAX_URL_LENGTH = 2048
"""The sitemap protocol's limit on a ``<loc>`` (sitemaps.org: "must be less than 2,048 characters");
no review URL comes near it, and it keeps one hostile link from costing more than a few kB."""

_TAB_AND_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class BadURL(ValueError):
    """A URL taken from the site that cannot be used; the message completes "the URL …"."""


def same_origin(url: str, base: str) -> bool:
    try:
        a, b = urlsplit(url), urlsplit(base)
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:  # a port out of range or a broken IPv6 host is on no origin of ours
        return False


def under_base(url: str, base: str) -> bool:
    """True when the URL is on the base's host and under its path (the only pages we crawl)."""
    return same_origin(url, base) and urlsplit(url).path.startswith(urlsplit(base).path)


def absolute(href: str, page_url: str) -> str:
    """``href`` resolved against the page it appeared on, without its fragment.

    Every URL the site hands us (sitemap ``<loc>``, listing link, redirect ``Location``) passes
    through here, so here is where an unusable one is refused, with :class:`BadURL`.
    """
    href = _TAB_AND_NEWLINE.sub("", href.strip())  # as browsers do: wrapped attributes are common
    if len(href) > MAX_URL_LENGTH:
        raise BadURL(f"is {len(href)} characters long; the limit is {MAX_URL_LENGTH}")
    if _CONTROL_CHARACTERS.search(href):
        raise BadURL("contains control characters")
    try:
        url = urldefrag(urljoin(page_url, href))[0]
        parts = urlsplit(url)
        port = parts.port  # urlsplit checks the port only when asked
    except ValueError as exc:
        raise BadURL(f"is not a valid URL ({exc})") from None
    if port == 0:
        raise BadURL("has port 0")
    if len(url) > MAX_URL_LENGTH:
        raise BadURL(f"is {len(url)} characters long once resolved; the limit is {MAX_URL_LENGTH}")
    return url


def shown(url: str, limit: int = 100) -> str:
    """A URL short enough for a message or a note, however long the site made it."""
    return url if len(url) <= limit else f"{url[:limit]}… ({len(url)} characters)"


def review_id_from_url(url: str, base: str) -> str | None:
    """``<base><8 hex>-<slug>/`` → ``<8 hex>-<slug>``; None for anything else."""
    if not under_base(url, base):
        return None
    rest = urlsplit(url).path[len(urlsplit(base).path):].strip("/")
    return rest if REVIEW_ID.match(rest) else None


def is_saved_review_page(path: Path) -> bool:
    """``<8 hex>-<slug>.html`` (or ``.htm``, or a saved text rendition ``.txt``): what a folder source holds."""
    return path.suffix.lower() in (".html", ".htm", ".txt") and REVIEW_ID.match(path.stem) is not None


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
