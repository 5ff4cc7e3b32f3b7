"""BI readers during a publish see the old version or the new one, never a mix, never an error;
a load killed half-way leaves the previous version intact, and the next run succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse
from dhr_etl.warehouse import postgres_store
from dhr_etl.warehouse.postgres_store import PostgresWarehouse, conninfo
from tests.warehouse.test_warehouse import sample_tables  # noqa: F401 - fixture
from tests.warehouse.versions import SIGNATURE_SQL, keep_reviews, replicate, signature

PROJECT = Path(__file__).resolve().parents[2]


def duckdb_reader(path: Path):
    def read() -> tuple:
        with duckdb.connect(str(path), read_only=True) as con:  # BI tools reconnect to see new versions
            return con.execute(SIGNATURE_SQL).fetchone()
    return read, lambda: None


def postgres_reader(url: str):
    con = psycopg.connect(conninfo(url), autocommit=True)  # one long-lived BI connection
    con.execute("SET search_path TO dhr")
    return (lambda: con.execute(SIGNATURE_SQL).fetchone()), con.close


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request, tmp_path):
    """(warehouse, reader factory, concurrent readers). DuckDB shares one database instance per file
    within a process, so a process sees a new file only once all its connections have closed: one
    reconnecting reader per process, as a BI tool on DuckDB has. PostgreSQL serves any number."""
    if request.param == "duckdb":
        path = tmp_path / "w.duckdb"
        return DuckDbWarehouse(path), lambda: duckdb_reader(path), 1
    url = request.getfixturevalue("postgres_url")
    return PostgresWarehouse(url), lambda: postgres_reader(url), 3


def test_readers_see_old_or_new_never_a_mix_and_never_an_error(backend, sample_tables) -> None:
    warehouse, make_reader, concurrent_readers = backend
    big, small = replicate(sample_tables, 20), keep_reviews(sample_tables, 5)
    expected = {signature(big), signature(small)}
    warehouse.publish(warehouse.build_version(big))
    stop, answers, errors = threading.Event(), [], []

    def loop() -> None:
        read, close = make_reader()
        try:
            while not stop.is_set():
                try:
                    answers.append(tuple(int(v) for v in read()))
                except Exception as exc:  # noqa: BLE001 - any error at all is a failure here
                    errors.append(repr(exc))
        finally:
            close()

    readers = [threading.Thread(target=loop) for _ in range(concurrent_readers)]
    for thread in readers:
        thread.start()
    for version in (small, big, small, big):
        warehouse.publish(warehouse.build_version(version))
        seen = len(answers)
        deadline = time.monotonic() + 30
        while len(answers) < seen + 4 and time.monotonic() < deadline:  # let readers query this version
            time.sleep(0.01)
    stop.set()
    for thread in readers:
        thread.join(timeout=60)
    assert not errors
    assert len(answers) > 10 and set(answers) <= expected
    assert set(answers) == expected  # both versions were seen while publishing


KILLED_LOADER = """
import sys, pickle
from dhr_etl.warehouse.store import open_warehouse
tables = pickle.load(open(sys.argv[2], "rb"))
warehouse = open_warehouse(sys.argv[1])
print("loading", flush=True)
warehouse.publish(warehouse.build_version(tables))
print("published", flush=True)
"""


def test_a_load_killed_half_way_leaves_the_previous_version_and_the_next_run_succeeds(
        backend, sample_tables, tmp_path) -> None:
    import pickle

    warehouse, make_reader, _ = backend
    small = keep_reviews(sample_tables, 5)
    warehouse.publish(warehouse.build_version(small))
    big = replicate(sample_tables, 3000)  # ~370k recommendations: seconds of loading
    frames = tmp_path / "big.pickle"
    frames.write_bytes(pickle.dumps(big))
    url = f"duckdb:///{warehouse.path}" if isinstance(warehouse, DuckDbWarehouse) else warehouse.url
    loader = subprocess.Popen([sys.executable, "-c", KILLED_LOADER, url, str(frames)], cwd=PROJECT,
                              stdout=subprocess.PIPE, text=True, env={**os.environ})
    assert loader.stdout.readline().strip() == "loading"
    time.sleep(1.0)
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=30)
    assert loader.returncode == -signal.SIGKILL, "the load finished before it could be killed"

    read, close = make_reader()
    try:
        assert tuple(int(v) for v in read()) == signature(small)
    finally:
        close()
    warehouse.publish(warehouse.build_version(sample_tables))
    read, close = make_reader()
    try:
        assert tuple(int(v) for v in read()) == signature(sample_tables)
    finally:
        close()


@pytest.mark.parametrize(("held", "then"), [("fact_recommendation", "dim_review"), ("dim_review", "dim_csp")])
def test_a_query_still_reading_the_replaced_version_neither_deadlocks_nor_fails_the_publish(
        postgres_url, sample_tables, held, then) -> None:
    """A BI query that began before a publish holds some of the old version's relations and asks for
    the rest (PostgreSQL locks a query's relations one by one). The clean-up that drops the replaced
    version must not take some of them and wait for the others: each would wait for the other until
    PostgreSQL cancelled one ("deadlock detected"), the reader's query or the publish."""
    warehouse = PostgresWarehouse(postgres_url)
    warehouse.publish(warehouse.build_version(sample_tables))
    staged = warehouse.build_version(keep_reviews(sample_tables, 5))
    reader = psycopg.connect(conninfo(postgres_url))  # not autocommit: its locks last until it ends
    reader.execute(sql_count(f"dhr.{held}"))
    errors: list[str] = []

    def publish() -> None:
        try:
            warehouse.publish(staged)
        except Exception as exc:  # noqa: BLE001 - any error at all is a failure here
            errors.append(repr(exc))

    publisher = threading.Thread(target=publish)
    publisher.start()
    time.sleep(1.5)  # the clean-up is under way (PostgreSQL looks for deadlocks after 1 s of waiting)
    try:
        reader.execute(sql_count(f"dhr_previous.{then}"))  # the same query's next relation, in the old version
    except psycopg.Error as exc:
        errors.append(f"reader: {exc!r}")
    reader.rollback()
    reader.close()
    publisher.join(timeout=60)
    assert not errors
    with psycopg.connect(conninfo(postgres_url)) as con:  # the new version is live
        assert con.execute("SELECT count(*) FROM dhr.dim_review").fetchone()[0] == 5


def test_a_replaced_version_still_held_at_the_next_publish_is_set_aside_and_dropped_later(
        postgres_url, sample_tables, monkeypatch: pytest.MonkeyPatch) -> None:
    """A BI query can hold a replaced version past the clean-up after its publish. The next publish
    must still swap (it once failed: 'schema "dhr_previous" already exists'), keeping the held
    version under another name, and a later clean-up drops it once the reader is gone."""
    monkeypatch.setattr(postgres_store, "BUILD_CLEANUP_SECONDS", 0.2)
    monkeypatch.setattr(postgres_store, "PUBLISH_CLEANUP_SECONDS", 0.2)
    warehouse = PostgresWarehouse(postgres_url)

    def live_reviews() -> int:
        with psycopg.connect(conninfo(postgres_url)) as con:
            return con.execute("SELECT count(*) FROM dhr.dim_review").fetchone()[0]

    def previous_schemas() -> list[str]:
        with psycopg.connect(conninfo(postgres_url)) as con:
            return [name for name, in con.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'dhr\\_previous%' ORDER BY nspname")]

    warehouse.publish(warehouse.build_version(keep_reviews(sample_tables, 5)))
    reader = psycopg.connect(conninfo(postgres_url))  # not autocommit: its lock lasts until it ends
    reader.execute(sql_count("dhr.dim_review"))  # holds the five-review version
    try:
        warehouse.publish(warehouse.build_version(keep_reviews(sample_tables, 4)))  # the held one becomes dhr_previous
        warehouse.publish(warehouse.build_version(keep_reviews(sample_tables, 3)))  # and is set aside
        assert live_reviews() == 3
        assert previous_schemas() == ["dhr_previous_1"]  # the four-review version was free and is gone
    finally:
        reader.rollback()
        reader.close()
    warehouse.publish(warehouse.build_version(keep_reviews(sample_tables, 2)))
    assert live_reviews() == 2
    assert previous_schemas() == []


def sql_count(relation: str) -> str:
    return f"SELECT count(*) FROM {relation}"
