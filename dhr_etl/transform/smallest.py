"""Each row's k smallest entries, as ``np.argpartition`` would keep them, without partitioning whole rows.

The theme examples' vote cuts each text's row of distances to the 6,183 labelled examples at its
NEIGHBOURS-th smallest. argpartition reads every entry of every row; here the caller gives only the
candidates (the examples that share a feature with the text: ~2% of them), and one integer sort
orders them.

The set of a row's k smallest is then the same as argpartition's, except where the k-th and the
next are equal: which of them argpartition keeps is its own choice, so such a row is reported as
tied and the caller cuts that row with argpartition as before. The order within a row's k is not
argpartition's (callers do not depend on it). Repeat grouping's nearest leaders (before session 33) were tried too:
there a third of the rows tie (copies of one text are equally near), and it saved 0.02 s of 0.3.
"""

from __future__ import annotations

import numpy as np


def smallest_per_row(row: np.ndarray, value: np.ndarray, rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(kept, tied) for candidate entries ``row[i]`` (0 <= row < ``rows``), ``value[i]`` (float32):
    the indices of the candidates that are their row's k smallest, in rows whose cut is not a tie;
    and for each row, True where its k-th and (k+1)-th smallest candidates are equal (none of that
    row's candidates is kept: argpartition decides it). Every entry of a row that is not a
    candidate must be larger than each of its candidates; a row with k candidates or fewer keeps them all."""
    bits = value.astype(np.float32).view(np.int32).astype(np.int64)
    ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF)  # a float's bits as an integer that orders as the float does (-0.0 before 0.0)
    order = np.argsort(row.astype(np.int64) << 32 | (ordered + 2**31), kind="stable")
    per_row = np.bincount(row, minlength=rows)
    starts = np.cumsum(per_row) - per_row
    rank = np.arange(len(order)) - np.repeat(starts, per_row)
    ranked = value[order]
    tied = np.zeros(rows, dtype=bool)
    more = per_row > k
    tied[more] = ranked[starts[more] + k - 1] == ranked[starts[more] + k]  # == : -0.0 and 0.0 tie, as argpartition sees them
    kept = order[(rank < k) & ~tied[row[order]]]
    return kept, tied
