"""Discovery, fetching and settings against a hostile site: each case is served over real HTTP on
127.0.0.1 and must cost one page (or one URL) with a one-sentence reason, in bounded time and
memory, while the rest of the crawl carries on; bad settings stop a run before it starts."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from dhr_etl.sample.site import Fault, LibrarySite
from dhr_etl.settings import SAMPLE_LIBRARY_DIR, load_settings
from dhr_etl.source.crawl import SourceUnavailable, discover_reviews
from tests.conftest import REFERENCE_ID, crawl, page_requests
from tests.test_cli import run_cli

pytestmark = pytest.mark.usefixtures("fast_crawl")

SAMPLE_IDS = sorted(p.stem for p in SAMPLE_LIBRARY_DIR.glob("*.html"))
PAGE = f"/sources/dhr/{REFERENCE_ID}/"
GiB = 1 << 30

BROKEN_IPV6 = "http://[::1/sources/dhr/6500aaaa-broken-host/"
LONG_SLUG = "/sources/dhr/6500aaaa-" + "a" * 70_000 + "/"


def discover(site: LibrarySite, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DHR_SOURCE", site.base_url)
    return discover_reviews(load_settings(), progress=lambda _: None)


def one_sentence(text: str) -> bool:
    text = text.strip()
    return "\n" not in text and text.endswith(".") and "Traceback" not in text


# -- URLs the site hands us ---------------------------------------------------------------------

def test_unusable_sitemap_locs_are_skipped_with_a_note_and_the_rest_discovered(sample_site, monkeypatch) -> None:
    bad_port = sample_site.origin.rsplit(":", 1)[0] + ":99999/sources/dhr/6500aaaa-bad-port/"
    long_url = sample_site.origin + LONG_SLUG
    sample_site.extra_sitemap_urls += [BROKEN_IPV6, bad_port, long_url]
    sample_site.faults["/sources/dhr/"] = Fault(status=404)  # the sitemap alone must still work
    frame, discovery, _ = discover(sample_site, monkeypatch)
    assert frame["review_id"].to_list() == SAMPLE_IDS
    assert set(frame["found_in"]) == {"sitemap"}
    notes = "\n".join(discovery.notes)
    assert "Invalid IPv6 URL" in notes and "Port out of range" in notes and f"{len(long_url)} characters long" in notes
    assert all(len(note) < 400 for note in discovery.notes)  # the 70,000-character URL is not repeated


def test_unusable_listing_links_are_skipped_with_a_bounded_note(sample_site, monkeypatch) -> None:
    links = [f'<a href="/sources/dhr/{rid}/">{rid}</a>' for rid in SAMPLE_IDS]
    links += ['<a href="http://127.0.0.1:99999/sources/dhr/6500aaaa-bad-port/">port</a>',
              f'<a href="{BROKEN_IPV6}">v6</a>', f'<a href="{LONG_SLUG}">long</a>']
    links += [f'<a href="http://[::{n}/x/">more</a>' for n in range(500)]
    sample_site.faults["/sources/dhr/"] = Fault(status=200, body="".join(links).encode())
    sample_site.faults["/sitemap.xml"] = Fault(status=404)  # the listing alone must still work
    frame, discovery, _ = discover(sample_site, monkeypatch)
    assert frame["review_id"].to_list() == SAMPLE_IDS
    assert set(frame["found_in"]) == {"listing"}
    notes = "\n".join(discovery.notes)
    assert "Port out of range" in notes and "Invalid IPv6 URL" in notes and "characters long" in notes
    assert len(discovery.notes) < 30  # 503 unusable links: counted, not listed one by one
    assert "more unusable URLs" in notes


@pytest.mark.slow  # real dhr-etl processes (the shared first run and a quiet one)
def test_the_change_check_before_a_run_skips_unusable_urls_too(after_a_first_run, data_dir, tmp_path) -> None:
    """``dhr-etl run`` without --force rediscovers the site to decide whether to run at all."""
    sample_site = after_a_first_run  # and a warehouse published from it by a first run
    env = {"DHR_SOURCE": sample_site.base_url, "DHR_DATA_DIR": str(data_dir),
           "DAGSTER_HOME": str(tmp_path / "dagster_home"), "DHR_REQUESTS_PER_SECOND": "20", "DHR_MAX_CONCURRENCY": "4"}
    sample_site.extra_sitemap_urls += [BROKEN_IPV6, sample_site.origin + LONG_SLUG]
    links = "".join(f'<a href="/sources/dhr/{rid}/">{rid}</a>' for rid in SAMPLE_IDS)
    sample_site.faults["/sources/dhr/"] = Fault(status=200, body=(links + '<a href="http://[::1/">x</a>').encode())
    quiet = run_cli(["run"], env)
    assert quiet.returncode == 0, quiet.stderr
    assert "nothing changed since run" in quiet.stdout and "Traceback" not in quiet.stderr


@pytest.mark.parametrize("location", [BROKEN_IPV6, "http://127.0.0.1:99999/sources/dhr/x/", LONG_SLUG])
def test_a_redirect_to_an_unusable_url_fails_that_page_only(sample_site, monkeypatch, location: str) -> None:
    sample_site.faults[PAGE] = Fault(status=302, location=location)
    _, records, _ = crawl(monkeypatch, sample_site)
    record = records[REFERENCE_ID]
    assert record.outcome == "failed" and "redirects to" in record.error and len(record.error) < 400
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


# -- bodies that grow when decoded --------------------------------------------------------------

def gzip_of_zeros(size: int) -> bytes:
    """A valid gzip stream of ``size`` zero bytes (a multiple of 16 MiB), built without compressing
    them all: after a full flush deflate starts afresh, so every 16 MiB block compresses alike."""
    block = bytes(1 << 24)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    compressed = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // len(block)):
        crc = zlib.crc32(block, crc)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + compressed * (size // len(block))
            + deflate.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF))


def gzip_then(coding: str, data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31 if coding == "gzip" else zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


# The crawling process's own peak: VmHWM, the high-water mark of its address space. Not ru_maxrss:
# Linux carries a forked parent's peak across exec into it, so a child of a large pytest worker
# would report the worker's peak.
CRAWL_AND_MEASURE = """
import json
from dhr_etl.settings import load_settings
from dhr_etl.source.crawl import SourceUnavailable, discover_reviews, land_pages
from dhr_etl.source.landing import LandingZone
settings = load_settings()
try:
    frame, _, _ = discover_reviews(settings, progress=lambda _: None)
    records, _ = land_pages(settings, frame, LandingZone(settings.landing_dir), "run0001", progress=lambda _: None)
    outcome = {r.review_id: [r.outcome, r.error] for r in records}
