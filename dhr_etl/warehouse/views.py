"""The BI views, one portable SQL file each under the project's ``sql/`` folder."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"

VIEW_NAMES = (
    "v_reviews", "v_recommendations", "v_recommendation_agencies", "v_csp_year_summary",
    "v_agency_summary", "v_sector_year_summary", "v_year_summary", "v_data_quality",
    "v_resolution_review", "v_theme_year_summary", "v_theme_sector_summary", "v_repeated_recommendations",
)
"""The public contract (docs/design/WAREHOUSE.md): every one must exist on every backend."""


def view_statements() -> list[tuple[str, str]]:
    """(file name, SQL) in file-name order; later views may build on earlier ones."""
    if not SQL_DIR.is_dir():
        raise FileNotFoundError(f"view definitions not found: {SQL_DIR} is missing (install dhr-etl from its source tree)")
    return [(path.name, path.read_text(encoding="utf-8")) for path in sorted(SQL_DIR.glob("*.sql"))]
