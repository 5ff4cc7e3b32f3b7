"""Building polars frames from rows produced one at a time in Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl


class FrameBuilder:
    """Rows in, one polars frame out, holding at most CHUNK_ROWS rows as Python objects at a time.

    Memory is the limit at scale: at 65,000 reviews (700,000 recommendations, a million addressee
    pairs) rows kept as Python dicts cost over a GB before polars saw them, and Python keeps such
    memory once it has it. Here each chunk becomes compact columns before the next is gathered."""

    CHUNK_ROWS = 50_000

    def __init__(self, schema: Mapping[str, pl.DataType]) -> None:
        self.schema = dict(schema)
        self.rows: list[tuple] = []
        self.chunks: list[pl.DataFrame] = []

    def add(self, row: Iterable) -> None:
        """One row, its values in the schema's column order."""
        # Kept as a tuple and handed to polars row-wise at the end of the chunk: half the time of
        # appending each value to its column's list in Python (a million addressee pairs at 65,000 reviews).
        values = tuple(row)
        if len(values) != len(self.schema):
            raise ValueError(f"a row of {len(values)} values for the {len(self.schema)} columns {', '.join(self.schema)}")
        self.rows.append(values)
        if len(self.rows) >= self.CHUNK_ROWS:
            self._seal()

    def _seal(self) -> None:
        self.chunks.append(pl.DataFrame(self.rows, schema=self.schema, orient="row"))
        self.rows = []

    def frame(self) -> pl.DataFrame:
        self._seal()
        return pl.concat(self.chunks, rechunk=True)
