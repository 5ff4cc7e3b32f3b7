"""The crawler against a site that misbehaves on demand; each test says what must hold afterwards."""

from __future__ import annotations

import pytest

from dhr_etl.sample.site import Fault, LibrarySite
from tests.conftest import REFERENCE_ID, crawl, page_requests

PAGE = f"/sources/dhr/{REFERENCE_ID}/"
pytestmark = pytest.mark.usefixtures("fast_crawl")


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_honoured_then_the_page_is_fetched(sample_site: LibrarySite, monkeypatch, status: int) -> None:
    sample_site.faults[PAGE] = Fault(status=status, times=1, retry_after="1")
    _, records, stats = crawl(monkeypatch, sample_site)
    first, second = page_requests(sample_site, REFERENCE_ID)
    assert (first.status, second.status) == (status, 200)
    assert second.at - first.at >= 0.95  # waited as told
    assert records[REFERENCE_ID].outcome == "fetched" and stats.retried == 1


def test_a_server_error_once_is_retried_with_backoff(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(status=500, times=1)
    _, records, stats = crawl(monkeypatch, sample_site)
    assert [r.status for r in page_requests(sample_site, REFERENCE_ID)] == [500, 200]
    assert records[REFERENCE_ID].outcome == "fetched" and stats.retried == 1


def test_a_response_slower_than_the_timeout_is_abandoned_and_retried(sample_site, monkeypatch) -> None:
    monkeypatch.setenv("DHR_TIMEOUT_SECONDS", "1")
    sample_site.faults[PAGE] = Fault(status=200, times=1, delay_seconds=2.5)
    _, records, _ = crawl(monkeypatch, sample_site)
    assert len(page_requests(sample_site, REFERENCE_ID)) == 2
    assert records[REFERENCE_ID].outcome == "fetched"


def test_a_connection_reset_is_retried(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(reset=True, times=1)
    _, records, _ = crawl(monkeypatch, sample_site)
    assert records[REFERENCE_ID].outcome == "fetched"
    assert len(page_requests(sample_site, REFERENCE_ID)) == 2


def test_a_truncated_body_is_never_stored(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(truncate=True)
    landing, records, _ = crawl(monkeypatch, sample_site)
    record = records[REFERENCE_ID]
    assert record.outcome == "failed" and record.sha256 is None
    assert "RemoteProtocolError" in record.error or "incomplete" in record.error.lower()
    stored = [p.read_bytes() for p in landing.blobs.rglob("*") if p.is_file()]
    assert not any(b"Nuneaton and Bedworth" in blob for blob in stored)


def test_invalid_bytes_are_landed_as_fetched_and_quarantined_by_the_parser(sample_site, monkeypatch) -> None:
    from dhr_etl.parse.library import parse_library

    sample_site.set_page(REFERENCE_ID, b"<html><body><h1>Caf\xe9</h1>\xff\xfe</body></html>")
    landing, records, _ = crawl(monkeypatch, sample_site)
    assert landing.read(records[REFERENCE_ID].sha256).endswith(b"</html>")
    parsed = parse_library(landing, sample_site.base_url, list(records.values()))
    (reason,) = parsed.quarantine.filter(parsed.quarantine["review_id"] == REFERENCE_ID)["reason"]
    assert "not valid UTF-8" in reason
    assert len(parsed.reviews) == 11


def test_a_body_that_is_not_html_or_text_is_refused_with_its_type(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(status=200, body=b"%PDF-1.7", content_type="application/pdf")
    _, records, _ = crawl(monkeypatch, sample_site)
    assert records[REFERENCE_ID].outcome == "failed"
    assert "application/pdf" in records[REFERENCE_ID].error


def test_robots_txt_disallow_is_honoured(sample_site, monkeypatch) -> None:
    sample_site.robots_txt = f"User-agent: *\nDisallow: {PAGE}\n"
    _, records, _ = crawl(monkeypatch, sample_site)
    assert page_requests(sample_site, REFERENCE_ID) == []
    assert records[REFERENCE_ID].outcome == "failed" and "robots.txt" in records[REFERENCE_ID].error
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


def test_the_waiting_budget_stops_retries(sample_site, monkeypatch) -> None:
    monkeypatch.setenv("DHR_MAX_WAIT_SECONDS", "2")
    sample_site.faults[PAGE] = Fault(status=503, retry_after="30")
    _, records, _ = crawl(monkeypatch, sample_site)
    assert len(page_requests(sample_site, REFERENCE_ID)) == 1
    assert "DHR_MAX_WAIT_SECONDS" in records[REFERENCE_ID].error


def test_request_rate_and_concurrency_stay_within_the_configured_limits(sample_site, monkeypatch) -> None:
    monkeypatch.setenv("DHR_REQUESTS_PER_SECOND", "8")
    monkeypatch.setenv("DHR_MAX_CONCURRENCY", "2")
    sample_site.latency_seconds = 0.2
    crawl(monkeypatch, sample_site)
    starts = sorted(r.at for r in sample_site.requests)
    # Over any 9 consecutive requests the site sees at least 1 s (8 intervals at 8/s), less 0.1 s for
    # requests that spent longer in transit than the next; unlimited, they would arrive within ms.
    assert all(starts[i + 8] - starts[i] >= 1.0 - 0.1 for i in range(len(starts) - 8))
    assert sample_site.max_in_flight <= 2
