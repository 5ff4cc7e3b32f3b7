"""Build resolver input from plain lists, as the parser would produce it."""

from __future__ import annotations

import polars as pl

from dhr_etl.parse.library import ADDRESSEE_SCHEMA, RECOMMENDATION_SCHEMA


def addressees(*reviews: tuple[str, list[list[str]]]) -> pl.DataFrame:
    """(review_id, [[addressee, …] per recommendation]) → the parsed_addressees frame."""
    rows = [{"review_id": review_id, "rec_position": position, "addressee_position": i, "addressed_as": name}
            for review_id, recs in reviews for position, names in enumerate(recs, start=1)
            for i, name in enumerate(names, start=1)]
    return pl.DataFrame(rows, schema=ADDRESSEE_SCHEMA)


def recommendations(*reviews: tuple[str, list[str]]) -> pl.DataFrame:
    rows = [{"review_id": review_id, "rec_position": position, "rec_label": f"R{position}", "rec_order": position,
             "recommendation": text}
            for review_id, texts in reviews for position, text in enumerate(texts, start=1)]
    return pl.DataFrame(rows, schema=RECOMMENDATION_SCHEMA)


def one_per_review(names: list[str]) -> pl.DataFrame:
    return addressees(*((f"r{i}", [[name]]) for i, name in enumerate(names)))
