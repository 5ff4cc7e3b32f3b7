"""Landing pages over real HTTP: what is fetched, what is kept, what a failure leaves behind."""

from __future__ import annotations

import pytest

from dhr_etl.sample.site import Fault
from tests.conftest import crawl, page_requests


@pytest.mark.usefixtures("fast_crawl")
def test_every_page_is_landed_by_content_hash_with_a_user_agent_naming_the_project(sample_site, monkeypatch) -> None:
    landing, records, _ = crawl(monkeypatch, sample_site)
    assert len(records) == 12 and {r.outcome for r in records.values()} == {"fetched"}
    for review_id, record in records.items():
        assert landing.read(record.sha256) == sample_site.pages[review_id].content
    assert all("dhr-etl" in r.headers["user-agent"] for r in sample_site.requests)


@pytest.mark.usefixtures("fast_crawl")
def test_an_unchanged_library_is_skipped_by_sitemap_lastmod_without_any_page_request(sample_site, monkeypatch) -> None:
    crawl(monkeypatch, sample_site)
    first = len(page_requests(sample_site))
    _, records, _ = crawl(monkeypatch, sample_site)
    assert first == 12
    assert {r.outcome for r in records.values()} == {"not_modified"}
    assert len(page_requests(sample_site)) == first


@pytest.mark.usefixtures("fast_crawl")
def test_without_lastmod_an_unchanged_page_costs_one_conditional_request_answered_304(sample_site, monkeypatch) -> None:
    sample_site.faults["/sitemap.xml"] = Fault(status=404)  # listing only: no lastmod to go by
    crawl(monkeypatch, sample_site)
    _, records, stats = crawl(monkeypatch, sample_site)
    second_run = page_requests(sample_site)[12:]
    assert len(second_run) == 12
    assert all(r.status == 304 and r.headers.get("if-none-match") for r in second_run)
    assert {r.outcome for r in records.values()} == {"not_modified"}


@pytest.mark.usefixtures("fast_crawl")
def test_a_changed_page_is_fetched_again_and_both_versions_are_kept(sample_site, monkeypatch) -> None:
    landing, first, _ = crawl(monkeypatch, sample_site)
    review_id = sorted(sample_site.pages)[0]
    sample_site.set_page(review_id, sample_site.pages[review_id].content.replace(b"</main>", b"<p>Updated.</p></main>"))
    sample_site.pages[review_id].last_modified += 60
    _, second, _ = crawl(monkeypatch, sample_site)
    assert second[review_id].outcome == "fetched"
    assert second[review_id].sha256 != first[review_id].sha256
    versions = landing.good_versions(sample_site.base_url).filter(landing.good_versions(sample_site.base_url)["review_id"] == review_id)
    assert versions["sha256"].to_list()[0] == second[review_id].sha256 and len(versions) == 2


@pytest.mark.usefixtures("fast_crawl")
def test_a_page_that_keeps_failing_is_recorded_as_failed_after_retries(sample_site, monkeypatch) -> None:
    review_id = sorted(sample_site.pages)[1]
    sample_site.faults[f"/sources/dhr/{review_id}/"] = Fault(status=500)
    _, records, stats = crawl(monkeypatch, sample_site)
    assert records[review_id].outcome == "failed"
    assert "HTTP 500" in records[review_id].error
    assert len(sample_site.requests_to(f"/sources/dhr/{review_id}/")) == 4  # the attempt cap
    assert stats.retried >= 3


@pytest.mark.usefixtures("fast_crawl")
def test_a_redirect_off_the_host_is_refused(sample_site, monkeypatch) -> None:
    review_id = sorted(sample_site.pages)[2]
    sample_site.faults[f"/sources/dhr/{review_id}/"] = Fault(status=302, location="http://evil.example/page/")
    _, records, _ = crawl(monkeypatch, sample_site)
    assert records[review_id].outcome == "failed"
    assert "off the configured host" in records[review_id].error


@pytest.mark.usefixtures("fast_crawl")
def test_a_page_over_the_size_cap_is_not_stored(sample_site, monkeypatch) -> None:
    monkeypatch.setenv("DHR_MAX_PAGE_BYTES", "10000")
    review_id = "647f1570-nuneaton-and-bedworth"  # the reference page is ~19 kB
    _, records, _ = crawl(monkeypatch, sample_site)
    assert records[review_id].outcome == "failed"
    assert "cap" in records[review_id].error and records[review_id].sha256 is None
