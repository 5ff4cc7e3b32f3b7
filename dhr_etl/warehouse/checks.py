"""Blocking checks on a built warehouse version, in plain SQL that runs on every backend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dhr_etl.warehouse.models import FOREIGN_KEYS, PRIMARY_KEYS

Query = Callable[[str], list[tuple]]
"""Runs one SQL statement against the version being checked and returns its rows."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    passed: bool
    description: str
    problems: dict[str, int]
    """What failed → how many rows; empty when passed."""


def duplicate_keys(query: Query) -> CheckOutcome:
    problems = {}
    for table, columns in PRIMARY_KEYS.items():
        cols = ", ".join(columns)
        (count,) = query(
            f"SELECT COUNT(*) FROM (SELECT {cols} FROM {table} GROUP BY {cols} HAVING COUNT(*) > 1) AS d"
        )[0]
        nulls = query(f"SELECT COUNT(*) FROM {table} WHERE " + " OR ".join(f"{c} IS NULL" for c in columns))[0][0]
        if count:
            problems[f"{table}({cols}) duplicated"] = int(count)
        if nulls:
            problems[f"{table}({cols}) null"] = int(nulls)
    return CheckOutcome(not problems, "every table's key is unique and not null", problems)


def orphan_rows(query: Query) -> CheckOutcome:
    problems = {}
    for (child, column), (parent, parent_column) in FOREIGN_KEYS.items():
        (count,) = query(
            f"SELECT COUNT(*) FROM {child} AS c WHERE c.{column} IS NULL OR NOT EXISTS "
            f"(SELECT 1 FROM {parent} AS p WHERE p.{parent_column} = c.{column})"
        )[0]
        if count:
            problems[f"{child}.{column} → {parent}"] = int(count)
    return CheckOutcome(not problems, "every reference points at an existing row", problems)


def counts_reconcile(query: Query, expected: dict[str, int]) -> CheckOutcome:
    """Row counts equal what the pipeline produced, and each review's count equals its rows."""
    problems = {}
    for table, rows in expected.items():
        (actual,) = query(f"SELECT COUNT(*) FROM {table}")[0]
        if actual != rows:
            problems[f"{table}: expected {rows}, found {actual}"] = abs(int(actual) - rows)
    (mismatched,) = query(
        "SELECT COUNT(*) FROM dim_review AS r WHERE r.recommendations <> "
        "(SELECT COUNT(*) FROM fact_recommendation AS f WHERE f.review_key = r.review_key)"
    )[0]
    if mismatched:
        problems["dim_review.recommendations differs from its fact rows"] = int(mismatched)
    return CheckOutcome(not problems, "row counts reconcile with what was parsed", problems)
