"""The embedded warehouse: a DuckDB file, rebuilt whole as a new version and published by rename.

DuckDB lets one process open a file at a time, so a version is built in ``<file>.staged-<run id>``
beside the live file and published with ``os.replace``: atomic on POSIX, and a reader that holds the
old file open keeps reading the old inode, a consistent snapshot, until it reconnects. The run id in
the name keeps two builds from ever sharing a file (the run lock already keeps them apart); versions
never published are discarded at the start and the end of the next run that holds the lock.
"""

from __future__ import annotations

import glob
import os
import uuid
from functools import cache
from pathlib import Path

import duckdb
import polars as pl
from sqlalchemy.dialects import postgresql

from dhr_etl.warehouse import models
from dhr_etl.warehouse.checks import Query
from dhr_etl.warehouse.views import view_statements


class DuckDbWarehouse:
    """The warehouse as one DuckDB file (the embedded default)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def display(self) -> str:
        return str(self.path)

    def build_version(self, tables: dict[str, pl.DataFrame]) -> str:
        return str(build_version(tables, self.path))

    def staged_query(self, location: str) -> Query:
        return query_file(Path(location))

    def publish(self, location: str) -> None:
        publish(Path(location), self.path)

    def table_counts(self) -> dict[str, int]:
        return table_counts(self.path) if self.path.exists() else {}

    def query(self, sql: str) -> list[tuple]:
        return query_file(self.path)(sql)


_STAGED = ".staged"


def staged_path(target: Path, version_tag: str = "") -> Path:
    """Where the version tagged ``version_tag`` (the id of the run building it) is built."""
    return target.with_name(target.name + _STAGED + (f"-{version_tag}" if version_tag else ""))


def staged_versions(target: Path) -> list[Path]:
    """Every staged file beside ``target`` (with DuckDB's write-ahead logs), whichever run built it."""
    return sorted(Path(p) for p in glob.glob(glob.escape(str(target)) + _STAGED + "*"))


def discard_staged_versions(target: Path) -> list[Path]:
    """Remove versions built but never published: a failed or killed run's. Only for a caller that
    holds the run lock, since otherwise one of them may be another run's build in progress."""
    stale = staged_versions(target)
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _version_tag(tables: dict[str, pl.DataFrame]) -> str:
    """The id of the run that built these tables (their warehouse_version row), else a fresh one."""
    version = tables.get("warehouse_version")
    if version is not None and len(version) and version["run_id"][0]:
        return str(version["run_id"][0])
    return uuid.uuid4().hex


def _remove(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


BUILD_MEMORY_LIMIT = "512MB"
"""DuckDB's own buffer cap while a version is built. The frames being loaded already sit in this
process; left at its default (80% of RAM) DuckDB kept ~950 MB more while loading and
materialising the views of 65,000 reviews. The process's peak is now at the end of the build
(the last views and the checkpoint), so this cap sets it: building the 65,000-review tables with
every frame loaded, the build's own peak was +850 MB at 1 GB, +750 MB at 768 MB, +510 MB at
512 MB and +400 MB at 384 MB, in the same time (15-16 s on a loaded 2-core machine). 256 MB ran
out of memory materialising v_recommendations; 512 MB leaves twice that."""

STORAGE_VERSION = "v1.1.0"
"""The storage format the published file is written in. DuckDB writes its newest format by default,
which the DuckDB 1.x embedded in BI tools' drivers and most users' CLIs cannot open ("Trying to read
a database file with version number ..."); 1.1.0's format opens read-only in DuckDB 1.1 and every
later version (tests/warehouse/test_old_duckdb_readers.py queries every view from 1.1.3 and 1.2.2)."""


class _ArrowStream:
    """A frame as an Arrow C stream (the Arrow PyCapsule interface), which DuckDB reads without
    pyarrow: the first ``to_arrow()`` of a process imported pyarrow, 20-110 ms of each new process's
    build. Polars exports its newest layout, so string views are handed over as they are (a copy of
    every string column would cost 100 MB more at 65,000 reviews)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


@cache
def _table_ddl() -> tuple[str, ...]:
    """Compiled once per process, for PostgreSQL: duckdb_engine's dialect (PostgreSQL's, plus
    DuckDB's reserved words, read from a DuckDB connection it opens: 20-50 ms in a new process)
    compiles the same statements for these tables (tests/warehouse/test_warehouse.py checks it)."""
    return models.create_table_statements(postgresql.dialect())


def build_version(tables: dict[str, pl.DataFrame], target: Path) -> Path:
    """Write every table and view into a fresh staged file; the live file is not touched."""
    staged = staged_path(target, _version_tag(tables))
    staged.parent.mkdir(parents=True, exist_ok=True)
    _remove(staged)  # left by an earlier attempt of this very run
    config = {"memory_limit": BUILD_MEMORY_LIMIT, "storage_compatibility_version": STORAGE_VERSION}
    with duckdb.connect(str(staged), config=config) as con:
        # The tables are created and loaded in one transaction (one commit, one sync of the
        # write-ahead log, instead of one per statement). The views are not: each materialised
        # view held in one transaction until the end took ~200 MB more at 65,000 reviews.
        con.execute("BEGIN TRANSACTION")
        for statement in _table_ddl():
            con.execute(statement)
        for model in models.STAR_TABLES:
            name = model.__tablename__
            if name not in tables:
                continue
            con.register("incoming", _ArrowStream(tables[name]))
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM incoming")
            con.unregister("incoming")
        con.execute("COMMIT")
        for file_name, sql in view_statements():
            try:
                con.execute(sql)
            except duckdb.Error as exc:
                raise RuntimeError(f"view definition sql/{file_name} failed on DuckDB: {exc}") from exc
        con.execute("CHECKPOINT")
    return staged


def query_file(path: Path) -> Query:
    def run(sql: str) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql).fetchall()
    return run


def publish(staged: Path, target: Path) -> None:
    """Make the staged version the live one in one atomic step."""
    if not staged.exists():
        raise FileNotFoundError(f"no staged warehouse at {staged}: build a version before publishing")
    target.with_name(target.name + ".wal").unlink(missing_ok=True)
    os.replace(staged, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def table_counts(path: Path) -> dict[str, int]:
    """Rows per star table; a table an older version lacks is left out."""
    with duckdb.connect(str(path), read_only=True) as con:
        present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return {
            m.__tablename__: con.execute(f"SELECT COUNT(*) FROM {m.__tablename__}").fetchone()[0]
            for m in models.STAR_TABLES if m.__tablename__ in present
        }
