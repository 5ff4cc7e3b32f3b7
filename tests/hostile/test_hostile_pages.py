"""Hostile pages: no value, name or source change on the site can stop a run (issue 13).

Each bad page is served over real HTTP by a LibrarySite on 127.0.0.1 and the whole nightly job
runs against it: the run succeeds, a page that cannot be read is quarantined with one sentence
saying what was wrong and what is accepted, every other review is in the warehouse, and once the
site is clean again the next run succeeds with the right warehouse.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import polars as pl
import pytest

from dhr_etl.parse import PageParseError, parse_review_page
from dhr_etl.sample.site import LibrarySite
from dhr_etl.settings import SAMPLE_LIBRARY_DIR
from dhr_etl.transform.agencies import resolve_agencies
from tests.conftest import REFERENCE_ID, query, run_nightly

pytestmark = pytest.mark.usefixtures("fast_crawl")

SAMPLE_IDS = sorted(p.stem for p in SAMPLE_LIBRARY_DIR.glob("*.html"))
LEEDS = "5687823a-leeds"
LEEDS_PAGE = (SAMPLE_LIBRARY_DIR / f"{LEEDS}.html").read_text(encoding="utf-8")


def sample_page(review_id: str) -> str:
    return (SAMPLE_LIBRARY_DIR / f"{review_id}.html").read_text(encoding="utf-8")


def edited(review_id: str, old: str, new: str) -> bytes:
    page = sample_page(review_id)
    assert old in page, f"{old!r} is not on the sample page {review_id}"
    return page.replace(old, new, 1).encode("utf-8")


def review_page(title: str, csp: str, rows: list[tuple[str, str, str]], published: str = "March 2021",
                extra: str = "") -> bytes:
    """A review page in the sample's layout; rows are (label, recommendation, addressee cell HTML)."""
    body = "".join(f"<tr><td>{label}</td><td>{text}</td><td>{cell}</td></tr>" for label, text, cell in rows)
    return (f"<!doctype html><html><body><main><h1>{title}</h1>"
            f"<table><tr><th>CSP</th><td>{csp}</td></tr><tr><th>Published</th><td>{published}</td></tr>"
            f"<tr><th>Year of death</th><td>2019</td></tr><tr><th>Extracted</th><td>{len(rows)} recs</td></tr></table>"
            f"<section><h2>Summary</h2><p>What happened.</p></section>{extra}"
            f"<section><h2>Extracted recommendations</h2><table><tr><th>#</th><th>Recommendation</th>"
            f"<th>Addressed to</th></tr>{body}</table></section></main></body></html>").encode("utf-8")


def metadata(result, node: str, key: str):
    for materialization in result.asset_materializations_for_node(node):
        if key in materialization.metadata:
            return materialization.metadata[key].value
    raise KeyError(key)


