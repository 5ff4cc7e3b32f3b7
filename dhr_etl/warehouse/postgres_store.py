"""The shared warehouse on PostgreSQL: a staging schema loaded with COPY, swapped in by renaming.

The live version is the schema ``dhr`` (BI tools query ``dhr.v_*``). A new version is built whole
in ``dhr_staging``: tables from the SQLModel definitions, rows by ``COPY … FROM STDIN`` (CSV),
then the views. Publishing renames ``dhr`` → ``dhr_previous`` and ``dhr_staging`` → ``dhr`` in one
short transaction, so a BI query sees the old version or the new one, never a mix; the old schema
is dropped afterwards in its own transaction, so a reader still busy with the old version delays
only that clean-up (retried on the next build and the next publish), never the swap. A replaced
version a reader still holds when the next publish comes is set aside under a numbered name
(``dhr_previous_1`` ...) and dropped by a later clean-up: a long BI query never fails a run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import polars as pl
import psycopg
from psycopg import sql
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from dhr_etl.warehouse import models
from dhr_etl.warehouse.checks import Query
from dhr_etl.warehouse.views import VIEW_NAMES, view_statements

LIVE_SCHEMA = "dhr"
STAGING_SCHEMA = "dhr_staging"
PREVIOUS_SCHEMA = "dhr_previous"
DROP_RETRY_SECONDS = 0.05
BUILD_CLEANUP_SECONDS = 5
"""How long a build retries dropping a replaced version a reader still holds before it goes on."""
PUBLISH_CLEANUP_SECONDS = 10
"""How long a publish retries it, before the swap (then it sets the version aside) and after."""
COPY_CHUNK_ROWS = 100_000


def conninfo(url: str) -> str:
    """libpq connection string from a SQLAlchemy URL; a password may also come from PGPASSWORD."""
    parsed = make_url(url)
    parts = {"host": parsed.host, "port": parsed.port, "dbname": parsed.database,
             "user": parsed.username, "password": parsed.password}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


class PostgresWarehouse:
    def __init__(self, url: str, bi_role: str | None = None, timeout_seconds: int | None = None) -> None:
        """``timeout_seconds``: for a caller that must not block (a sensor), the most any connection
        may take to open and any statement to run; by default, no limit."""
        self.url = url
        self.bi_role = bi_role
        self._conninfo = conninfo(url)
        self._limits: dict[str, object] = {} if timeout_seconds is None else {
            "connect_timeout": timeout_seconds, "options": f"-c statement_timeout={timeout_seconds * 1000}"}

    def display(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True) + f" (schema {LIVE_SCHEMA})"

    def connect(self, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(self._conninfo, **{**self._limits, **kwargs})

    # -- build -----------------------------------------------------------------------------
    def build_version(self, tables: dict[str, pl.DataFrame]) -> str:
        with self.connect() as con:
            # What a killed run or a timed-out clean-up left behind goes first.
            con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(STAGING_SCHEMA)))
            self._drop_previous(con, wait_seconds=BUILD_CLEANUP_SECONDS)
            con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(STAGING_SCHEMA)))
            con.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(STAGING_SCHEMA)))
            for ddl in models.create_table_statements(postgresql.dialect()):
                con.execute(ddl)
            for model in models.STAR_TABLES:
                if model.__tablename__ in tables:
                    self._copy(con, model.__tablename__, tables[model.__tablename__])
            for file_name, statement in view_statements():
                try:
                    con.execute(statement)
                except psycopg.Error as exc:
                    raise RuntimeError(f"view definition sql/{file_name} failed on PostgreSQL: {exc}") from exc
            if self.bi_role:
                self._grant_views(con, STAGING_SCHEMA, self.bi_role, missing_ok=True)
        return STAGING_SCHEMA

    @staticmethod
    def _copy(con: psycopg.Connection, table: str, frame: pl.DataFrame) -> None:
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
        # CSV's own NULL: an unquoted empty field. polars writes null as exactly that and every
        # string quoted when it must be, an empty string as "", so no text is special: a title
        # printed as \N stays the text \N (a NULL marker such as \N turned it into NULL).
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(sql.Identifier(table), columns)
        with con.cursor() as cursor, cursor.copy(statement) as copy:
            for chunk in _chunks(frame):
                copy.write(chunk.write_csv(include_header=False))

    # -- check and publish -----------------------------------------------------------------
    def staged_query(self, location: str) -> Query:
        return self._query_in(location)

    def query(self, statement: str) -> list[tuple]:
        return self._query_in(LIVE_SCHEMA)(statement)

    def _query_in(self, schema: str) -> Query:
        def run(statement: str) -> list[tuple]:
            with self.connect() as con:
                con.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
                return con.execute(statement).fetchall()
        return run

    def publish(self, location: str) -> None:
        with self.connect() as con:
            con.execute("SET LOCAL lock_timeout = '30s'")
            if not _schema_exists(con, location):
                raise RuntimeError(f"no staged version in schema {location}: build one before publishing")
            if _schema_exists(con, PREVIOUS_SCHEMA) and not self._drop_schema(con, PREVIOUS_SCHEMA, PUBLISH_CLEANUP_SECONDS):
                aside = next(f"{PREVIOUS_SCHEMA}_{n}" for n in range(1, 10_000) if not _schema_exists(con, f"{PREVIOUS_SCHEMA}_{n}"))
                con.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(PREVIOUS_SCHEMA), sql.Identifier(aside)))
            if _schema_exists(con, LIVE_SCHEMA):
                con.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(LIVE_SCHEMA), sql.Identifier(PREVIOUS_SCHEMA)))
            con.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(location), sql.Identifier(LIVE_SCHEMA)))
        with self.connect() as con:
            self._drop_previous(con, wait_seconds=PUBLISH_CLEANUP_SECONDS)

    @classmethod
    def _drop_previous(cls, con: psycopg.Connection, wait_seconds: float) -> None:
        """Drop every replaced version (``dhr_previous`` and any set aside) that no reader holds
        within ``wait_seconds``; one still held waits for the next clean-up."""
        for (schema,) in con.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname ~ %s ORDER BY nspname",
                                     (PREVIOUS_SCHEMA, f"^{PREVIOUS_SCHEMA}_[0-9]+$")).fetchall():
            cls._drop_schema(con, schema, wait_seconds)

    @staticmethod
    def _drop_schema(con: psycopg.Connection, schema: str, wait_seconds: float) -> bool:
        """Drop a replaced version unless a reader holds it for all of ``wait_seconds``; whether it is gone.

        Its relations are locked first, all in one statement and without waiting (NOWAIT), retried
        every DROP_RETRY_SECONDS: DROP ... CASCADE alone locks them one by one, so it held some while
        it waited for one a BI query was reading, and that query, which began before the publish and
        locks its relations one by one too, waited for those: PostgreSQL cancelled one of the two
        ("deadlock detected"), the reader's query or the publish (tests/warehouse/test_publishing.py).
        A reader's query lasts milliseconds, so a retry soon finds the version free."""
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                with con.transaction():
                    relations = [sql.Identifier(schema, name) for name, in con.execute(
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname", (schema,))]
                    if relations:
                        con.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE NOWAIT").format(sql.SQL(", ").join(relations)))
                    con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
                return True
            except psycopg.errors.LockNotAvailable:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(DROP_RETRY_SECONDS)

    def table_counts(self) -> dict[str, int]:
        with self.connect() as con:
            if not _schema_exists(con, LIVE_SCHEMA):
                return {}
            present = {row[0] for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (LIVE_SCHEMA,))}
            return {
                name: con.execute(sql.SQL("SELECT COUNT(*) FROM {}.{}").format(
                    sql.Identifier(LIVE_SCHEMA), sql.Identifier(name))).fetchone()[0]
                for name in (m.__tablename__ for m in models.STAR_TABLES) if name in present
            }

    # -- the read-only BI role ---------------------------------------------------------------
    def ensure_bi_role(self, role: str, password: str) -> None:
        """Create or update a login role that can SELECT the views and nothing else."""
        with self.connect() as con:
            exists = con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            con.execute(sql.SQL(verb + " ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
            con.execute(sql.SQL("ALTER ROLE {} SET search_path TO {}").format(
                sql.Identifier(role), sql.Identifier(LIVE_SCHEMA)))
            con.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only TO on").format(sql.Identifier(role)))
            if _schema_exists(con, LIVE_SCHEMA):
                self._grant_views(con, LIVE_SCHEMA, role, missing_ok=False)

    @staticmethod
    def _grant_views(con: psycopg.Connection, schema: str, role: str, missing_ok: bool) -> None:
        if missing_ok and not con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            return
        con.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(
            sql.Identifier(schema), sql.Identifier(role)))
        con.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), sql.Identifier(role)))
        for view in VIEW_NAMES:
            con.execute(sql.SQL("GRANT SELECT ON {}.{} TO {}").format(
                sql.Identifier(schema), sql.Identifier(view), sql.Identifier(role)))


def _schema_exists(con: psycopg.Connection, schema: str) -> bool:
    return con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is not None


def _chunks(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for offset in range(0, max(len(frame), 1), COPY_CHUNK_ROWS):
        yield frame.slice(offset, COPY_CHUNK_ROWS)
