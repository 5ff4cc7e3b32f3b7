"""Each row's k smallest, as argpartition keeps them, and each row's k largest, ties to the smaller
column (dhr_etl/transform/smallest.py)."""

from __future__ import annotations

import numpy as np

from dhr_etl.transform.smallest import largest_per_row, smallest_per_row


def test_each_row_keeps_the_set_argpartition_keeps_and_a_tie_at_the_cut_is_reported() -> None:
    rng = np.random.default_rng(5)
    rows, width, k = 400, 30, 8
    # Signed values, some rows with repeated values (ties), zeros of both signs.
    matrix = rng.choice(np.array([-0.75, -0.5, -0.0, 0.0, 0.25, 0.5], np.float32), (rows, width))
    matrix[: rows // 2] = rng.standard_normal((rows // 2, width)).astype(np.float32)
    row, column = np.nonzero(np.ones_like(matrix, dtype=bool))
    shuffled = rng.permutation(len(row))
    row, column = row[shuffled], column[shuffled]
    kept, tied = smallest_per_row(row, matrix[row, column], rows, k)
    top = np.argpartition(matrix, k - 1, axis=1)[:, :k]
    ordered = np.sort(matrix, axis=1)
    assert (tied == (ordered[:, k - 1] == ordered[:, k])).all()
    assert tied[rows // 2:].sum() > 50 and not tied[: rows // 2].any()  # both kinds of row are met
    for r in np.flatnonzero(~tied):
        assert sorted(column[kept][row[kept] == r].tolist()) == sorted(top[r].tolist())
    assert not np.isin(row[kept], np.flatnonzero(tied)).any()


def test_a_row_with_k_candidates_or_fewer_keeps_them_all() -> None:
    row = np.array([0, 0, 1, 1, 1, 1], np.int64)
    value = np.array([0.5, 0.1, 0.3, 0.2, 0.2, 0.9], np.float32)
    kept, tied = smallest_per_row(row, value, 3, 3)
    assert sorted(kept.tolist()) == [0, 1, 2, 3, 4]  # row 1: 0.2, 0.2, 0.3 (the 0.9 is fourth); row 2 has none
    assert not tied.any()


def test_each_row_keeps_its_k_largest_largest_first_and_a_tie_goes_to_the_smaller_column() -> None:
    rng = np.random.default_rng(11)
    for rows, width, k in ((300, 1_203, 16), (50, 17, 16), (40, 40, 3)):
        values = rng.standard_normal((rows, width)).astype(np.float32)
        # Half the rows drawn from a few values, so that many values tie at the cut; a row's own
        # column is -inf, as for the wording itself in repeat grouping.
        values[::2] = rng.choice(np.array([-1.0, 0.0, 0.25, 0.5, 0.75], np.float32), (len(values[::2]), width))
        values[np.arange(rows), np.arange(rows) % width] = -np.inf
        kept = largest_per_row(values, k)
        for r in range(rows):
            expected = sorted(range(width), key=lambda column: (-float(values[r, column]), column))[:k]
            assert kept[r].tolist() == expected, (rows, width, k, r)
