"""FrameBuilder: rows added one at a time come out as one frame of the schema's types, in order."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dhr_etl.frames import FrameBuilder

SCHEMA = {"review_id": pl.String, "position": pl.Int32, "published": pl.Date}


def test_rows_across_several_chunks_come_out_in_order_with_the_schemas_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FrameBuilder, "CHUNK_ROWS", 3)
    builder = FrameBuilder(SCHEMA)
    for i in range(8):
        builder.add((f"r{i}", i, dt.date(2020, 1, i + 1) if i % 2 else None))
    builder.add(iter(["last", None, dt.date(2021, 5, 1)]))  # any iterable of the row's values

    frame = builder.frame()
    assert frame.schema == pl.Schema(SCHEMA)
    assert frame["review_id"].to_list() == [f"r{i}" for i in range(8)] + ["last"]
    assert frame["position"].to_list() == list(range(8)) + [None]
    assert frame["published"].to_list() == [None, dt.date(2020, 1, 2), None, dt.date(2020, 1, 4), None,
                                            dt.date(2020, 1, 6), None, dt.date(2020, 1, 8), dt.date(2021, 5, 1)]


def test_no_rows_is_an_empty_frame_of_the_schema() -> None:
    frame = FrameBuilder(SCHEMA).frame()
    assert frame.height == 0
    assert frame.schema == pl.Schema(SCHEMA)


def test_a_row_of_the_wrong_width_is_refused_naming_the_columns() -> None:
    builder = FrameBuilder(SCHEMA)
    with pytest.raises(ValueError, match="a row of 2 values for the 3 columns review_id, position, published"):
        builder.add(("r1", 1))
