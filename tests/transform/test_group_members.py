"""A recommendation joins a group only if it is, on average, the same ask as the leader and the
members it meets (dhr_etl/transform/repeats.py, MEMBERS_MET), whether those members were placed
in the same block of texts or in an earlier one."""

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

    def probability(prepared, a, b, model=None):  # noqa: ANN001, ARG001 - the same signature as the model's
        return np.array([fixed.get(frozenset((int(x), int(y))), 0.0) for x, y in zip(a, b)])

    monkeypatch.setattr(repeats, "same_ask_probability", probability)
    monkeypatch.setattr(repeats, "BLOCK", block)
    recs = pl.DataFrame({"review_id": ["r1", "r2", "r3"], "rec_position": [1, 1, 1],
                         "recommendation": [LEADER, MEMBER, NEWCOMER]}, schema_overrides={"rec_position": pl.Int32})
    groups = dict(repeats.group_repeats(recs, threshold=0.4).select("review_id", "repeat_group_key").iter_rows())
    return {review: groups.get(review) for review in ("r1", "r2", "r3")}


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
