"""Views keep their public columns; versions are checked, then published atomically."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from dhr_etl.warehouse import checks, duckdb_store
from dhr_etl.warehouse.views import VIEW_NAMES

# docs/design/WAREHOUSE.md, the contract with BI users: every view with every column, in this order.
CONTRACT = {
    "v_reviews": ["review_id", "title", "csp_name", "published_month", "published_year", "upload_date",
                  "year_of_death", "declared_recommendations", "recommendations", "summary", "report_url",
                  "source_url"],
    "v_recommendations": ["review_id", "csp_name", "published_year", "year_of_death", "rec_label", "rec_order",
                          "recommendation", "agencies", "agency_count"],
    "v_recommendation_agencies": ["review_id", "csp_name", "published_year", "year_of_death", "rec_label",
                                  "rec_order", "agency_name", "agency_sector", "addressed_as"],
    "v_csp_year_summary": ["csp_name", "published_year", "reviews", "recommendations", "recommendations_per_review"],
    "v_region_year_summary": ["region", "published_year", "reviews", "recommendations", "recommendations_per_review"],
    "v_agency_summary": ["agency_name", "agency_sector", "recommendations", "reviews", "csps",
                         "first_published_year", "last_published_year"],
    "v_sector_year_summary": ["agency_sector", "published_year", "recommendations", "reviews",
                              "share_of_year_recommendations"],
    "v_year_summary": ["year", "reviews_published", "recommendations_published", "reviews_with_death_in_year",
                       "median_years_death_to_publication"],
    "v_data_quality": ["review_id", "finding", "severity"],
    "v_resolution_review": ["kind", "addressed_as", "detail", "review_ids"],
    "v_theme_year_summary": ["theme", "published_year", "recommendations", "reviews", "share_of_year_recommendations"],
    "v_theme_sector_summary": ["theme", "agency_sector", "recommendations"],
    "v_repeated_recommendations": ["repeat_group_id", "size", "reviews", "csps", "first_published_year",
                                   "last_published_year", "sectors", "representative_text"],
}
# Columns added to contract views (never renamed or dropped).
ADDED = {"v_recommendations": ["themes", "repeat_group_id"], "v_recommendation_agencies": ["agency_level"],
         "v_agency_summary": ["agency_level"], "v_csp_year_summary": ["region"],
         "v_reviews": ["status", "data_as_of", "region"], "v_repeated_recommendations": ["regions", "label", "agreement"]}


@pytest.fixture
def sample_tables(sample_star: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The bundled sample, through the pure pipeline code (no Dagster): the session's tables."""
    return dict(sample_star)


def columns(con: duckdb.DuckDBPyConnection, view: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()]


def test_every_contract_view_exists_with_its_columns_in_order(sample_tables, tmp_path: Path) -> None:
    staged = duckdb_store.build_version(sample_tables, tmp_path / "w.duckdb")
    assert set(CONTRACT) == set(VIEW_NAMES)
    with duckdb.connect(str(staged), read_only=True) as con:
        for view, expected in CONTRACT.items():
            assert columns(con, view) == expected + ADDED.get(view, []), view
            assert con.execute(f"SELECT COUNT(*) FROM {view}").fetchall()[0][0] > 0, view


def test_each_repeated_group_shows_its_members_agreement(sample_tables, tmp_path: Path) -> None:
    """v_repeated_recommendations.agreement is the agreement every member of the group carries in
    fact_recommendation (one value a group), between 0 and 1."""
    staged = duckdb_store.build_version(sample_tables, tmp_path / "w.duckdb")
    with duckdb.connect(str(staged), read_only=True) as con:
        per_group = dict(con.execute(
            "SELECT repeat_group_key, MIN(repeat_agreement) FROM fact_recommendation WHERE repeat_group_key IS NOT NULL "
            "GROUP BY repeat_group_key HAVING COUNT(DISTINCT repeat_agreement) = 1").fetchall())
        shown = dict(con.execute("SELECT repeat_group_id, agreement FROM v_repeated_recommendations").fetchall())
    assert shown and set(shown) <= set(per_group)
    assert all(shown[group] == per_group[group] and 0 < shown[group] <= 1 for group in shown), shown


