"""Discovery over real HTTP against a local library site: sitemap index + listing, merged."""

from __future__ import annotations

import pytest

from dhr_etl.sample.site import LibrarySite
from dhr_etl.settings import SAMPLE_LIBRARY_DIR, load_settings
from dhr_etl.source.crawl import SourceUnavailable, discover_reviews
from dhr_etl.source.discovery import DiscoveryError, parse_listing, parse_sitemap
from dhr_etl.source.urls import review_id_from_url, upload_date_from_review_id

SAMPLE_IDS = sorted(p.stem for p in SAMPLE_LIBRARY_DIR.glob("*.html"))


def discover(site: LibrarySite, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DHR_SOURCE", site.base_url)
    return discover_reviews(load_settings(), progress=lambda _: None)


@pytest.mark.usefixtures("fast_crawl")
def test_sitemap_index_and_paginated_listing_each_find_every_review_once(sample_site, monkeypatch) -> None:
    frame, discovery, _ = discover(sample_site, monkeypatch)
    assert frame["review_id"].to_list() == SAMPLE_IDS
    assert set(frame["found_in"]) == {"listing,sitemap"}
    assert discovery.listing_pages == 3  # 12 reviews, 4 per page
    assert frame["lastmod"].null_count() == 0  # taken from the sitemap


@pytest.mark.usefixtures("fast_crawl")
def test_the_listing_alone_is_enough_when_there_is_no_sitemap(sample_site, monkeypatch) -> None:
    from dhr_etl.sample.site import Fault

    sample_site.faults["/sitemap.xml"] = Fault(status=404)
    frame, discovery, _ = discover(sample_site, monkeypatch)
    assert frame["review_id"].to_list() == SAMPLE_IDS
    assert any("sitemap" in note for note in discovery.notes)


@pytest.mark.usefixtures("fast_crawl")
def test_sitemap_links_off_site_or_outside_the_base_path_are_ignored(sample_site, monkeypatch) -> None:
    sample_site.extra_sitemap_urls += [
        "https://evil.example/sources/dhr/6500aaaa-elsewhere/",
        sample_site.origin + "/other/6500aaaa-elsewhere/",
    ]
    frame, _, _ = discover(sample_site, monkeypatch)
    assert "6500aaaa-elsewhere" not in frame["review_id"].to_list()
    assert not sample_site.requests_to("/other/")


@pytest.mark.usefixtures("fast_crawl")
def test_an_unreachable_source_says_so(monkeypatch) -> None:
    monkeypatch.setenv("DHR_SOURCE", "http://127.0.0.1:9/sources/dhr/")  # discard port: nothing listens
    monkeypatch.setenv("DHR_TIMEOUT_SECONDS", "1")
    with pytest.raises(SourceUnavailable, match=r"cannot reach http://127\.0\.0\.1:9/sources/dhr/"):
        discover_reviews(load_settings(), progress=lambda _: None)


def test_sitemap_parser_reads_urlsets_and_indexes_and_refuses_entities() -> None:
    urlset = parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a/x/</loc>'
                           b"<lastmod>2024-01-02</lastmod></url><url><loc>https://a/y/</loc></url></urlset>")
    assert not urlset.is_index
    assert [(e.loc, e.lastmod) for e in urlset.entries] == [("https://a/x/", "2024-01-02"), ("https://a/y/", None)]
    index = parse_sitemap(b"<sitemapindex><sitemap><loc>https://a/s1.xml</loc></sitemap></sitemapindex>")
    assert index.is_index and index.entries[0].loc == "https://a/s1.xml"
    with pytest.raises(DiscoveryError, match="DOCTYPE"):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><urlset/>')
    with pytest.raises(DiscoveryError, match="not well-formed"):
        parse_sitemap(b"<urlset><url>")


def test_listing_finds_next_by_rel_or_by_text() -> None:
    by_rel = parse_listing('<a href="/sources/dhr/?page=2" rel="next">›</a>', "https://h/sources/dhr/")
    by_text = parse_listing('<a href="?page=3">Next</a>', "https://h/sources/dhr/?page=2")
    assert by_rel.next_url == "https://h/sources/dhr/?page=2"
    assert by_text.next_url == "https://h/sources/dhr/?page=3"


def test_review_urls_and_the_upload_date_in_the_id() -> None:
    base = "https://www.accountabilityindex.uk/sources/dhr/"
    assert review_id_from_url(base + "647f1570-nuneaton-and-bedworth/", base) == "647f1570-nuneaton-and-bedworth"
    assert review_id_from_url(base + "647f1570-nuneaton-and-bedworth", base) == "647f1570-nuneaton-and-bedworth"
    assert review_id_from_url(base, base) is None
    assert review_id_from_url(base + "about/", base) is None
    assert review_id_from_url("https://evil.example/sources/dhr/647f1570-x/", base) is None
    assert str(upload_date_from_review_id("647f1570-nuneaton-and-bedworth")) == "2023-06-06"