except SourceUnavailable as exc:
    outcome = {"source unavailable": ["failed", str(exc)]}
with open("/proc/self/status") as status:
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"records": outcome, "peak_rss": peak_kib * 1024}))
"""


def crawl_in_subprocess(site: LibrarySite, data_dir: Path) -> tuple[dict[str, list], int]:
    """Crawl the site in a fresh process: (outcome and error by review, that process's peak RSS)."""
    env = {**os.environ, "DHR_SOURCE": site.base_url, "DHR_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-c", CRAWL_AND_MEASURE], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["records"], report["peak_rss"]


@pytest.fixture(scope="module")
def two_gib_of_zeros_gzipped() -> bytes:
    return gzip_of_zeros(2 * GiB)


@pytest.mark.parametrize("stacked", ["gzip, gzip", "gzip, deflate"])
def test_a_stacked_encoding_bomb_fails_its_page_within_the_cap_and_bounded_memory(
        sample_site, data_dir, stacked: str, two_gib_of_zeros_gzipped: bytes) -> None:
    outer = stacked.split(", ")[1]
    bomb = gzip_then(outer, two_gib_of_zeros_gzipped)  # 2 GiB once both layers are undone
    assert len(bomb) < 100_000
    sample_site.faults[PAGE] = Fault(status=200, body=bomb, headers={"Content-Encoding": stacked})
    records, peak_rss = crawl_in_subprocess(sample_site, data_dir)
    assert peak_rss < GiB  # decoding it all would take 2 GiB for the body alone
    outcome, error = records[REFERENCE_ID]
    assert outcome == "failed"
    assert "over the cap of 5000000 bytes once decoded" in error and stacked in error and one_sentence(error + ".")
    assert sum(outcome == "fetched" for outcome, _ in records.values()) == 11


def test_a_robots_txt_bomb_stops_the_crawl_with_a_reason_in_bounded_memory(
        sample_site, data_dir, two_gib_of_zeros_gzipped: bytes) -> None:
    sample_site.faults["/robots.txt"] = Fault(status=200, body=gzip_then("gzip", two_gib_of_zeros_gzipped),
                                              content_type="text/plain", headers={"Content-Encoding": "gzip, gzip"})
    records, peak_rss = crawl_in_subprocess(sample_site, data_dir)
    assert peak_rss < GiB
    (outcome, error), = records.values()
    assert "cannot reach" in error and "robots.txt" in error and "over the cap" in error
    assert page_requests(sample_site) == []


@pytest.mark.parametrize("coding", ["br", "compress", "gzip, gzip, gzip, gzip"])
def test_an_encoding_we_cannot_undo_fails_its_page_naming_it(sample_site, monkeypatch, coding: str) -> None:
    sample_site.faults[PAGE] = Fault(status=200, body=b"\x00" * 64, headers={"Content-Encoding": coding})
    _, records, _ = crawl(monkeypatch, sample_site)
    record = records[REFERENCE_ID]
    assert record.outcome == "failed" and record.sha256 is None
    assert ("Content-Encoding" in record.error and "accepted: gzip, deflate" in record.error) or \
        "encoded 4 times over" in record.error
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


def test_an_error_page_body_is_not_decoded_so_the_retry_still_happens(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(status=503, times=1, body=b"\x00" * 200_000, headers={"Content-Encoding": "br"})
    _, records, stats = crawl(monkeypatch, sample_site)
    assert [r.status for r in page_requests(sample_site, REFERENCE_ID)] == [503, 200]
    assert records[REFERENCE_ID].outcome == "fetched" and stats.retried == 1


def test_a_corrupt_gzip_body_fails_its_page(sample_site, monkeypatch) -> None:
    page = sample_site.pages[REFERENCE_ID].content
    sample_site.faults[PAGE] = Fault(status=200, body=gzip_then("gzip", page)[:-100],
                                     headers={"Content-Encoding": "gzip"})
    landing, records, _ = crawl(monkeypatch, sample_site)
    assert records[REFERENCE_ID].outcome == "failed" and "gzip" in records[REFERENCE_ID].error
    stored = [p.read_bytes() for p in landing.blobs.rglob("*") if p.is_file()]
    assert not any(b"Nuneaton and Bedworth review" in blob for blob in stored)


def test_a_gzipped_page_is_decoded_and_landed(sample_site, monkeypatch) -> None:
    page = sample_site.pages[REFERENCE_ID].content
    sample_site.faults[PAGE] = Fault(status=200, body=gzip_then("gzip", gzip_then("gzip", page)),
                                     headers={"Content-Encoding": "gzip, gzip"})
    landing, records, _ = crawl(monkeypatch, sample_site)
    assert landing.read(records[REFERENCE_ID].sha256) == page


def test_a_validator_that_cannot_be_sent_back_costs_a_full_fetch_not_the_run(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(status=200, headers={"ETag": '"caf\xe9"', "Last-Modified": "x\xff"})
    sample_site.faults["/sitemap.xml"] = Fault(status=404)  # no lastmod: the second run must ask again
    _, first, _ = crawl(monkeypatch, sample_site)
    assert first[REFERENCE_ID].outcome == "fetched"
    _, second, _ = crawl(monkeypatch, sample_site)
    assert second[REFERENCE_ID].outcome == "fetched" and second[REFERENCE_ID].change == "unchanged"
    asked = page_requests(sample_site, REFERENCE_ID)[-1]
    assert "if-none-match" not in asked.headers and "if-modified-since" not in asked.headers
    assert sum(r.outcome == "not_modified" for r in second.values()) == 11  # the others asked conditionally


def test_not_modified_to_an_unconditional_request_is_not_landed_as_an_empty_page(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(status=304, body=b"")
    _, records, _ = crawl(monkeypatch, sample_site)
    record = records[REFERENCE_ID]
    assert record.outcome == "failed" and record.sha256 is None and "not conditional" in record.error
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


# -- time -----------------------------------------------------------------------------------------

def test_a_byte_a_time_answer_is_abandoned_at_the_deadline(sample_site, monkeypatch) -> None:
    monkeypatch.setenv("DHR_TIMEOUT_SECONDS", "1")  # the least accepted: four attempts wait 4 s, not 8
    sample_site.faults[PAGE] = Fault(status=200, drip_seconds=0.2)  # the 30 kB page would take 100 minutes
    started = time.monotonic()
    _, records, _ = crawl(monkeypatch, sample_site)
    assert time.monotonic() - started < 60
    record = records[REFERENCE_ID]
    assert record.outcome == "failed" and "within 1 s (DHR_TIMEOUT_SECONDS)" in record.error
    attempts = page_requests(sample_site, REFERENCE_ID)
    assert len(attempts) == 4  # retried as any timeout is
    # Each attempt ends (the client hangs up) at the deadline, not when the body would have ended;
    # the server notices within two drips of the hang-up.
    deadline = time.monotonic() + 5
    while any(a.finished_at is None for a in attempts) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(a.finished_at - a.at < 1 + 1.0 for a in attempts)
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


def test_a_header_of_a_megabyte_fails_its_page_only(sample_site, monkeypatch) -> None:
    sample_site.faults[PAGE] = Fault(status=200, headers={"X-Padding": "a" * 1_000_000})
    started = time.monotonic()
    _, records, _ = crawl(monkeypatch, sample_site)
    assert time.monotonic() - started < 60
    assert records[REFERENCE_ID].outcome == "failed" and len(records[REFERENCE_ID].error) < 400
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


# -- robots.txt -----------------------------------------------------------------------------------

def test_a_redirect_into_a_disallowed_path_is_not_followed(sample_site, monkeypatch) -> None:
    sample_site.robots_txt = "User-agent: *\nDisallow: /sources/dhr/private/\n"
    sample_site.faults[PAGE] = Fault(status=301, location="/sources/dhr/private/6500aaaa-x/")
    _, records, _ = crawl(monkeypatch, sample_site)
    assert sample_site.requests_to("/sources/dhr/private/") == []
    record = records[REFERENCE_ID]
    assert record.outcome == "failed" and "robots.txt disallows" in record.error and "redirected from" in record.error
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


def test_robots_txt_moved_on_the_same_host_is_followed_and_obeyed(sample_site, monkeypatch) -> None:
    sample_site.faults["/robots.txt"] = Fault(status=301, location="/robots-moved.txt")
    sample_site.faults["/robots-moved.txt"] = Fault(status=200, body=f"User-agent: *\nDisallow: {PAGE}\n".encode(),
                                                    content_type="text/plain")
    _, records, _ = crawl(monkeypatch, sample_site)
    assert page_requests(sample_site, REFERENCE_ID) == []
    assert records[REFERENCE_ID].outcome == "failed" and "robots.txt disallows" in records[REFERENCE_ID].error
    assert sum(r.outcome == "fetched" for r in records.values()) == 11


@pytest.mark.parametrize(("location", "reason"), [
    ("http://elsewhere.invalid/robots.txt", "redirects off the configured host"),
    ("/robots.txt", "redirected more than 5 times"),
])
def test_robots_txt_redirected_off_the_host_or_in_a_loop_stops_the_crawl(sample_site, monkeypatch,
                                                                         location: str, reason: str) -> None:
    sample_site.faults["/robots.txt"] = Fault(status=301, location=location)
    with pytest.raises(SourceUnavailable, match=reason):
        discover(sample_site, monkeypatch)
    assert len(sample_site.requests_to("/robots.txt")) <= 6
    assert page_requests(sample_site) == []


# -- sitemaps -------------------------------------------------------------------------------------

def test_a_doctype_after_a_long_comment_is_refused_and_the_listing_still_read(sample_site, monkeypatch) -> None:
    urls = "".join(f"<url><loc>&base;{rid}/</loc></url>" for rid in SAMPLE_IDS)
    sitemap = (b'<?xml version="1.0"?><!--' + b" padding" * 100_000 + b" -->"
               + f'<!DOCTYPE urlset [<!ENTITY base "{sample_site.base_url}">]><urlset>{urls}</urlset>'.encode())
    sample_site.faults["/sitemaps/reviews.xml"] = Fault(status=200, body=sitemap, content_type="application/xml")
    frame, discovery, _ = discover(sample_site, monkeypatch)
    assert any("DOCTYPE" in note and "refused" in note for note in discovery.notes)
    assert frame["review_id"].to_list() == SAMPLE_IDS
    assert set(frame["found_in"]) == {"listing"}


# -- settings and whole runs ----------------------------------------------------------------------

@pytest.mark.parametrize(("variable", "value", "problem"), [
    ("DHR_TIMEOUT_SECONDS", "nan", "not a finite number"),
    ("DHR_TIMEOUT_SECONDS", "inf", "not a finite number"),
    ("DHR_TIMEOUT_SECONDS", "-5", "out of range"),
    ("DHR_MAX_WAIT_SECONDS", "nan", "not a finite number"),
    ("DHR_MAX_WAIT_SECONDS", "-1", "out of range"),
    ("DHR_SOURCE", "http://127.0.0.1:99999/sources/dhr/", "Port out of range"),
    ("DHR_SOURCE", "http://[::1/sources/dhr/", "not a valid URL"),
    ("DHR_USER_AGENT", "dhr-étl/0.1 (+https://example.org)", "outside printable ASCII"),
    ("DHR_USER_AGENT", "dhr-etl\x07", "outside printable ASCII"),
    ("DHR_DATA_DIR", "/proc/dhr-etl-data", "cannot be written to"),  # read-only even for root
])
def test_a_bad_setting_stops_the_run_with_one_sentence(tmp_path: Path, variable: str, value: str,
                                                       problem: str) -> None:
    env = {"DHR_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "home"), variable: value}
    done = run_cli(["run"], env)
    assert done.returncode == 2
    assert one_sentence(done.stderr) and variable in done.stderr and problem in done.stderr
    assert "accepted:" in done.stderr
    assert not (tmp_path / "data").exists()


def test_credentials_in_the_source_url_are_refused_and_never_echoed(tmp_path: Path) -> None:
    env = {"DHR_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "home"),
           "DHR_SOURCE": "https://crawler:s3cr/et@www.accountabilityindex.uk/sources/dhr/"}
    for command in (["run"], ["settings"]):
        done = run_cli(command, env)
        assert done.returncode == 2
        assert one_sentence(done.stderr) and "user name or password" in done.stderr
        assert "s3cr" not in done.stderr + done.stdout and "crawler" not in done.stderr + done.stdout
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("contents", [{}, {"notes.txt": "not a review", "index.html": "<html></html>"}])
def test_a_folder_with_no_review_pages_stops_the_run_at_start(tmp_path: Path, contents: dict[str, str]) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, text in contents.items():
        (folder / name).write_text(text)
    env = {"DHR_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "home"), "DHR_SOURCE": str(folder)}
    done = run_cli(["run"], env)
    assert done.returncode == 2
    assert one_sentence(done.stderr) and "no saved review pages" in done.stderr and str(folder) in done.stderr
    assert not (tmp_path / "data").exists()  # no warehouse, no landing zone


def test_a_site_that_lists_no_review_pages_says_so_in_one_sentence(sample_site, monkeypatch) -> None:
    for review_id in list(sample_site.pages):
        sample_site.remove_page(review_id)
    with pytest.raises(SourceUnavailable) as caught:
        discover(sample_site, monkeypatch)
    message = str(caught.value)
    assert one_sentence(message + ".") and f"found no review pages at {sample_site.base_url}" in message
