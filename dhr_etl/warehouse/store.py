"""One URL chooses the backend; both offer the same build → check → publish cycle."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import polars as pl

from dhr_etl.warehouse.checks import Query


class Warehouse(Protocol):
    def display(self) -> str:
        """Where the live warehouse is, without secrets."""

    def build_version(self, tables: dict[str, pl.DataFrame]) -> str:
        """Load every table and view into a new version beside the live one; return where it is."""

    def staged_query(self, location: str) -> Query:
        """Run SQL against a built, unpublished version (for the blocking checks)."""

    def publish(self, location: str) -> None:
        """Make the built version live in one atomic step."""

    def table_counts(self) -> dict[str, int]:
        """Rows per table of the live version; empty when there is none yet."""

    def query(self, sql: str) -> list[tuple]:
        """Run SQL against the live version."""


def open_warehouse(url: str, bi_role: str | None = None, timeout_seconds: int | None = None) -> Warehouse:
    """``timeout_seconds``: for PostgreSQL, the most connecting or a statement may take (a local
    DuckDB file needs no limit); by default none."""
    if url.startswith("duckdb:///"):
        from dhr_etl.warehouse.duckdb_store import DuckDbWarehouse

        return DuckDbWarehouse(Path(url.removeprefix("duckdb:///")))
    if url.startswith("postgresql+psycopg://"):
        from dhr_etl.warehouse.postgres_store import PostgresWarehouse

        return PostgresWarehouse(url, bi_role=bi_role, timeout_seconds=timeout_seconds)
    raise ValueError(f"unsupported warehouse URL {url!r}: use duckdb:///<file> or postgresql+psycopg://…")


def discard_staged_versions(url: str) -> list[str]:
    """Remove versions built but never published (a failed or killed run's); only for a caller
    holding the run lock (``dhr_etl/runlock.py``). What was removed, for the run's log."""
    if url.startswith("duckdb:///"):
        from dhr_etl.warehouse.duckdb_store import discard_staged_versions as discard_files

        return [str(path) for path in discard_files(Path(url.removeprefix("duckdb:///")))]
    # PostgreSQL builds its staging schema in one transaction, which a killed run rolls back, and
    # drops any staging schema left over before it builds: nothing to discard here.
    return []
