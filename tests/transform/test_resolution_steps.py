"""The resolution steps return their joins: a step changes none of what it is given, and the
composer's replay of its joins gives the clusters the step saw."""

from __future__ import annotations

import copy

import pytest

from dhr_etl.transform.catalogue import Catalogue
from dhr_etl.transform.resolution.acronyms import join_acronyms
from dhr_etl.transform.resolution.clusters import Clusters, Merge
from dhr_etl.transform.resolution.fuzzy import join_fuzzy
from dhr_etl.transform.resolution.run_together import join_run_together
from dhr_etl.transform.resolution.spellings import by_match_key, distinct_names
from tests.transform.resolution_helpers import one_per_review

PRINTED = ["Safe Lives", "SafeLives", "Coventry and Warwickshire Partnership NHS Trust", "CWPT",
           "Birmingham Womens Aid", "Birmingam Womens Aid", "Kent Police"]


def state(clusters: Clusters) -> tuple:
    return ({key: clusters.find(key) for key in clusters.parent}, copy.deepcopy(clusters.members), dict(clusters.body))


@pytest.fixture
def spellings() -> tuple:
    """(addressees, spellings by match key, clusters of those keys)."""
    frame = one_per_review(PRINTED)
    by_key = by_match_key(distinct_names(frame["addressed_as"], Catalogue()))
    return frame, by_key, Clusters(by_key, set())


def test_each_step_returns_its_joins_and_changes_nothing_it_was_given(spellings) -> None:  # noqa: ANN001
    frame, by_key, clusters = spellings
    before, by_key_before = state(clusters), copy.deepcopy(by_key)
    together = join_run_together(clusters, by_key, {})
    letters, _ = join_acronyms(clusters, by_key, frame, None)
    near = join_fuzzy(clusters, by_key)
    assert state(clusters) == before and by_key == by_key_before
    assert [(m.key, m.other) for m in together.merges] == [("safe lives", "safelives")]
    assert together.methods == {"safelives": ("rule", 1.0)}
    assert [m.key for m in letters.merges] == ["cwpt"] and letters.methods["cwpt"][0] == "acronym"
    assert [(m.key, m.other) for m in near.merges] == [("birmingam womens aid", "birmingham womens aid")]
    assert near.methods["birmingam womens aid"][0] == "fuzzy"


def test_applying_a_steps_joins_joins_those_names_only(spellings) -> None:  # noqa: ANN001
    _, by_key, clusters = spellings
    clusters.apply(join_run_together(clusters, by_key, {}).merges)
    assert clusters.find("safe lives") == clusters.find("safelives")
    assert clusters.find("kent police") != clusters.find("safe lives")


def test_a_join_that_no_longer_applies_is_a_bug_not_data() -> None:
    clusters = Clusters(["kent police", "kent policy unit"], {frozenset(("kent police", "kent policy unit"))})
    with pytest.raises(AssertionError, match="no longer applies"):
        clusters.apply([Merge("kent police", other="kent policy unit")])
