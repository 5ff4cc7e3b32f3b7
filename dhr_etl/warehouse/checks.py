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


# Each check asks its questions of every table in ONE statement (a UNION ALL of labelled counts):
# on DuckDB every statement opens the staged file anew (~20 ms each), and one per table made the
# three checks ~50 openings of the file per run.


def _counts(query: Query, labelled: dict[str, str]) -> dict[str, int]:
    """label → the count its SELECT COUNT(*) statement returns, all in one statement."""
    if not labelled:
        return {}
    union = " UNION ALL ".join(f"SELECT {i} AS question, ({sql}) AS answer" for i, sql in enumerate(labelled.values()))
    answers = dict(query(f"SELECT question, answer FROM ({union}) AS answers"))
    return {label: int(answers[i]) for i, label in enumerate(labelled)}


def duplicate_keys(query: Query) -> CheckOutcome:
    questions = {}
    for table, columns in PRIMARY_KEYS.items():
        cols = ", ".join(columns)
        questions[f"{table}({cols}) duplicated"] = (
            f"SELECT COUNT(*) FROM (SELECT {cols} FROM {table} GROUP BY {cols} HAVING COUNT(*) > 1) AS d")
        questions[f"{table}({cols}) null"] = (
            f"SELECT COUNT(*) FROM {table} WHERE " + " OR ".join(f"{c} IS NULL" for c in columns))
    problems = {label: count for label, count in _counts(query, questions).items() if count}
    return CheckOutcome(not problems, "every table's key is unique and not null", problems)


def orphan_rows(query: Query) -> CheckOutcome:
    questions = {
        f"{child}.{column} → {parent}": (
            f"SELECT COUNT(*) FROM {child} AS c WHERE c.{column} IS NULL OR NOT EXISTS "
            f"(SELECT 1 FROM {parent} AS p WHERE p.{parent_column} = c.{column})")
        for (child, column), (parent, parent_column) in FOREIGN_KEYS.items()
    }
    problems = {label: count for label, count in _counts(query, questions).items() if count}
    return CheckOutcome(not problems, "every reference points at an existing row", problems)


def counts_reconcile(query: Query, expected: dict[str, int]) -> CheckOutcome:
    """Row counts equal what the pipeline produced, and each review's count equals its rows."""
    mismatch = "dim_review.recommendations differs from its fact rows"
    found = _counts(query, {**{table: f"SELECT COUNT(*) FROM {table}" for table in expected}, mismatch: (
        "SELECT COUNT(*) FROM dim_review AS r WHERE r.recommendations <> "
        "(SELECT COUNT(*) FROM fact_recommendation AS f WHERE f.review_key = r.review_key)")})
    problems = {f"{table}: expected {rows}, found {found[table]}": abs(found[table] - rows)
                for table, rows in expected.items() if found[table] != rows}
    if found[mismatch]:
        problems[mismatch] = found[mismatch]
    return CheckOutcome(not problems, "row counts reconcile with what was parsed", problems)
