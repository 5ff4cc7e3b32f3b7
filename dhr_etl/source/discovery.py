"""Read sitemaps and listing pages into candidate URLs. Pure functions over fetched bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from dhr_etl.source.urls import BadURL, absolute


class DiscoveryError(ValueError):
    """A sitemap or listing page could not be read."""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None


@dataclass(frozen=True, slots=True)
class Sitemap:
    is_index: bool
    entries: list[SitemapEntry]


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_FEED_BYTES = 1 << 16


def parse_sitemap(content: bytes) -> Sitemap:
    """A ``<urlset>`` or a ``<sitemapindex>``; namespaces are ignored, entity declarations refused."""
    # The whole document is scanned, not its head: a declaration after a long comment is still a
    # declaration, and entities are how a few kB of XML become gigabytes. Sitemaps never need one.
    if _DOCTYPE.search(content):
        raise DiscoveryError("sitemap declares a DOCTYPE or entities, which are refused")
    reader = _SitemapReader()
    try:
        for offset in range(0, len(content), _FEED_BYTES):
            reader.feed(content[offset:offset + _FEED_BYTES])
        reader.close()
    except ET.ParseError as exc:
        raise DiscoveryError(f"sitemap is not well-formed XML: {exc}") from None
    return Sitemap(is_index=reader.kind == "sitemapindex", entries=reader.entries)


class _SitemapReader:
    """Reads items as they complete and drops them, so memory holds the entries, not the tree."""

    def __init__(self) -> None:
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.root: ET.Element | None = None
        self.kind: str | None = None
        self.depth = 0
        self.entries: list[SitemapEntry] = []

    def feed(self, data: bytes) -> None:
        self.parser.feed(data)
        self._take_events()

    def close(self) -> None:
        self.parser.close()
        self._take_events()

    def _take_events(self) -> None:
        for event, element in self.parser.read_events():
            if event == "start":
                self.depth += 1
                if self.root is None:
                    self.root, self.kind = element, _local(element.tag)
                    if self.kind not in ("urlset", "sitemapindex"):
                        raise DiscoveryError(f"sitemap root is <{self.kind[:40]}>, expected <urlset> or <sitemapindex>")
                continue
            self.depth -= 1
            if self.depth == 1:
                values = {_local(child.tag): (child.text or "").strip() for child in element}
                if values.get("loc"):
                    self.entries.append(SitemapEntry(values["loc"], values.get("lastmod") or None))
                self.root.clear()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True, slots=True)
class ListingPage:
    links: list[str]
    next_url: str | None
    unusable: list[tuple[str, str]] = field(default_factory=list)
    """(href as written, why it cannot be used): skipped, for discovery to note."""


def parse_listing(html: str, page_url: str) -> ListingPage:
    """Every link on a listing page, and the next page (``rel="next"`` or a link reading "Next")."""
    tree = LexborHTMLParser(html)
    links: list[str] = []
    unusable: list[tuple[str, str]] = []
    next_url = None
    for anchor in tree.css("a[href], link[href]"):
        href = anchor.attributes.get("href") or ""
        if not href or href.startswith(("mailto:", "javascript:", "#")):
            continue
        try:
            url = absolute(href, page_url)
        except BadURL as exc:
            unusable.append((href, str(exc)))
            continue
        rel = (anchor.attributes.get("rel") or "").lower().split()
        text = anchor.text(deep=True).strip().lower().strip("»›→ ").strip()
        if next_url is None and ("next" in rel or text in ("next", "next page")):
            next_url = url
        if anchor.tag == "a":
            links.append(url)
    return ListingPage(links, next_url, unusable)
