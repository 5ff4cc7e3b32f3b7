"""PostgreSQL is a first-class backend: same schema, same views, same rows, safe publishing."""

from __future__ import annotations

import psycopg
import pytest

from dhr_etl.warehouse import checks
from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse
from dhr_etl.warehouse.postgres_store import PostgresWarehouse, conninfo
from dhr_etl.warehouse.views import VIEW_NAMES
from tests.warehouse.test_warehouse import sample_tables  # noqa: F401 - fixture


def rows(warehouse, view: str) -> list[tuple]:
    return sorted(warehouse.query(f"SELECT * FROM {view}"), key=repr)


def normalise(value):
    return round(value, 9) if isinstance(value, float) else value


def test_every_view_returns_identical_rows_on_both_backends(sample_tables, postgres_url, tmp_path) -> None:
    duck = DuckDbWarehouse(tmp_path / "w.duckdb")
    duck.publish(duck.build_version(sample_tables))
    pg = PostgresWarehouse(postgres_url)
    pg.publish(pg.build_version(sample_tables))
    for view in VIEW_NAMES:
        on_duckdb = [tuple(map(normalise, r)) for r in rows(duck, view)]
        on_postgres = [tuple(map(normalise, r)) for r in rows(pg, view)]
        assert on_duckdb and on_duckdb == on_postgres, view


def test_checks_pass_on_the_staged_schema_and_the_live_one_is_untouched_until_publish(sample_tables, postgres_url) -> None:
    pg = PostgresWarehouse(postgres_url)
    pg.publish(pg.build_version(sample_tables))
    live_reviews = pg.table_counts()["dim_review"]
    smaller = {**sample_tables, "dim_review": sample_tables["dim_review"].head(2)}
    location = pg.build_version(smaller)
    query = pg.staged_query(location)
    assert checks.duplicate_keys(query).passed
    assert not checks.orphan_rows(query).passed  # facts of the dropped reviews are orphans now
    assert pg.table_counts()["dim_review"] == live_reviews


def test_bi_role_reads_views_and_nothing_else(sample_tables, postgres_url) -> None:
    pg = PostgresWarehouse(postgres_url, bi_role="dhr_bi_test")
    pg.publish(pg.build_version(sample_tables))
    pg.ensure_bi_role("dhr_bi_test", "not-a-real-secret")
    pg.publish(pg.build_version(sample_tables))  # grants must survive a new version
    bi = conninfo(postgres_url).replace("user=postgres", "user=dhr_bi_test") + " password=not-a-real-secret"
    with psycopg.connect(bi, autocommit=True) as con:
        for view in VIEW_NAMES:
            con.execute(f"SELECT COUNT(*) FROM {view}").fetchone()
        for forbidden in ("SELECT * FROM dim_review", "SELECT * FROM dhr.fact_recommendation",
                          "INSERT INTO v_data_quality VALUES ('x', 'y', 'info')",
                          "DELETE FROM dim_csp", "CREATE TABLE dhr.mine (x int)", "CREATE TABLE public.mine (x int)",
                          "DROP VIEW v_reviews"):
            with pytest.raises(psycopg.Error):
                con.execute(forbidden)


def test_load_uses_copy_and_handles_text_that_looks_like_csv(postgres_url, sample_tables) -> None:
    tricky = sample_tables["fact_recommendation"].head(1).with_columns(
        recommendation=__import__("polars").lit('He said "no", then; left,\nrefusing | help \\ ok'))
    tables = {**sample_tables, "fact_recommendation": tricky}
    pg = PostgresWarehouse(postgres_url)
    pg.publish(pg.build_version(tables))
    assert pg.query("SELECT recommendation FROM fact_recommendation") == [(tricky["recommendation"][0],)]
