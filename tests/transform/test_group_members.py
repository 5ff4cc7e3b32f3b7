"""A recommendation joins a group only if it is, on average, the same ask as the leader and the
members it meets (dhr_etl/transform/repeats.py, MEMBERS_MET), whether those members were placed
in the same block of texts or in an earlier one; one that joins through a member is checked against
the leader afterwards; and two groups whose members make one ask on average are merged (MERGE_AT).
The same-ask probabilities are fixed by hand, so each test states the arithmetic it relies on."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from dhr_etl.transform import repeats

LEADER, MEMBER, NEWCOMER = ("Police should review their policy on protection notices.",
                            "Police should review their protection notice guidance.",
                            "Police should review how notices are served on weekends.")


def _group_with(monkeypatch: pytest.MonkeyPatch, newcomer_with_member: float, block: int) -> dict[str, int | None]:
    """Groups the three texts (three reviews, in this order) with the same-ask probabilities fixed:
    leader-member 0.9, leader-newcomer 0.5 (over the threshold alone), member-newcomer as given."""
    fixed = {frozenset((0, 1)): 0.9, frozenset((0, 2)): 0.5, frozenset((1, 2)): newcomer_with_member}
    found = _grouped(monkeypatch, [LEADER, MEMBER, NEWCOMER], fixed, 0.4, block)
    return dict(zip(("r1", "r2", "r3"), found))


@pytest.mark.parametrize("block", [1024, 1], ids=["one block", "a block each"])
def test_a_text_like_the_leader_but_not_like_its_member_stays_out(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Mean of 0.5 (leader) and 0.1 (member) is 0.3, under 0.4: the newcomer is not in the group."""
    found = _group_with(monkeypatch, 0.1, block)
    assert found["r1"] is not None and found["r1"] == found["r2"]
    assert found["r3"] is None


@pytest.mark.parametrize("block", [1024, 1], ids=["one block", "a block each"])
def test_a_text_like_the_leader_and_its_member_joins(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Mean of 0.5 and 0.6 is 0.55: the newcomer joins the leader's group."""
    found = _group_with(monkeypatch, 0.6, block)
    assert found["r1"] is not None and found["r1"] == found["r2"] == found["r3"]


def _grouped(monkeypatch: pytest.MonkeyPatch, texts: list[str], fixed: dict[frozenset[int], float], threshold: float,
             block: int = 1024, candidates: int | None = None) -> list[int | None]:
    """Each text's group key (one review each, in this order), the same-ask probabilities fixed by
    ``fixed`` (pairs of text numbers; 0 for any other pair)."""
    def probability(prepared, a, b, model=None):  # noqa: ANN001, ARG001 - the same signature as the model's
        return np.array([fixed.get(frozenset((int(x), int(y))), 0.0) for x, y in zip(a, b)])

    monkeypatch.setattr(repeats, "same_ask_probability", probability)
    monkeypatch.setattr(repeats, "BLOCK", block)
    if candidates is not None:
        monkeypatch.setattr(repeats, "CANDIDATES", candidates)
    reviews = [f"r{i}" for i in range(1, len(texts) + 1)]
    recs = pl.DataFrame({"review_id": reviews, "rec_position": [1] * len(texts), "recommendation": texts},
                        schema_overrides={"rec_position": pl.Int32})
    groups = dict(repeats.group_repeats(recs, threshold=threshold).select("review_id", "repeat_group_key").iter_rows())
    return [groups.get(review) for review in reviews]


# A and D make one ask (0.9); X is not A's ask (0.3) and leads its own group; C is nearer X (0.95)
# than A (0.6), so it joins X. The two groups, {A, D} and {X, C}, are linked by C-A at the threshold.
A, X, C, D = ("Children's services should audit how they record the voice of the child.",
              "Social workers should note what the child says at every visit.",
              "Children's social care should record the child's own words in each assessment.",
              "Children's services should check how well case files record the child's voice.")


@pytest.mark.parametrize("block", [1024, 1], ids=["one block", "a block each"])
def test_two_groups_whose_members_make_one_ask_on_average_are_merged(monkeypatch: pytest.MonkeyPatch,
                                                                      block: int) -> None:
    """Across the two groups the mean is (0.3 + 0.6 + 0.7 + 0.8) / 4 = 0.6, over MERGE_AT (0.4):
    one group, under the earlier leader's key (A's)."""
    fixed = {frozenset((0, 3)): 0.9, frozenset((0, 1)): 0.3, frozenset((1, 2)): 0.95, frozenset((0, 2)): 0.6,
             frozenset((1, 3)): 0.7, frozenset((2, 3)): 0.8}
    unmerged = _grouped(monkeypatch, [A, X, C, D], fixed, 0.4, block)
    assert len(set(unmerged)) == 1 and unmerged[0] is not None
    monkeypatch.setattr(repeats, "MERGE_AT", 2.0)  # never merges: the placement alone made two groups
    placed = _grouped(monkeypatch, [A, X, C, D], fixed, 0.4, block)
    assert placed[0] == placed[3] != placed[1] == placed[2]
    assert unmerged[0] == placed[0]  # the merged group keeps the earlier leader's key


def test_two_groups_that_differ_on_average_stay_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mean (0.3 + 0.6 + 0.1 + 0.5) / 4 = 0.375, under MERGE_AT (0.4): two groups, though C-A reaches the threshold."""
    assert repeats.MERGE_AT == 0.4
    fixed = {frozenset((0, 3)): 0.9, frozenset((0, 1)): 0.3, frozenset((1, 2)): 0.95, frozenset((0, 2)): 0.6,
             frozenset((1, 3)): 0.1, frozenset((2, 3)): 0.5}
    found = _grouped(monkeypatch, [A, X, C, D], fixed, 0.4)
    assert found[0] == found[3] != found[1] == found[2]


# L leads; M, like L (0.9), joins it. N nearly copies M and, meeting only its one nearest text in
# meaning (CANDIDATES = 1: M), would join through M (0.85, over MEMBER_JOIN) without meeting L.
L, M, N = ("Officers must attend every MARAC meeting held in their district.",
           "Police should review their protection notice guidance.",
           "Police should review their protection notice guidance every year.")


def test_a_text_that_joins_through_a_member_is_checked_against_the_leader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scored with L afterwards (0.0), N's mean is (0.85 + 0.0) / 2 = 0.425, under 0.5: N leads its own
    group when placed. (Merging, tested above, would then join the two groups at 0.425, over MERGE_AT,
    0.4: merging may bring back a text this check left out, as the two rules average over different
    texts; repeats.MERGE_AT says so.)"""
    monkeypatch.setattr(repeats, "MERGE_AT", 2.0)  # the placement alone
    found = _grouped(monkeypatch, [L, M, N], {frozenset((0, 1)): 0.9, frozenset((1, 2)): 0.85}, 0.5, candidates=1)
    assert found[0] is not None and found[0] == found[1]
    assert found[2] is None


def test_a_text_that_joins_through_a_member_and_fits_the_leader_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    """With L at 0.6, N's mean is (0.85 + 0.6) / 2 = 0.725: N stays in the group."""
    found = _grouped(monkeypatch, [L, M, N], {frozenset((0, 1)): 0.9, frozenset((1, 2)): 0.85, frozenset((0, 2)): 0.6},
                     0.5, candidates=1)
    assert found[0] is not None and found[0] == found[1] == found[2]
