"""The open-data release: every public view as Parquet and as CSV, with a Frictionless
``datapackage.json``, for analysts without a database and for spreadsheet and BI users.

Written for each published warehouse version into ``<data_dir>/releases/<version>/``; the folder
``<data_dir>/release`` is a symbolic link to the current one, switched with one ``os.replace``.
A reader therefore sees the previous release or the new one, whole, never a mix; a build that
fails removes its own folder and leaves the link (and the previous release) as they were.

CSV choices, for spreadsheets (Excel, LibreOffice, Google Sheets):
- UTF-8 with a byte-order mark: without it Excel reads a CSV in the machine's ANSI code page and
  mangles every é, ’ and –; with it every spreadsheet and CSV reader detects UTF-8 (the
  datapackage says ``utf-8-sig``, which Python and Frictionless read as UTF-8 minus the mark).
- Text cells beginning with = + - @, a tab or a carriage return get a leading apostrophe, so a
  spreadsheet shows them as text and never runs them as a formula (CSV injection). Parquet keeps
  the exact text; the datapackage says so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dhr_etl.files import write_atomically
from dhr_etl.transform.rules import read_reference_csv
from dhr_etl.warehouse.views import VIEW_NAMES

RELEASE_LINK = "release"
RELEASES_DIR = "releases"
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
"""What a spreadsheet may take for the start of a formula (OWASP's list for CSV injection)."""

# polars type → Frictionless Table Schema field type
_FIELD_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "string", pl.Boolean: "boolean", pl.Date: "date", pl.Datetime: "datetime",
    pl.Float32: "number", pl.Float64: "number", pl.Decimal: "number",
    **{t: "integer" for t in (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)},
}

LICENCES = [
    {"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0",
     "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
    {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
     "path": "https://creativecommons.org/licenses/by/4.0/"},
]
SOURCES = [
    {"title": "Home Office Domestic Homicide Review library: the review summary pages (Crown copyright, "
              "Open Government Licence v3.0)",
     "path": "https://www.accountabilityindex.uk/sources/dhr/"},
    {"title": "Domestic Homicide Review Dataset (DHRD) v1.0.0, Cook & Cook, City St George's, University of "
              "London (CC BY 4.0): the regions of CSP names", "path": "https://doi.org/10.5281/zenodo.21108268"},
    {"title": "dhr-etl's curated reference files (dhr_etl/reference/: bodies, geography, aliases, sectors, "
              "themes), each naming its own source and licence"},
]


@dataclass(frozen=True, slots=True)
class WarehouseVersion:
    """Which published version a release is of (the warehouse_version row)."""

    built_at: str
    run_id: str | None
    source: str


ReadView = Callable[[str], pl.DataFrame]
"""Every row of one view (or of the warehouse_version table) as a frame."""


@contextmanager
def live_version(warehouse_url: str) -> Iterator[tuple[Callable[[str], list[tuple]], ReadView]]:
    """(query, read) on the live version at ``warehouse_url`` (DuckDB file or PostgreSQL), for
    writing what is published from it. On DuckDB both share one read-only connection: opening the
    file costs ~20 ms, and the report and the release ask it ~30 questions. On PostgreSQL each
    statement takes a connection, as everywhere else."""
    if warehouse_url.startswith("duckdb:///"):
        import duckdb

        with duckdb.connect(warehouse_url.removeprefix("duckdb:///"), read_only=True) as con:
            yield ((lambda sql: con.execute(sql).fetchall()),
                   (lambda relation: pl.from_arrow(con.sql(f"SELECT * FROM {relation}").to_arrow_table())))
        return
    if warehouse_url.startswith("postgresql+psycopg://"):
        from dhr_etl.warehouse.postgres_store import LIVE_SCHEMA, PostgresWarehouse

        warehouse = PostgresWarehouse(warehouse_url)

        def read_postgres(relation: str) -> pl.DataFrame:
            with warehouse.connect() as con:
                return pl.read_database(f"SELECT * FROM {LIVE_SCHEMA}.{relation}", connection=con)
        yield warehouse.query, read_postgres
        return
    raise ValueError(f"unsupported warehouse URL {warehouse_url!r}: use duckdb:///<file> or postgresql+psycopg://…")


def write_release(read: ReadView, data_dir: Path) -> Path:
    """Write the release of the warehouse ``read`` reads from and make it the current one; returns
    ``<data_dir>/release``. On any failure the previous release stays current and untouched."""
    version = _version(read("warehouse_version"))
    releases = data_dir / RELEASES_DIR
    releases.mkdir(parents=True, exist_ok=True)
    stamp = re.sub(r"[^0-9A-Za-z]", "", version.built_at)
    folder = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=releases))
    try:
        resources = [_write_view(view, read(view), folder) for view in VIEW_NAMES]
        package = _datapackage(version, resources)
        write_atomically(folder / "datapackage.json", json.dumps(package, indent=2, ensure_ascii=False).encode())
        os.chmod(folder, 0o755)  # mkdtemp makes it private; a release is for anyone who may read data/
        _point_link(data_dir / RELEASE_LINK, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    for old in releases.iterdir():  # earlier releases, and folders of builds that were killed
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    return data_dir / RELEASE_LINK


def version_released(data_dir: Path) -> str | None:
    """The run id of the warehouse version the current release is of; None if there is none."""
    try:
        package = json.loads((data_dir / RELEASE_LINK / "datapackage.json").read_text(encoding="utf-8"))
        return package["warehouse_version"]["run_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula, prefixed with an apostrophe."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START.pattern)).then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    )