def test_building_a_version_leaves_the_live_file_alone_until_publish(sample_tables, tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    duckdb_store.publish(duckdb_store.build_version(sample_tables, target), target)
    reviews = len(sample_tables["dim_review"])
    smaller = {**sample_tables, "dim_review": sample_tables["dim_review"].head(3)}
    reader = duckdb.connect(str(target), read_only=True)  # a BI user, connected throughout
    staged = duckdb_store.build_version(smaller, target)
    assert reader.execute("SELECT COUNT(*) FROM dim_review").fetchall() == [(reviews,)]
    duckdb_store.publish(staged, target)
    # The open connection still sees its snapshot; a new one sees the new version.
    assert reader.execute("SELECT COUNT(*) FROM dim_review").fetchall() == [(reviews,)]
    reader.close()
    with duckdb.connect(str(target), read_only=True) as fresh:
        assert fresh.execute("SELECT COUNT(*) FROM dim_review").fetchall() == [(3,)]
    assert duckdb_store.staged_versions(target) == []


def test_checks_pass_on_a_sound_version(sample_tables, tmp_path: Path) -> None:
    staged = duckdb_store.build_version(sample_tables, tmp_path / "w.duckdb")
    query = duckdb_store.query_file(staged)
    assert checks.duplicate_keys(query).passed
    assert checks.orphan_rows(query).passed
    assert checks.counts_reconcile(query, {name: len(frame) for name, frame in sample_tables.items()}).passed


def test_orphans_and_count_drift_are_caught(sample_tables, tmp_path: Path) -> None:
    staged = duckdb_store.build_version(sample_tables, tmp_path / "w.duckdb")
    with duckdb.connect(str(staged)) as con:
        con.execute("DELETE FROM dim_agency WHERE agency_key IN (SELECT agency_key FROM dim_agency LIMIT 1)")
        con.execute("DELETE FROM fact_recommendation WHERE recommendation_key IN "
                    "(SELECT recommendation_key FROM fact_recommendation LIMIT 1)")
    query = duckdb_store.query_file(staged)
    orphans = checks.orphan_rows(query)
    assert not orphans.passed
    assert any(name.startswith("bridge_recommendation_agency.agency_key") for name in orphans.problems)
    drift = checks.counts_reconcile(query, {name: len(frame) for name, frame in sample_tables.items()})
    assert not drift.passed and "dim_review.recommendations differs from its fact rows" in drift.problems


def test_duplicate_keys_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "dupes.duckdb"
    with duckdb.connect(str(path)) as con:  # tables without constraints, as a faulty loader might leave them
        for table, cols in checks.PRIMARY_KEYS.items():
            con.execute(f"CREATE TABLE {table} ({', '.join(c + ' VARCHAR' for c in cols)})")
        con.execute("INSERT INTO dim_csp VALUES ('1'), ('1')")
    outcome = checks.duplicate_keys(duckdb_store.query_file(path))
    assert not outcome.passed and outcome.problems == {"dim_csp(csp_key) duplicated": 1}


# The sample's CSPs and their regions, as the Home Office library gives them.
SAMPLE_REGIONS = {
    "Manchester": "North West", "Birmingham": "West Midlands", "Leeds": "Yorkshire and Humber", "Cardiff": "Wales",
    "Swansea": "Wales", "Kent": "South East", "Adur and Worthing": "South East", "Adur": "South East",
    "Nuneaton and Bedworth": "West Midlands", "Brighton and Hove": "South East", "Tower Hamlets": "Greater London",
    "Cornwall": "South West", "Newcastle upon Tyne": "North East", "Blackpool": "North West", "Wrexham": "Wales",
    "Southend-on-Sea": "East",
}


def test_every_sample_review_has_its_csps_region(sample_tables, tmp_path: Path) -> None:
    staged = duckdb_store.build_version(sample_tables, tmp_path / "w.duckdb")
    with duckdb.connect(str(staged), read_only=True) as con:
        pairs = con.execute("SELECT DISTINCT csp_name, region FROM v_reviews").fetchall()
        assert pairs and all(SAMPLE_REGIONS[csp] == region for csp, region in pairs), pairs
        assert con.execute("SELECT DISTINCT csp_name, region FROM v_csp_year_summary").fetchall() != []
        assert con.execute("SELECT COUNT(*) FROM v_csp_year_summary WHERE region IS NULL").fetchall() == [(0,)]
        assert con.execute("SELECT COUNT(*) FROM v_resolution_review WHERE kind LIKE '%CSP'").fetchall() == [(0,)]
        assert con.execute("SELECT DISTINCT police_force_area FROM dim_csp WHERE csp_name = 'Leeds'").fetchall() \
            == [("West Yorkshire",)]


def test_region_year_summary_counts_each_review_once_in_its_region(sample_tables, tmp_path: Path) -> None:
    staged = duckdb_store.build_version(sample_tables, tmp_path / "w.duckdb")
    with duckdb.connect(str(staged), read_only=True) as con:
        by_region = dict(con.execute("SELECT region, SUM(reviews) FROM v_region_year_summary GROUP BY region").fetchall())
        reviews = con.execute("SELECT csp_name, COUNT(*) FROM v_reviews GROUP BY csp_name").fetchall()
        expected: dict[str, int] = {}
        for csp, count in reviews:
            expected[SAMPLE_REGIONS[csp]] = expected.get(SAMPLE_REGIONS[csp], 0) + count
        assert by_region == expected
        rows = con.execute("SELECT reviews, recommendations, recommendations_per_review FROM v_region_year_summary").fetchall()
        assert all(per == pytest.approx(recs / n) for n, recs, per in rows)


def test_the_tables_are_created_as_duckdb_engines_dialect_would_create_them() -> None:
    """The DuckDB build compiles its CREATE TABLE statements with PostgreSQL's dialect (duckdb_engine's
    opens a DuckDB connection to read DuckDB's reserved words). The same statements, or a column
    named with a word only DuckDB reserves would go unquoted: then compile with duckdb_engine's."""
    import duckdb_engine

    from dhr_etl.warehouse import models

    assert duckdb_store._table_ddl() == models.create_table_statements(duckdb_engine.Dialect())
