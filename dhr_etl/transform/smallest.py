"""Each row's k smallest entries, as ``np.argpartition`` would keep them, without partitioning
whole rows; and each row's k largest, ties to the smaller column (:func:`largest_per_row`).

The theme examples' vote cuts each text's row of distances to the 6,183 labelled examples at its
NEIGHBOURS-th smallest. argpartition reads every entry of every row; here the caller gives only the
candidates (the examples that share a feature with the text: ~2% of them), and one integer sort
orders them.

The set of a row's k smallest is then the same as argpartition's, except where the k-th and the
next are equal: which of them argpartition keeps is its own choice, so such a row is reported as
tied and the caller cuts that row with argpartition as before. The order within a row's k is not
argpartition's (callers do not depend on it). Repeat grouping's nearest leaders (before session 33) were tried too:
there a third of the rows tie (copies of one text are equally near), and it saved 0.02 s of 0.3.
Repeat grouping's candidates (each wording's nearest in meaning) are cut by :func:`largest_per_row`
instead, whose rule for a tie is its own and stated: no row is handed back.
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


LARGEST_CHUNK = 500
"""The values :func:`largest_per_row` takes the maximum of at a time (at most)."""


def largest_per_row(values: np.ndarray, k: int) -> np.ndarray:
    """(rows, k): the columns of each row's ``k`` largest values, largest first, a tie to the
    smaller column (``k`` at most the row's width, and each row with ``k`` values above -inf).

    Each row is cut into runs of up to LARGEST_CHUNK values; the k-th largest of the runs' maxima
    is at most the row's k-th largest value (k different values reach it), so only values at
    least as large can be among the k, and few are (~17 a row of 50,000 cosines). Those few are
    sorted. Over the 602 blocks of cosines of 50,000 labelled wordings (bench/classify_scaling.py
    --labelled), argpartition over each whole row took 6.3 s of one core, this 2.7 s, and finding
    every wording's nearest 9.4-10.2 s on two threads, then 7.2-7.7 s. argpartition also left a tie
    at the k-th value to the order its selection happened to take (9% of the rows of 50,000 labelled
    wordings tie there: wordings whose meaning vectors are the same), where here the rule is stated.
    Used for repeat grouping's candidates (:func:`dhr_etl.transform.repeats._nearest_in_meaning`)."""
    rows, width = values.shape
    size = max(1, min(LARGEST_CHUNK, width // k))  # at least k runs
    whole = width - width % size
    maxima = values[:, :whole].reshape(rows, whole // size, size).max(axis=2)
    if whole < width:
        maxima = np.concatenate([maxima, values[:, whole:].max(axis=1, keepdims=True)], axis=1)
    floor = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
    row, column = np.divmod(np.flatnonzero(values >= floor[:, None]), width)  # (np.nonzero of the 2-d mask: 14 times as long)
    order = np.lexsort((column, -values[row, column], row))
    row, column = row[order], column[order]
    rank = np.arange(len(row)) - np.searchsorted(row, row)  # each value's place in its row
    return column[rank < k].reshape(rows, k)
