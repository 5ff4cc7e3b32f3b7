"""Average linkage over scored pairs (dhr_etl/transform/linkage.py): the arithmetic worked out by
hand, a pair not given counting 0, ties, and agreement with SciPy's average linkage (UPGMA), an
independent implementation, on random complete score matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from dhr_etl.transform.linkage import average_linkage, joined_where_members_agree


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


@pytest.mark.parametrize("scored_share", [1.0, 0.5])
@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_scipy_average_linkage(seed: int, scored_share: float) -> None:
    """The groups are UPGMA's cut at 1 - threshold (SciPy's linkage, method "average", on the
    distance 1 - score), every pair scored or half of them (the rest given to SciPy as score 0).
    Scores are drawn so that no two merges tie."""
    rng = np.random.default_rng(seed)
    count = 30
    centres = rng.integers(0, 6, count)  # six hidden asks, so that groups form
    score = np.where(centres[:, None] == centres[None, :], rng.uniform(0.4, 1.0, (count, count)), rng.uniform(0.0, 0.5, (count, count)))
    score = np.triu(score * (rng.random((count, count)) < scored_share), 1)
    score = score + score.T
    a, b = np.triu_indices(count, 1)
    given = score[a, b] > 0
    threshold = 0.45
    ours = average_linkage(count, a[given], b[given], score[a, b][given], threshold)
    distance = 1.0 - score
    np.fill_diagonal(distance, 0.0)
    theirs = fcluster(linkage(squareform(distance, checks=False), method="average"), t=1.0 - threshold, criterion="distance")
    assert _partition(ours) == _partition(theirs)
    assert 1 < len(_partition(ours)) < count  # the case groups some items and not others
    assert all(min(members) == group for group, members in ((int(ours[min(m)]), m) for m in _partition(ours)))


def _joined(group: list[int], scored: dict[tuple[int, int], float], more: dict[tuple[int, int], float], members: int = 3,
            rounds: int = 20, precedence: list[int] | None = None,
            threshold: float = 0.4) -> tuple[list[int], list[tuple[int, int]]]:
    """joined_where_members_agree over ``scored`` pairs, ``more`` scoring the rest (items taken by
    number unless ``precedence`` is given); and the pairs it asked for."""
    asked: list[tuple[int, int]] = []

    def score_pairs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        asked.extend(zip(x.tolist(), y.tolist()))
        return np.array([more[(i, j)] for i, j in zip(x.tolist(), y.tolist())])

    pairs = list(scored)
    a, b = np.array([x for x, _ in pairs], dtype=np.int64), np.array([y for _, y in pairs], dtype=np.int64)
    rank = np.array(precedence if precedence is not None else range(len(group)), dtype=np.int64)
    out = joined_where_members_agree(np.array(group), a, b, np.array([scored[p] for p in pairs]), threshold, score_pairs,
                                     members, rounds, rank)
    return out.tolist(), asked


def test_pieces_whose_members_make_one_ask_on_average_are_joined() -> None:
    """{0, 1} and {2, 3}, linked by 1-2 scored 0.5: the other cross pairs are scored (each once,
    1-2 not again), and the mean (0.6 + 0.5 + 0.5 + 0.4) / 4 = 0.5 reaches 0.4: one group, named 0.
    With 0.1 and 0.2 for 0-2 and 0-3 the mean is (0.1 + 0.2 + 0.5 + 0.4) / 4 = 0.3: two."""
    scored = {(0, 1): 0.9, (2, 3): 0.9, (1, 2): 0.5}
    joined, asked = _joined([0, 0, 2, 2], scored, {(0, 2): 0.6, (0, 3): 0.5, (1, 3): 0.4})
    assert joined == [0, 0, 0, 0]
    assert sorted(asked) == [(0, 2), (0, 3), (1, 3)]
    apart, _ = _joined([0, 0, 2, 2], scored, {(0, 2): 0.1, (0, 3): 0.2, (1, 3): 0.4})
    assert apart == [0, 0, 2, 2]


def test_pieces_whose_scored_pairs_differ_on_average_are_not_scored_further() -> None:
    """{0, 1} and {2, 3} linked by 1-2 at 0.5 and 0-3 at 0.1: their scored pairs average 0.3, under
    0.4, so nothing more is asked and they stay apart."""
    joined, asked = _joined([0, 0, 2, 2], {(0, 1): 0.9, (2, 3): 0.9, (1, 2): 0.5, (0, 3): 0.1}, {})
    assert joined == [0, 0, 2, 2] and asked == []


def test_a_piece_joins_at_most_one_other_a_round() -> None:
    """Three pieces, each pair of them at 0.8 / 0.6 / 0.5 (0-1 / 0-2 / 1-2): the first round joins
    the closest, 0 and 1; the next joins 2 to them at (0.6 + 0.5) / 2 = 0.55. With one round, 2 stays apart."""
    scored = {(0, 1): 0.8, (0, 2): 0.6, (1, 2): 0.5}
    assert _joined([0, 1, 2], scored, {})[0] == [0, 0, 0]
    assert _joined([0, 1, 2], scored, {}, rounds=1)[0] == [0, 0, 2]


def test_the_members_compared_are_chosen_by_precedence_not_by_number() -> None:
    """{0, 1, 2} and {3}, linked by 2-3 at 0.9, one member compared: when item 2 comes first its
    pair with 3 (0.9) decides, and they join; when item 0 does, 0-3 (0.1) decides, and they do not."""
    scored = {(0, 1): 0.9, (1, 2): 0.9, (2, 3): 0.9, (0, 3): 0.0}
    more = {(0, 3): 0.1, (1, 3): 0.1}
    assert _joined([0, 0, 0, 3], scored, more, members=1, precedence=[5, 6, 1, 0])[0] == [0, 0, 0, 0]
    assert _joined([0, 0, 0, 3], scored, more, members=1, precedence=[1, 6, 5, 0])[0] == [0, 0, 0, 3]


def test_separate_pieces_join_in_the_same_round() -> None:
    assert _joined([0, 1, 2, 3], {(0, 1): 0.8, (2, 3): 0.7}, {}, rounds=1)[0] == [0, 0, 2, 2]


def test_a_mean_exactly_at_the_threshold_joins() -> None:
    """(0.75 + 0.25) / 2 = 0.5 exactly, at a threshold of 0.5."""
    joined, _ = _joined([0, 0, 2], {(0, 1): 1.0, (1, 2): 0.75}, {(0, 2): 0.25}, threshold=0.5)
    assert joined == [0, 0, 0]
