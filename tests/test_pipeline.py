"""The whole nightly graph, materialised for real against a local library site on 127.0.0.1."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dhr_etl.sample.generate import SYNTHETIC_MARK, generate_reviews
from dhr_etl.sample.site import LibrarySite
from dhr_etl.settings import SAMPLE_LIBRARY_DIR
from tests.conftest import (REFERENCE_ID, NightlyRun, copy_of_published_warehouse, failure_messages, orphan_a_csp, query,
                            run_nightly)

REFERENCE_RECOMMENDATIONS = 54
REFERENCE_PAIRS = 59


@pytest.fixture
def site_source(sample_site: LibrarySite, monkeypatch: pytest.MonkeyPatch, fast_crawl: None) -> LibrarySite:
    monkeypatch.setenv("DHR_SOURCE", sample_site.base_url)
    return sample_site


def warehouse_file(data_dir: Path) -> Path:
    return data_dir / "warehouse.duckdb"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# The Home Office DHR library's recommendation themes (dhr_etl/reference/theme_rules.csv), "other" for none.
THEME_VOCABULARY = {"technology systems", "identification of risk", "training", "policy", "multi agency working",
                    "record keeping", "awareness raising", "other"}


def theme_rows_of_review(db: Path, review_id: str) -> int:
    return query(db, "SELECT COUNT(*) FROM bridge_recommendation_theme JOIN fact_recommendation USING "
                     f"(recommendation_key) JOIN dim_review USING (review_key) WHERE review_id = '{review_id}'")[0][0]


def synthetic_facts() -> tuple[int, int, int]:
    """(reviews, recommendations, pairs) of the bundled synthetic pages, from their generator."""
    reviews = generate_reviews(11, 2026)
    return (len(reviews), sum(len(r.recommendations) for r in reviews),
            sum(len(names) for r in reviews for _, _, names in r.recommendations))


def test_nightly_run_loads_every_review_and_the_views_answer(nightly_sample: NightlyRun) -> None:
    db = nightly_sample.warehouse
    reviews, recommendations, pairs = synthetic_facts()

    assert query(db, "SELECT COUNT(*) FROM v_reviews") == [(reviews + 1,)]
    assert query(db, "SELECT COUNT(*) FROM v_recommendations") == [(recommendations + REFERENCE_RECOMMENDATIONS,)]
    assert query(db, "SELECT COUNT(*) FROM v_recommendation_agencies") == [(pairs + REFERENCE_PAIRS,)]

    row = query(db, f"SELECT csp_name, published_month, published_year, upload_date, year_of_death, "
                    f"declared_recommendations, recommendations, report_url, source_url "
                    f"FROM v_reviews WHERE review_id = '{REFERENCE_ID}'")[0]
    assert row[0] == "Nuneaton and Bedworth"
    assert (str(row[1]), row[2], str(row[3]), row[4], row[5], row[6]) == ("2023-06-01", 2023, "2023-06-06", 2012, 54, 54)
    assert row[7] == "https://homicide-review.homeoffice.gov.uk/"
    assert row[8] == nightly_sample.site.base_url + REFERENCE_ID + "/"

    r31 = query(db, f"SELECT agencies, agency_count, rec_order FROM v_recommendations "
                    f"WHERE review_id = '{REFERENCE_ID}' AND rec_label = 'R31'")
    # "Police" read in context (the review also addresses Warwickshire Police); CPS spelled out.
    assert r31 == [("Warwickshire Probation Trust | Warwickshire Police | Crown Prosecution Service | Court Service", 4, 31)]
    printed = query(db, f"SELECT addressed_as FROM v_recommendation_agencies WHERE review_id = '{REFERENCE_ID}' "
                        "AND rec_label = 'R31'")
    assert sorted(p for (p,) in printed) == ["CPS", "Court Service", "Police", "Warwickshire Probation Trust"]

    titles = query(db, f"SELECT title, summary FROM v_reviews WHERE review_id <> '{REFERENCE_ID}'")
    assert all(SYNTHETIC_MARK in title and "SYNTHETIC" in summary for title, summary in titles)


def test_every_recommendation_has_its_themes_once_each_from_the_vocabulary(nightly_sample: NightlyRun) -> None:
    db = nightly_sample.warehouse
    _, recommendations, _ = synthetic_facts()  # counted from the generator and the reference page, not the classifier
    assert query(db, "SELECT COUNT(*) FROM fact_recommendation") == [(recommendations + REFERENCE_RECOMMENDATIONS,)]
    assert query(db, "SELECT COUNT(*) FROM fact_recommendation f WHERE NOT EXISTS (SELECT 1 FROM "
                     "bridge_recommendation_theme t WHERE t.recommendation_key = f.recommendation_key)") == [(0,)]
    assert query(db, "SELECT COUNT(*) FROM (SELECT recommendation_key, theme FROM bridge_recommendation_theme "
                     "GROUP BY ALL HAVING COUNT(*) > 1) AS d") == [(0,)]
    themes = {theme for (theme,) in query(db, "SELECT DISTINCT theme FROM bridge_recommendation_theme")}
    assert themes <= THEME_VOCABULARY and len(themes) > 3  # the sample's asks span several themes
    # "other" means no theme applied: it never stands beside one.
    assert query(db, "SELECT COUNT(*) FROM bridge_recommendation_theme WHERE theme = 'other' AND recommendation_key "
                     "IN (SELECT recommendation_key FROM bridge_recommendation_theme WHERE theme <> 'other')") == [(0,)]


def test_csp_spellings_merge_and_summaries_follow_the_counting_rules(nightly_sample: NightlyRun) -> None:
    db = nightly_sample.warehouse
    # 'Nuneaton & Bedworth' (synthetic) and 'Nuneaton and Bedworth' (reference) are one CSP.
    assert query(db, "SELECT COUNT(*) FROM dim_csp WHERE csp_slug = 'nuneaton-and-bedworth'") == [(1,)]
    assert query(db, "SELECT SUM(reviews) FROM v_csp_year_summary WHERE csp_name = 'Nuneaton and Bedworth'") == [(2,)]
    # Every review and recommendation is counted once in the CSP-year and year summaries.
    assert query(db, "SELECT SUM(reviews), SUM(recommendations) FROM v_csp_year_summary") == \
        query(db, "SELECT COUNT(DISTINCT review_id), SUM(recommendations) FROM v_reviews")
    assert query(db, "SELECT SUM(recommendations_published) FROM v_year_summary") == \
        query(db, "SELECT COUNT(*) FROM v_recommendations")
    # A recommendation addressed to two bodies counts once for each body.
    assert query(db, "SELECT SUM(recommendations) FROM v_agency_summary") == \
        query(db, "SELECT SUM(agency_count) FROM v_recommendations")
    # In sector figures it counts once per sector, and a share never exceeds 1.
    per_sector = query(db, "SELECT COUNT(*) FROM (SELECT DISTINCT review_id, rec_label, agency_sector "
                           "FROM v_recommendation_agencies) AS s")
    assert query(db, "SELECT SUM(recommendations) FROM v_sector_year_summary") == per_sector
    assert query(db, "SELECT MAX(share_of_year_recommendations) <= 1 FROM v_sector_year_summary") == [(True,)]


def test_data_quality_findings_come_from_the_pages(nightly_sample: NightlyRun) -> None:
    findings = query(nightly_sample.warehouse, "SELECT review_id, finding FROM v_data_quality")
    reviews = generate_reviews(11, 2026)
    mismatched = [r for r in reviews if r.declared != len(r.recommendations)]
    no_death = [r for r in reviews if r.year_of_death is None]
    assert mismatched and no_death
    for review in mismatched:
        assert (review.review_id, f"declared {review.declared}, parsed {len(review.recommendations)}") in findings
    for review in no_death:
        assert (review.review_id, "no year of death") in findings
    assert any("disagrees with id" in finding for _, finding in findings)


def test_a_page_that_is_not_a_review_is_quarantined_while_the_run_succeeds(site_source: LibrarySite, data_dir: Path) -> None:
    site_source.set_page("6500aaaa-not-a-review", b"<html><body><h1>Cookie policy</h1><p>We use cookies.</p></body></html>")
    result = run_nightly()
    assert result.success
    quarantine = result.output_for_node("parsed_pages", "parse_quarantine")
    assert quarantine["review_id"].to_list() == ["6500aaaa-not-a-review"]
    assert "not a review page" in quarantine["reason"][0]
    db = warehouse_file(data_dir)
    assert query(db, "SELECT COUNT(*) FROM v_reviews WHERE review_id = '6500aaaa-not-a-review'") == [(0,)]
    finding = query(db, "SELECT finding, severity FROM v_data_quality WHERE review_id = '6500aaaa-not-a-review'")
    assert len(finding) == 1 and "not a review page" in finding[0][0] and finding[0][1] == "error"


def test_run_metadata_says_what_changed_since_the_last_run(site_source: LibrarySite, data_dir: Path) -> None:
    first = run_nightly()
    assert first.success
    reference_theme_rows = theme_rows_of_review(warehouse_file(data_dir), REFERENCE_ID)
    pages = lambda result: result.asset_materializations_for_node("review_pages")[0].metadata  # noqa: E731
    assert pages(first)["since_last_run"].value == {"new": 12}
    changed_id = sorted(site_source.pages)[0]
    site_source.set_page(changed_id, site_source.pages[changed_id].content.replace(b"</main>", b"<p>Corrected.</p></main>"))
    site_source.pages[changed_id].last_modified += 60
    site_source.set_page("6600aaaa-nuneaton-and-bedworth", site_source.pages[REFERENCE_ID].content)
    second = run_nightly()
    assert pages(second)["since_last_run"].value == {"unchanged": 11, "changed": 1, "new": 1}
    warehouse = second.asset_materializations_for_node("warehouse")[0].metadata
    assert warehouse["rows_changed_since_previous_version"].value == {
        "dim_review": "+1", "fact_recommendation": f"+{REFERENCE_RECOMMENDATIONS}",
        "bridge_recommendation_agency": f"+{REFERENCE_PAIRS}",
        # a copy of the reference page: the same asks, so as many theme rows as the reference has
        "bridge_recommendation_theme": f"+{reference_theme_rows}",
        # the copy's id says March 2024 while its page says June 2023: one more finding
        "data_quality_finding": "+1"}


def test_a_page_that_breaks_keeps_its_last_good_data_flagged_with_its_date(site_source: LibrarySite, data_dir: Path) -> None:
    assert run_nightly().success
    site_source.set_page(REFERENCE_ID, b"<html><body><p>Service temporarily unavailable</p></body></html>")
    site_source.pages[REFERENCE_ID].last_modified += 60
    result = run_nightly()
    assert result.success
    db = warehouse_file(data_dir)
    assert query(db, f"SELECT recommendations, status FROM v_reviews WHERE review_id = '{REFERENCE_ID}'") == [(54, "stale")]
    (finding,) = query(db, f"SELECT finding FROM v_data_quality WHERE review_id = '{REFERENCE_ID}' AND finding LIKE 'page failed%'")[0]
    assert "page failed to parse on" in finding and "showing data from" in finding


def test_an_unreachable_source_fails_the_run_and_leaves_the_previous_warehouse(nightly_sample: NightlyRun, data_dir: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = copy_of_published_warehouse(nightly_sample, data_dir)
    before = sha(db)
    monkeypatch.setenv("DHR_SOURCE", "http://127.0.0.1:9/sources/dhr/")
    monkeypatch.setenv("DHR_TIMEOUT_SECONDS", "1")
    result = run_nightly()
    assert not result.success
    assert "cannot reach http://127.0.0.1:9/sources/dhr/" in failure_messages(result)
    assert sha(db) == before
    assert query(db, "SELECT COUNT(*) FROM v_reviews")[0][0] == 12


def test_a_version_failing_a_blocking_check_is_not_published(site_source: LibrarySite, data_dir: Path,
                                                              monkeypatch: pytest.MonkeyPatch, nightly_sample: NightlyRun) -> None:
    db = copy_of_published_warehouse(nightly_sample, data_dir)
    before = sha(db)
    orphan_a_csp(monkeypatch)
    result = run_nightly()
    assert not result.success
    checks = {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks["no_orphan_rows"] is False and checks["keys_unique"] is True
    assert sha(db) == before


def test_a_folder_of_saved_pages_is_a_source_too(data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / f"{REFERENCE_ID}.txt").write_bytes((Path(__file__).parent / "fixtures/pages" / f"{REFERENCE_ID}.txt").read_bytes())
    (folder / "notes.md").write_text("not a page")
    monkeypatch.setenv("DHR_SOURCE", str(folder))
    result = run_nightly()
    assert result.success
    db = warehouse_file(data_dir)
    assert query(db, "SELECT review_id, recommendations, report_url FROM v_reviews") == [(REFERENCE_ID, 54, None)]
    assert query(db, "SELECT COUNT(*) FROM v_recommendation_agencies") == [(REFERENCE_PAIRS,)]
    assert result.asset_materializations_for_node("review_index")[0].metadata["files_not_read"].value == "notes.md"


def test_keys_are_the_same_on_every_run(site_source: LibrarySite, data_dir: Path) -> None:
    assert run_nightly().success
    db = warehouse_file(data_dir)
    keys = "SELECT review_key, csp_key FROM dim_review ORDER BY 1"
    fact_keys = "SELECT recommendation_key FROM fact_recommendation ORDER BY 1"
    first = query(db, keys), query(db, fact_keys), query(db, "SELECT agency_key, agency_name FROM dim_agency ORDER BY 1")
    assert run_nightly().success
    assert (query(db, keys), query(db, fact_keys), query(db, "SELECT agency_key, agency_name FROM dim_agency ORDER BY 1")) == first
