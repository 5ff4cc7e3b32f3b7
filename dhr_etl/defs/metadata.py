"""Small helpers that turn frames into Dagster metadata values."""

from __future__ import annotations

import dagster as dg
import polars as pl


def preview(frame: pl.DataFrame, rows: int = 10, width: int = 80) -> dg.MetadataValue:
    """The first rows as a markdown table, long text cut so the UI stays readable."""
    if frame.is_empty():
        return dg.MetadataValue.md("_(no rows)_")
    head = frame.head(rows).with_columns(
        pl.col(c).cast(pl.String).str.slice(0, width) for c in frame.columns
    )
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def counts_by(frame: pl.DataFrame, column: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame[column].value_counts(sort=True).iter_rows()}


def table_metadata(frame: pl.DataFrame) -> dict[str, object]:
    """The row count and column schema the Dagster UI shows for a table asset."""
    return {
        "dagster/row_count": len(frame),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, str(dtype)) for name, dtype in frame.schema.items()]),
    }
