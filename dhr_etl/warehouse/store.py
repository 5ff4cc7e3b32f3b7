"""One URL chooses the backend; both offer the same build → check → publish cycle."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class StagedVersion:
    """A built, not yet published, warehouse version and the row counts it must hold. It passes
    between Dagster steps as a frame (:meth:`as_frame`), one row per table, like every asset value."""

    warehouse_url: str
    location: str
    """Where the version is: a staged file (DuckDB) or a staging schema (PostgreSQL)."""
    expected_rows: dict[str, int]
    run_id: str
    """The run that built it: only that run may publish it (its end discards what it did not publish)."""

    def as_frame(self) -> pl.DataFrame:
        return pl.DataFrame({"table_name": list(self.expected_rows), "expected_rows": list(self.expected_rows.values())},
                            schema={"table_name": pl.String, "expected_rows": pl.Int64}).with_columns(
            warehouse_url=pl.lit(self.warehouse_url), location=pl.lit(self.location), run_id=pl.lit(self.run_id))

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> StagedVersion:
        (url,), (location,), (run_id,) = (frame[c].unique().to_list() for c in ("warehouse_url", "location", "run_id"))
        return cls(url, location, dict(frame.select("table_name", "expected_rows").iter_rows()), run_id)
