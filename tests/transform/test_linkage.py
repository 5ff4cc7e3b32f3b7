"""Average linkage over scored pairs (dhr_etl/transform/linkage.py): the arithmetic worked out by
hand, a pair not given counting 0, ties, and agreement with SciPy's average linkage (UPGMA), an
independent implementation, on random complete score matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from dhr_etl.transform.linkage import average_linkage


def _groups(count: int, scores: dict[tuple[int, int], float], threshold: float) -> list[int]:
    pairs = list(scores)
    a = np.array([x for x, _ in pairs], dtype=np.int64)
    b = np.array([y for _, y in pairs], dtype=np.int64)
    return average_linkage(count, a, b, np.array([scores[p] for p in pairs]), threshold).tolist()


def test_the_strongest_pair_joins_first_and_a_third_item_needs_the_mean() -> None:
    """0-1 at 0.9 join first; 2 meets the pair at (0.5 + 0.1) / 2 = 0.3, under 0.4: it stays alone.
    With 1-2 at 0.6 the mean is 0.55: it joins."""
    assert _groups(3, {(0, 1): 0.9, (0, 2): 0.5, (1, 2): 0.1}, 0.4) == [0, 0, 2]
    assert _groups(3, {(0, 1): 0.9, (0, 2): 0.5, (1, 2): 0.6}, 0.4) == [0, 0, 0]


def test_a_pair_not_given_counts_zero() -> None:
    """0-1 at 0.9 join; 2 meets them at (0.8 + 0) / 2 = 0.4 when 0-2 is not scored, at
    (0.8 + 0.7) / 2 = 0.75 when it is."""
    assert _groups(3, {(0, 1): 0.9, (1, 2): 0.8}, 0.5) == [0, 0, 2]
    assert _groups(3, {(0, 1): 0.9, (1, 2): 0.8}, 0.4) == [0, 0, 0]
    assert _groups(3, {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.7}, 0.5) == [0, 0, 0]


def test_on_a_tie_the_smaller_items_join_first_and_name_the_group() -> None:
    """0-1 and 1-2 both 0.9 (0-2 not given): 0-1 join first; 2 then meets them at 0.45, under 0.5."""
    assert _groups(3, {(1, 2): 0.9, (0, 1): 0.9}, 0.5) == [0, 0, 2]


def test_two_groups_join_when_their_items_make_one_ask_on_average() -> None:
    """1-2 (0.95) and 0-3 (0.9) join first; across the two groups the mean is
    (0.3 + 0.6 + 0.7 + 0.8) / 4 = 0.6, over 0.4: one group, named by its smallest item. With 1-3 at
    0.1 and 2-3 at 0.5 the mean is 0.375: two groups, though 0-2 alone reaches 0.4."""
    scores = {(0, 3): 0.9, (0, 1): 0.3, (1, 2): 0.95, (0, 2): 0.6, (1, 3): 0.7, (2, 3): 0.8}
    assert _groups(4, scores, 0.4) == [0, 0, 0, 0]
    scores.update({(1, 3): 0.1, (2, 3): 0.5})
    assert _groups(4, scores, 0.4) == [0, 1, 1, 0]


def test_the_order_of_the_pairs_does_not_matter() -> None:
    scores = {(0, 3): 0.9, (0, 1): 0.3, (1, 2): 0.95, (0, 2): 0.6, (1, 3): 0.1, (2, 3): 0.5, (3, 4): 0.45}
    expected = _groups(5, scores, 0.4)
    for order in itertools.permutations(scores):
        assert _groups(5, {pair: scores[pair] for pair in order}, 0.4) == expected


def _partition(groups: list[int] | np.ndarray) -> set[frozenset[int]]:
    members: dict[int, set[int]] = {}
    for item, group in enumerate(groups):
        members.setdefault(int(group), set()).add(item)
    return {frozenset(m) for m in members.values()}


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_scipy_average_linkage_on_complete_scores(seed: int) -> None:
    """Every pair scored: the groups are UPGMA's cut at 1 - threshold (SciPy's linkage, method
    "average", on the distance 1 - score). Scores are drawn so that no two merges tie."""
    rng = np.random.default_rng(seed)
    count = 30
    centres = rng.integers(0, 6, count)  # six hidden asks, so that groups form
    score = np.where(centres[:, None] == centres[None, :], rng.uniform(0.4, 1.0, (count, count)), rng.uniform(0.0, 0.5, (count, count)))
    score = np.triu(score, 1)
    score = score + score.T
    a, b = np.triu_indices(count, 1)
    threshold = 0.45
    ours = average_linkage(count, a, b, score[a, b], threshold)
    distance = 1.0 - score
    np.fill_diagonal(distance, 0.0)
    theirs = fcluster(linkage(squareform(distance, checks=False), method="average"), t=1.0 - threshold, criterion="distance")
    assert _partition(ours) == _partition(theirs)
    assert 1 < len(_partition(ours)) < count  # the case groups some items and not others
    assert all(min(members) == group for group, members in ((int(ours[min(m)]), m) for m in _partition(ours)))