def _version(rows: pl.DataFrame) -> WarehouseVersion:
    if len(rows) != 1:
        raise ValueError(f"the warehouse has {len(rows)} warehouse_version rows, expected exactly one: "
                         "release a published warehouse version")
    row = rows.row(0, named=True)
    return WarehouseVersion(built_at=row["built_at"], run_id=row.get("run_id"), source=row["source"])


def _write_view(view: str, frame: pl.DataFrame, folder: Path) -> dict:
    name = view.removeprefix("v_")
    frame.write_parquet(folder / f"{name}.parquet")
    neutralise_formulas(frame).write_csv(folder / f"{name}.csv", include_bom=True, null_value="")
    return {"view": view, "name": name, "rows": len(frame), "schema": frame.schema}


def _field_type(dtype: pl.DataType) -> str:
    for polars_type, field_type in _FIELD_TYPES.items():
        if isinstance(dtype, polars_type) or dtype == polars_type:
            return field_type
    return "any"


def _descriptions() -> dict[tuple[str, str], str]:
    return {(row["view"], row["column"]): row["description"] for row in read_reference_csv("release_columns.csv")}


def _datapackage(version: WarehouseVersion, resources: list[dict]) -> dict:
    described = _descriptions()
    package_resources = []
    for resource in resources:
        view = resource["view"]
        fields = [{"name": column, "type": _field_type(dtype), "description": described.get((view, column), "")}
                  for column, dtype in resource["schema"].items()]
        common = {"title": view, "description": described.get((view, ""), ""), "schema": {"fields": fields},
                  "licenses": LICENCES}
        package_resources.append({
            "name": resource["name"], "path": f"{resource['name']}.csv", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8-sig", **common,
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "description": common["description"] + " CSV: text cells beginning with = + - @, a tab or a carriage "
                           "return carry a leading apostrophe so that spreadsheets do not run them as formulas; "
                           f"the exact text is in {resource['name']}.parquet.",
        })
        package_resources.append({
            "name": f"{resource['name']}_parquet", "path": f"{resource['name']}.parquet", "format": "parquet",
            "mediatype": "application/vnd.apache.parquet", **common,
            # Parquet nulls are real nulls; Frictionless reads Parquet through pandas, which turns a
            # null whole number into NaN, so it must be told that NaN means missing here.
            "schema": {"fields": fields, "missingValues": ["", "nan"]},
        })
    return {
        "name": "dhr-recommendations",
        "title": "Domestic Homicide Review recommendations (England and Wales)",
        "description": (
            "Every public view of the dhr-etl warehouse, as CSV (for spreadsheets) and Parquet (exact types and "
            "text). Counting rules: a review is one review page; a recommendation is one row of a page's "
            "recommendations table; in agency and sector figures a recommendation addressed to two bodies counts "
            "once for each body, and in sector figures once per sector however many bodies of that sector it "
            "names. Years are calendar years; published_* is the month of upload to the Home Office library. "
            "CSV files are UTF-8 with a byte-order mark (so Excel detects UTF-8); empty cells are missing values."),
        "created": version.built_at,
        "warehouse_version": {"built_at": version.built_at, "run_id": version.run_id, "source": version.source},
        "licenses": LICENCES,
        "sources": SOURCES,
        "resources": package_resources,
    }


def _point_link(link: Path, folder: Path) -> None:
    """Switch ``link`` to ``folder`` in one step: a new link beside it renamed over the old one."""
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} is a real folder, not the release link: move it away so that releases "
                              "can be published there")
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(folder, link.parent), temporary)  # relative: the data folder may move
    os.replace(temporary, link)
