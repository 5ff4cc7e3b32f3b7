"""The BI views, one portable SQL file each under the package's ``dhr_etl/sql/`` folder.

Each file defines one view (``CREATE OR REPLACE VIEW v_name AS SELECT …``): the logic, readable
and runnable by hand. When a warehouse version is built, each view's query runs once into a table
``mv_name`` inside that version, and the view itself becomes ``SELECT * FROM mv_name``. The data
changes once a night, BI tools read it all day: at 65,000 reviews the joins and string
aggregations took up to 1.3 s per read, the materialised rows a fraction of that (bench/REPORT.md).
The tables are built and checked with the rest of the version and published with it, so a view
never shows rows from another version than its tables.
"""

from __future__ import annotations

import re

from dhr_etl.resources import SQL_DIR

VIEW_NAMES = (
    "v_reviews", "v_recommendations", "v_recommendation_agencies", "v_csp_year_summary", "v_region_year_summary",
    "v_agency_summary", "v_sector_year_summary", "v_year_summary", "v_data_quality",
    "v_resolution_review", "v_theme_year_summary", "v_theme_sector_summary", "v_repeated_recommendations",
)
"""The public contract (docs/design/WAREHOUSE.md): every one must exist on every backend."""

_VIEW_HEADER = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+VIEW\s+(v_\w+)\s+AS\s", re.IGNORECASE | re.MULTILINE)


def materialised_table(view: str) -> str:
    """The table that holds a view's rows in a built version: v_agency_summary → mv_agency_summary."""
    return "mv_" + view.removeprefix("v_")


def view_statements() -> list[tuple[str, str]]:
    """(file name, SQL) in file-name order: for each view, the statement that fills its table, then
    the view over that table. Later views may build on earlier ones."""
    if not SQL_DIR.is_dir():
        raise FileNotFoundError(f"view definitions not found: {SQL_DIR} is missing (reinstall dhr-etl: the wheel ships dhr_etl/sql/)")
    statements = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        headers = _VIEW_HEADER.findall(text)
        if len(headers) != 1:
            raise ValueError(f"sql/{path.name}: expected exactly one 'CREATE OR REPLACE VIEW v_<name> AS SELECT …', "
                             f"found {len(headers)}")
        view = headers[0]
        query = text[_VIEW_HEADER.search(text).end():].strip().rstrip(";")  # type: ignore[union-attr]
        table = materialised_table(view)
        statements.append((path.name, f"CREATE TABLE {table} AS {query}"))
        statements.append((path.name, f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {table}"))
    return statements
