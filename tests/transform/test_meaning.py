"""The meaning vectors' sums are those the models were fitted on, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from dhr_etl.transform.meaning import sum_rows


@pytest.mark.parametrize("most_rows_per_group", [1, 7, 8, 9, 40, 128, 129, 300])
def test_sum_rows_is_bit_for_bit_reduceat(most_rows_per_group: int) -> None:
    """Every length of segment numpy sums differently (under 8, up to 128, beyond: halves), in
    order and out of order: the same float32 bits as np.add.reduceat over the sorted rows."""
    rng = np.random.default_rng(most_rows_per_group)
    lengths = rng.integers(1, most_rows_per_group + 1, size=60)
    lengths[0] = most_rows_per_group
    index = np.repeat(np.arange(0, 120, 2), lengths)  # every other group empty
    rng.shuffle(index)
    rows = (rng.standard_normal((len(index), 16)) * 10 ** rng.uniform(-3, 3, (len(index), 1))).astype(np.float32)

    order = np.argsort(index, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(index[order]) != 0])
    expected = np.zeros((121, 16), np.float32)
    expected[index[order][starts]] = np.add.reduceat(rows[order], starts, axis=0)

    found = sum_rows(index, rows, 121)
    assert found.dtype == np.float32
    assert np.array_equal(found.view(np.int32), expected.view(np.int32))
    assert not found[1::2].any()


def test_sum_rows_of_nothing_is_zeros() -> None:
    assert not sum_rows(np.zeros(0, np.int64), np.zeros((0, 4), np.float32), 3).any()


def test_sum_rows_of_taken_rows_times_their_occurrences_is_the_sum_of_the_gathered_rows() -> None:
    """``take`` and ``times`` (how text vectors are summed from a vocabulary's word vectors) give
    the bits of gathering ``rows[take] * times`` first and summing that."""
    rng = np.random.default_rng(5)
    vocabulary = rng.standard_normal((50, 8)).astype(np.float32)
    index = np.sort(rng.integers(0, 30, 400))
    take = rng.integers(0, 50, 400)
    times = rng.integers(1, 4, 400)
    gathered = vocabulary[take] * times[:, None].astype(np.float32)

    found = sum_rows(index, vocabulary, 30, take=take, times=times)

    assert np.array_equal(found.view(np.int32), sum_rows(index, gathered, 30).view(np.int32))
    assert np.allclose(found[index[0]], gathered[index == index[0]].sum(axis=0), rtol=1e-5)
