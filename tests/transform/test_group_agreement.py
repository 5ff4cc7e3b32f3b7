"""A group's agreement (``repeat_agreement``): how sure the same-ask model is of a group as a whole,
so that a reader of v_repeated_recommendations can keep to the groups it is surest of."""

from __future__ import annotations

import numpy as np

from dhr_etl.transform.repeats import group_agreement, group_repeats
from tests.transform.test_repeat_overrides import COPY, OTHER, OVERRIDES, _library  # noqa: F401 - OVERRIDES: conftest's overrides_file reads it here
from tests.transform.test_themes_dev import FIXTURES, cluster_pairs
READ_CLUSTER_SETS = tuple(f"themes_dev{n}" for n in range(166, 174))
"""Pair-blind sets whose clusters files were read in choosing settings (never trained on): the
same-ask model has not learned their labels, and nothing here was tuned on their agreement."""


def test_agreement_is_the_mean_of_the_scored_pairs_inside_each_group() -> None:
    # wordings 0-1 one group, 2-4 another, 5 and 6 a group whose pair was never scored, 7 alone
    group = np.array([0, 0, 2, 2, 2, 5, 5, 7])
    a, b = np.array([0, 2, 3, 0, 4]), np.array([1, 3, 4, 2, 7])
    probability = np.array([0.6, 0.5, 0.8, 0.2, 0.9])  # the last two pairs cross groups and do not count
    assert group_agreement(group, a, b, probability) == [0.6, 0.6, 0.65, 0.65, 0.65, None, None, 1.0]
    # a pair whose score is not a number (a text the model could not read) is left out of the mean
    assert group_agreement(group, np.r_[a, 1], np.r_[b, 0], np.r_[probability, np.nan])[:2] == [0.6, 0.6]


def test_copies_of_one_wording_in_two_reviews_agree_fully() -> None:
    grouped = group_repeats(_library(COPY, "Recommendation 4: " + COPY, OTHER))
    assert sorted(grouped["review_id"]) == ["r1", "r2"]
    assert grouped["repeat_agreement"].to_list() == [1.0, 1.0]


def test_a_group_named_in_the_override_file_has_no_agreement(overrides_file) -> None:  # noqa: ANN001
    overrides_file("r1,R1,gp and housing\nr2,R1,gp and housing\n")
    grouped = group_repeats(_library(COPY, OTHER))
    assert sorted(grouped["review_id"]) == ["r1", "r2"]
    assert grouped["repeat_agreement"].to_list() == [None, None]  # the user's group, not the model's


def test_groups_the_model_agrees_on_are_more_often_one_ask() -> None:
    """On labelled clusters (rewordings of one ask from different reviews, and their hard negatives),
    the grouped pairs of groups with agreement 0.7 or more are the same ask far more often than those
    of groups under 0.5: the column ranks groups by how far they can be trusted."""
    counts = {"high": [0, 0], "low": [0, 0]}  # band -> [same ask, grouped]
    for name in READ_CLUSTER_SETS:
        for truth, found, agreement in cluster_pairs(True, "clusters_holdout.csv", FIXTURES / name):
            band = None if not found else "high" if agreement >= 0.7 else "low" if agreement < 0.5 else None
            if band:
                counts[band][0] += truth
                counts[band][1] += 1
    high, low = counts["high"][0] / counts["high"][1], counts["low"][0] / counts["low"][1]
    print(f"\ngrouped pairs the same ask: agreement >= 0.7 {high:.2f} of {counts['high'][1]}, < 0.5 {low:.2f} of {counts['low'][1]}")
    assert counts["high"][1] >= 50 and counts["low"][1] >= 50
    assert high >= 0.6 and high - low >= 0.3
