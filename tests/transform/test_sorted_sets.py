"""Integer sets as sorted arrays (dhr_etl/transform/sorted_sets.py): the same answers as numpy's
set functions, which repeat grouping no longer calls for their cost (see the module)."""

from __future__ import annotations

import numpy as np
import pytest

from dhr_etl.transform.linkage import pair_keys
from dhr_etl.transform.sorted_sets import contained, distinct, located, merged


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_distinct_is_what_numpy_unique_returns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = pair_keys(rng.integers(0, 300, 5_000), rng.integers(0, 300, 5_000), 300)  # many repeated pairs
    assert np.array_equal(distinct(keys), np.unique(keys))
    assert distinct(np.zeros(0, np.int64)).shape == (0,)


def test_contained_says_which_values_are_members() -> None:
    members = np.array([3, 7, 20, 41])
    assert contained(members, np.array([0, 3, 8, 41, 99, 20])).tolist() == [False, True, False, True, False, True]
    assert contained(np.zeros(0, np.int64), np.array([1, 2])).tolist() == [False, False]
    at, found = located(members, np.array([20, 5, 3]))
    assert at[found].tolist() == [2, 0] and found.tolist() == [True, False, True]


def test_merged_keys_ascend_and_keep_their_values() -> None:
    keys, values = np.array([2, 5, 9]), np.array([0.2, 0.5, 0.9])
    new_keys, new_values = np.array([1, 6, 7, 12]), np.array([0.1, 0.6, 0.7, 1.2])
    merged_keys, merged_values = merged(keys, values, new_keys, new_values)
    assert merged_keys.tolist() == [1, 2, 5, 6, 7, 9, 12]
    assert merged_values.tolist() == [0.1, 0.2, 0.5, 0.6, 0.7, 0.9, 1.2]
