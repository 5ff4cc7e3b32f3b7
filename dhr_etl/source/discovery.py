"""Read sitemaps and listing pages into candidate URLs. Pure functions over fetched bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from dhr_etl.source.urls import absolute


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


def parse_sitemap(content: bytes) -> Sitemap:
    """A ``<urlset>`` or a ``<sitemapindex>``; namespaces are ignored, entity declarations refused."""
    if _DOCTYPE.search(content[:4096]):
        raise DiscoveryError("sitemap declares a DOCTYPE or entities, which are refused")
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise DiscoveryError(f"sitemap is not well-formed XML: {exc}") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"sitemap root is <{kind}>, expected <urlset> or <sitemapindex>")
    entries = []
    for item in root:
        values = {_local(child.tag): (child.text or "").strip() for child in item}
        if values.get("loc"):
            entries.append(SitemapEntry(values["loc"], values.get("lastmod") or None))
    return Sitemap(is_index=kind == "sitemapindex", entries=entries)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True, slots=True)
class ListingPage:
    links: list[str]
    next_url: str | None


def parse_listing(html: str, page_url: str) -> ListingPage:
    """Every link on a listing page, and the next page (``rel="next"`` or a link reading "Next")."""
    tree = LexborHTMLParser(html)
    links: list[str] = []
    next_url = None
    for anchor in tree.css("a[href], link[href]"):
        href = anchor.attributes.get("href") or ""
        if not href or href.startswith(("mailto:", "javascript:", "#")):
            continue
        url = absolute(href, page_url)
        rel = (anchor.attributes.get("rel") or "").lower().split()
        text = anchor.text(deep=True).strip().lower().strip("»›→ ").strip()
        if next_url is None and ("next" in rel or text in ("next", "next page")):
            next_url = url
        if anchor.tag == "a":
            links.append(url)
    return ListingPage(links, next_url)