@pytest.fixture
def site(sample_site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> LibrarySite:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    return sample_site


def reviews_in(db: Path) -> set[str]:
    return {rid for (rid,) in query(db, "SELECT review_id FROM v_reviews")}


def findings_for(db: Path, review_id: str) -> list[str]:
    return [f for (f,) in query(db, f"SELECT finding FROM v_data_quality WHERE review_id = '{review_id}'")]


# -- pages that cannot be read: quarantined with their sentence, the run goes on -----------------

# review id → (page served, words the quarantine sentence must hold: field, value, what is accepted)
UNREADABLE = {
    "5687823a-leeds": (edited("5687823a-leeds", "January 2016", "February 0000"),
                       ["'Published'", "'February 0000'", "January 1990"]),
    "58f6f7ee-birmingham": (edited("58f6f7ee-birmingham", 'href="https://example.org/synthetic-report.pdf"',
                                   'href="http://[::1"'),
                            ["full report link", "'http://[::1'", "accepted: an http or https URL"]),
    "5a559603-manchester": (edited("5a559603-manchester", "6 recs", "99999999999 recs"),
                            ["'Extracted'", "'99999999999 recs'", "accepted: 0 to 9,999"]),
    "5c0eb8cd-brighton-and-hove": (edited("5c0eb8cd-brighton-and-hove", "December 2018", "2016-02-32"),
                                   ["'Published'", "'2016-02-32'", "names a day that month does not have"]),
    "5e2e2683-adur-and-worthing": (edited("5e2e2683-adur-and-worthing", "<th>Year of death</th><td>2016</td>",
                                          "<th>Year of death</th><td>0000</td>"),
                                   ["'Year of death'", "'0000'", "accepted: a year from 1900"]),
    "60ec2c24-nuneaton-and-bedworth": (b"<!doctype html><html><body>" + b"<div>" * 100_000 + b"CSP: Kent"
                                       + b"</div>" * 100_000 + b"</body></html>",
                                       ["nests elements 100,00", "accepted: at most 400"]),
    "6132b043-adur": (sample_page("6132b043-adur").encode("utf-8").replace(b"Adur", b"Adur \xff\xfe", 1),
                      ["not valid UTF-8"]),
}


@pytest.mark.parametrize("review_id", sorted(UNREADABLE))
def test_each_unreadable_page_fails_to_parse_with_one_sentence_naming_value_and_what_is_accepted(review_id: str) -> None:
    from dhr_etl.parse.library import decode_page

    page, words = UNREADABLE[review_id]
    with pytest.raises(PageParseError) as failure:
        parse_review_page(decode_page(page), "html", f"http://127.0.0.1/sources/dhr/{review_id}/")
    message = str(failure.value)
    for word in words:
        assert word in message
    assert message.count(". ") == 0 and "\n" not in message  # one sentence


@pytest.mark.slow  # three full runs
def test_unreadable_pages_are_quarantined_and_every_other_review_is_loaded_then_a_clean_site_loads_right(
        site: LibrarySite, data_dir: Path) -> None:
    for review_id, (page, _) in UNREADABLE.items():
        site.set_page(review_id, page)
    started = time.monotonic()
    result = run_nightly()
    assert result.success
    assert time.monotonic() - started < 120  # a guard against hanging on the nested page, not a benchmark
    db = data_dir / "warehouse.duckdb"
    assert reviews_in(db) == set(SAMPLE_IDS) - set(UNREADABLE)
    assert query(db, f"SELECT recommendations FROM v_reviews WHERE review_id = '{REFERENCE_ID}'") == [(54,)]
    for review_id, (_, words) in UNREADABLE.items():
        (finding,) = [f for f in findings_for(db, review_id) if "has no earlier good copy" in f]
        assert all(word in finding for word in words), finding

    quiet = run_nightly()  # nothing changed on the site: the quarantined pages are not parsed again
    assert quiet.success
    assert metadata(quiet, "parsed_pages", "pages_parsed") == 0
    assert metadata(quiet, "parsed_pages", "quarantined_pages") == len(UNREADABLE)

    fixed, removed = sorted(UNREADABLE)[:4], sorted(UNREADABLE)[4:]
    for review_id in fixed:
        site.set_page(review_id, sample_page(review_id).encode("utf-8"))
    for review_id in removed:
        site.remove_page(review_id)
    assert run_nightly().success
    assert reviews_in(db) == set(SAMPLE_IDS) - set(removed)
    assert query(db, "SELECT DISTINCT status FROM dim_review") == [("current",)]
    for review_id in removed:  # a withdrawn page whose only copy was bad contributes nothing
        assert findings_for(db, review_id) == []
    for review_id in fixed:
        assert not [f for f in findings_for(db, review_id) if "failed" in f]


def test_any_failure_while_parsing_one_page_quarantines_only_that_page_and_is_remembered(
        site: LibrarySite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure no field check foresees (here a parser defect: a TypeError on one page) is a
    quarantine with one sentence, not a failed run; the cached failure is not parsed again."""
    from dhr_etl.parse import library
    from tests.conftest import crawl

    landing, records, _ = crawl(monkeypatch, site)
    real_parse = library.parse_review_page

    def defective_parse(content: str, rendition: str, page_url: str | None = None):
        if LEEDS in (page_url or ""):
            raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")
        return real_parse(content, rendition, page_url)

    monkeypatch.setattr(library, "parse_review_page", defective_parse)
    parsed = library.parse_library(landing, site.base_url, list(records.values()))
    assert set(parsed.reviews["review_id"]) == set(SAMPLE_IDS) - {LEEDS}
    (reason,) = parsed.quarantine.filter(pl.col("review_id") == LEEDS)["reason"].to_list()
    assert reason.startswith("the page could not be read (TypeError: unsupported operand type(s) for +")
    again = library.parse_library(landing, site.base_url, list(records.values()))
    assert again.pages_parsed == 0 and again.cache_hits == len(SAMPLE_IDS)
    assert again.quarantine["reason"].to_list() == [reason]


@pytest.mark.slow  # three full runs
def test_a_page_that_turns_bad_keeps_its_last_good_data_and_is_dropped_cleanly_when_removed(
        site: LibrarySite, data_dir: Path) -> None:
    assert run_nightly().success
    site.set_page(LEEDS, UNREADABLE[LEEDS][0])
    assert run_nightly().success
    db = data_dir / "warehouse.duckdb"
    assert query(db, f"SELECT status, published_month FROM dim_review "
                     f"WHERE review_id = '{LEEDS}'") == [("stale", dt.date(2016, 1, 1))]
    site.remove_page(LEEDS)
    assert run_nightly().success  # the bad copy is still in the landing zone: it must not fail the run
    assert query(db, f"SELECT status FROM dim_review WHERE review_id = '{LEEDS}'") == [("withdrawn",)]
    assert reviews_in(db) == set(SAMPLE_IDS)


# -- pages that are odd but readable: loaded, with a data-quality finding where a reader would want one

def test_odd_but_readable_pages_are_loaded_with_findings(site: LibrarySite, data_dir: Path) -> None:
    huge_text = "Improve practice " * 280_000  # a single 4.8 MB cell, just under the 5 MB page size cap
    pages = {
        # a misspelt month is unreadable, not wrong: the review loads without a published month
        "5687823a-leeds": edited(LEEDS, "January 2016", "Febuary 2016"),
        # NUL bytes, which PostgreSQL text cannot hold, in the title and an addressee
        "58f6f7ee-birmingham": review_page("Birming\x00ham review", "Birmingham",
                                           [("R1", "Share records.", "West Midlands\x00 Police")]),
        "5a559603-manchester": review_page("Manchester review", "Manchester",
                                           [("R1", huge_text, "Greater Manchester Police")]),
        "5c0eb8cd-brighton-and-hove": review_page(
            "Brighton review", "Brighton and Hove", [("R1", "Act.", "Sussex Police")],
            extra="<table><tr>" + "<td>x</td>" * 10_000 + "</tr></table>"),
        "5e2e2683-adur-and-worthing": review_page("Adur review", "Adur and Worthing", []),
        "60ec2c24-nuneaton-and-bedworth": review_page(
            "Nuneaton review", "Nuneaton and Bedworth",
            [("R1", "Train staff.", "Warwickshire Police"), ("R3", "Review policy.", "Warwickshire Police"),
             ("R3", "Audit records.", "Warwickshire County Council")]),
    }
    for review_id, page in pages.items():
        site.set_page(review_id, page)
    assert run_nightly().success
    db = data_dir / "warehouse.duckdb"
    assert reviews_in(db) == set(SAMPLE_IDS)
    assert query(db, f"SELECT published_month FROM v_reviews WHERE review_id = '{LEEDS}'") == [(None,)]
    assert "no published month" in findings_for(db, LEEDS)

    assert query(db, "SELECT title FROM v_reviews WHERE review_id = '58f6f7ee-birmingham'") == [("Birmingham review",)]
    assert query(db, "SELECT addressed_as FROM v_recommendation_agencies "
                     "WHERE review_id = '58f6f7ee-birmingham'") == [("West Midlands Police",)]
    assert any(f.startswith("removed 2 NUL character(s)") for f in findings_for(db, "58f6f7ee-birmingham"))

    assert query(db, "SELECT length(recommendation) FROM v_recommendations "
                     "WHERE review_id = '5a559603-manchester'") == [(len(huge_text.strip()),)]
    assert ("recommendation 'R1' is 4,759,999 characters long; its themes and repeats are decided from its first 4,000"
            in findings_for(db, "5a559603-manchester"))
    assert query(db, "SELECT recommendations FROM v_reviews WHERE review_id = '5c0eb8cd-brighton-and-hove'") == [(1,)]
    assert query(db, "SELECT recommendations FROM v_reviews WHERE review_id = '5e2e2683-adur-and-worthing'") == [(0,)]

    nuneaton = "60ec2c24-nuneaton-and-bedworth"
    assert query(db, f"SELECT rec_label, recommendation FROM v_recommendations WHERE review_id = '{nuneaton}' "
                     "ORDER BY rec_order") == [("R1", "Train staff."), ("R3", "Review policy."), ("R3", "Audit records.")]
    assert query(db, f"SELECT recommendations FROM v_reviews WHERE review_id = '{nuneaton}'") == [(3,)]
    assert ("recommendation label 'R3' is printed on 2 rows; all 2 are kept and counted"
            in findings_for(db, nuneaton))


# -- pointing the data folder at another source and back ------------------------------------------

@pytest.mark.slow  # three full runs
def test_switching_sources_and_back_keeps_agency_keys_unique_and_stable(
        sample_site: LibrarySite, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "CWP" is joined to Coventry and Warwickshire Partnership while that is the only body with
    # those initials; a source that also prints Cheshire and Wirral Partnership parts them.
    coventry = review_page("Coventry review", "Coventry", [
        ("R1", "Share risk information.", "<span>Coventry and Warwickshire Partnership Trust</span><span>CWP</span>")])
    cheshire = review_page("Cheshire review", "Cheshire East", [
        ("R1", "Train staff.", "Cheshire and Wirral Partnership NHS Foundation Trust")])
    sample_site.set_page("64a1b2c3-coventry", coventry)
    db = data_dir / "warehouse.duckdb"

    def coventry_key() -> list[tuple]:
        return query(db, "SELECT agency_key FROM dim_agency WHERE agency_name = "
                         "'Coventry and Warwickshire Partnership Trust'")

    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    assert run_nightly().success
    assert query(db, "SELECT COUNT(DISTINCT agency_key) FROM dim_agency_alias "
                     "WHERE addressed_as IN ('CWP', 'Coventry and Warwickshire Partnership Trust')") == [(1,)]
    first_key = coventry_key()

    with LibrarySite(per_page=4) as other:
        other.set_page("64a1b2c3-coventry", coventry)
        other.set_page("64a1b2c4-cheshire-east", cheshire)
        monkeypatch.setenv("DHR_SOURCE", other.base_url)
        assert run_nightly().success
        assert query(db, "SELECT COUNT(*) = COUNT(DISTINCT agency_key) FROM dim_agency") == [(True,)]
        assert coventry_key() == first_key
        assert query(db, "SELECT COUNT(DISTINCT agency_key) FROM dim_agency_alias "
                         "WHERE addressed_as IN ('CWP', 'Coventry and Warwickshire Partnership Trust')") == [(2,)]

    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    assert run_nightly().success
    assert query(db, "SELECT COUNT(*) = COUNT(DISTINCT agency_key) FROM dim_agency") == [(True,)]
    assert coventry_key() == first_key
    assert reviews_in(db) == set(SAMPLE_IDS) | {"64a1b2c3-coventry"}


# -- addressee names of any length resolve in bounded time ------------------------------------------

def test_two_one_megabyte_addressee_names_resolve_without_hanging() -> None:
    words = ("Kent", "Police", "Council", "Service", "Health", "Trust", "Safeguarding", "Board")
    first = " ".join(words[i * 7 % len(words)] for i in range(140_000))[:1_000_000]
    second = first[:-6] + "Polic"  # one typo apart: exactly what fuzzy matching would compare
    printed = [first, second, "Kent Police"]
    addressees = pl.DataFrame({"review_id": ["r1"] * 3, "rec_position": [1] * 3, "addressee_position": [1, 2, 3],
                               "addressed_as": printed},
                              schema={"review_id": pl.String, "rec_position": pl.Int32,
                                      "addressee_position": pl.Int32, "addressed_as": pl.String})
    recommendations = pl.DataFrame({"review_id": ["r1"], "rec_position": [1], "recommendation": [first]},
                                   schema={"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String})
    started = time.monotonic()
    resolution = resolve_agencies(addressees, recommendations)
    assert time.monotonic() - started < 10  # a guard against hanging (it took over a minute), not a benchmark
    keys = dict(resolution.aliases.select("addressed_as", "agency_key").iter_rows())
    assert len({keys[first], keys[second], keys["Kent Police"]}) == 3  # each long name stands for itself
    too_long = resolution.findings.filter(pl.col("kind") == "not matched: too long for a name")
    assert sorted(too_long["addressed_as"].to_list()) == sorted([first, second])


# -- PostgreSQL: text that looks like COPY's NULL marker, and NUL bytes ----------------------------

@pytest.mark.slow  # two full runs, one into PostgreSQL
def test_backslash_n_and_nul_bearing_text_are_stored_the_same_on_postgresql_and_duckdb(
        site: LibrarySite, data_dir: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from dhr_etl.warehouse.postgres_store import PostgresWarehouse

    # A title and an addressee printed as exactly \N (COPY's text-format NULL marker), and NULs,
    # which PostgreSQL text cannot hold, in a recommendation.
    site.set_page(LEEDS, review_page("\\N", "Leeds", [("R1", "Share\x00 records\x00.", "\\N"),
                                                      ("R2", "Train staff.", "West Yorkshire Police")]))
    monkeypatch.setenv("DHR_WAREHOUSE_URL", postgres_url)
    assert run_nightly().success
    monkeypatch.delenv("DHR_WAREHOUSE_URL")
    assert run_nightly().success  # the same pages into the default DuckDB warehouse
    postgres, duckdb_file = PostgresWarehouse(postgres_url), data_dir / "warehouse.duckdb"

    for read in (postgres.query, lambda sql: query(duckdb_file, sql)):
        assert read(f"SELECT title FROM v_reviews WHERE review_id = '{LEEDS}'") == [("\\N",)]
        assert read(f"SELECT rec_label, recommendation FROM v_recommendations WHERE review_id = '{LEEDS}' "
                    "ORDER BY rec_order") == [("R1", "Share records."), ("R2", "Train staff.")]
        assert read(f"SELECT rec_label, addressed_as, agency_name FROM v_recommendation_agencies "
                    f"WHERE review_id = '{LEEDS}' ORDER BY rec_order") == [
            ("R1", "\\N", "\\N"), ("R2", "West Yorkshire Police", "West Yorkshire Police")]
        assert read(f"SELECT finding FROM v_data_quality WHERE review_id = '{LEEDS}' AND finding LIKE 'removed%'") == [
            ("removed 2 NUL character(s) from the page (text cannot hold them)",)]
    assert postgres.query("SELECT COUNT(*) FROM v_reviews") == [(len(SAMPLE_IDS),)]
