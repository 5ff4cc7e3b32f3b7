"""Repeat grouping joins wordings by average linkage (dhr_etl/transform/repeats.py, group_repeats;
dhr_etl/transform/linkage.py): a text is in a group only if it is, on average, the same ask as the
group's texts; two groups whose texts make one ask on average are one; which reviews come first
decides the groups' keys, not the groups. The same-ask probabilities are fixed by hand, so each test
states the arithmetic it relies on."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from dhr_etl.transform import repeats
from dhr_etl.transform.keys import stable_key

_WORDS_OF_READ = repeats._words_of_read
FIRST, SECOND, THIRD = ("Police should review their policy on protection notices.",
                        "Police should review their protection notice guidance.",
                        "Police should review how notices are served on weekends.")


def _grouped(monkeypatch: pytest.MonkeyPatch, texts: list[str], fixed: dict[frozenset[str], float], threshold: float,
             reviews: list[str] | None = None) -> dict[str, int | None]:
    """Each text's group key, by text (text i in review ``reviews[i]``, by default r1, r2, ...), the
    same-ask probabilities fixed by ``fixed`` (pairs of texts; 0 for any other pair)."""
    reviews = reviews or [f"r{i}" for i in range(1, len(texts) + 1)]

    def probability(prepared, a, b, model=None, threads=1):  # noqa: ANN001, ARG001 - the same signature as the model's
        return np.array([fixed.get(frozenset((read[int(x)], read[int(y)])), 0.0) for x, y in zip(a, b)])

    original = dict(zip(repeats.read_as_asked(pl.Series(texts, dtype=pl.String)).to_list(), texts))
    read = {}

    def words_of_read(wordings, copies=None):  # noqa: ANN001, ANN202 - records each wording's number
        read.update({i: original[w] for i, w in enumerate(wordings.to_list())})
        return _WORDS_OF_READ(wordings, copies)

    monkeypatch.setattr(repeats, "same_ask_probability", probability)
    monkeypatch.setattr(repeats, "_words_of_read", words_of_read)
    recs = pl.DataFrame({"review_id": reviews, "rec_position": [1] * len(texts), "recommendation": texts},
                        schema_overrides={"rec_position": pl.Int32})
    groups = dict(repeats.group_repeats(recs, threshold=threshold).select("review_id", "repeat_group_key").iter_rows())
    return {text: groups.get(review) for text, review in zip(texts, reviews)}


def test_a_text_like_one_member_but_not_the_other_stays_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """FIRST and SECOND (0.9) are one group; THIRD meets it at (0.5 + 0.1) / 2 = 0.3, under 0.4."""
    fixed = {frozenset((FIRST, SECOND)): 0.9, frozenset((FIRST, THIRD)): 0.5, frozenset((SECOND, THIRD)): 0.1}
    found = _grouped(monkeypatch, [FIRST, SECOND, THIRD], fixed, 0.4)
    assert found[FIRST] is not None and found[FIRST] == found[SECOND]
    assert found[THIRD] is None


def test_a_text_like_the_group_on_average_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mean of 0.5 and 0.6 is 0.55, over 0.4: THIRD joins."""
    fixed = {frozenset((FIRST, SECOND)): 0.9, frozenset((FIRST, THIRD)): 0.5, frozenset((SECOND, THIRD)): 0.6}
    found = _grouped(monkeypatch, [FIRST, SECOND, THIRD], fixed, 0.4)
    assert found[FIRST] is not None and found[FIRST] == found[SECOND] == found[THIRD]


# A and D make one ask (0.9); X and C make one (0.95); C is also like A (0.6), X not (0.3).
A, X, C, D = ("Children's services should audit how they record the voice of the child.",
              "Social workers should note what the child says at every visit.",
              "Children's social care should record the child's own words in each assessment.",
              "Children's services should check how well case files record the child's voice.")
LINKED = {frozenset((A, D)): 0.9, frozenset((A, X)): 0.3, frozenset((X, C)): 0.95, frozenset((A, C)): 0.6,
          frozenset((X, D)): 0.7, frozenset((C, D)): 0.8}


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))), ids=lambda o: "".join(map(str, o)))
def test_two_groups_whose_texts_make_one_ask_on_average_are_one_in_any_order(monkeypatch: pytest.MonkeyPatch,
                                                                             order: tuple[int, ...]) -> None:
    """Across {A, D} and {X, C} the mean is (0.3 + 0.6 + 0.7 + 0.8) / 4 = 0.6, over 0.4: one group,
    whichever review comes first, and its key is the first review's."""
    reviews = [f"r{order[i]}" for i in range(4)]
    found = _grouped(monkeypatch, [A, X, C, D], LINKED, 0.4, reviews)
    assert len(set(found.values())) == 1 and found[A] is not None
    assert found[A] == stable_key("repeat", "r0", 1)  # the key is the first review's recommendation's


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))), ids=lambda o: "".join(map(str, o)))
def test_two_groups_that_differ_on_average_stay_apart_in_any_order(monkeypatch: pytest.MonkeyPatch,
                                                                   order: tuple[int, ...]) -> None:
    """With X-D 0.1 and C-D 0.5 the mean is (0.3 + 0.6 + 0.1 + 0.5) / 4 = 0.375, under 0.4: {A, D}
    and {X, C}, though C-A alone reaches the threshold, whichever review comes first."""
    fixed = {**LINKED, frozenset((X, D)): 0.1, frozenset((C, D)): 0.5}
    found = _grouped(monkeypatch, [A, X, C, D], fixed, 0.4, [f"r{order[i]}" for i in range(4)])
    assert found[A] == found[D] != found[X] == found[C]
    assert found[A] is not None and found[X] is not None


def test_a_group_keeps_its_key_when_a_later_review_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = {frozenset((FIRST, SECOND)): 0.9, frozenset((FIRST, THIRD)): 0.8, frozenset((SECOND, THIRD)): 0.7}
    before = _grouped(monkeypatch, [FIRST, SECOND], fixed, 0.4)
    after = _grouped(monkeypatch, [FIRST, SECOND, THIRD], fixed, 0.4)
    assert before[FIRST] is not None and after[FIRST] == after[THIRD] == before[FIRST]


FAMILY = [f"Police should give every {role} a written note of the {kind} policy before their first shift."
          for role in ("call handler", "response officer", "detective", "custody sergeant", "PCSO", "inspector",
                       "firearms officer", "dispatcher")
          for kind in ("domestic abuse", "stalking", "coercive control", "strangulation", "honour abuse")]


def test_a_family_larger_than_the_pairs_scored_stays_one_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty wordings of one ask, every pair at 0.9. Each is scored against only its NEIGHBOURS
    nearest, so average linkage, counting the rest as 0, leaves the family in pieces; the pieces'
    first members, scored against each other at 0.9, are joined into one group."""
    assert len(set(FAMILY)) == 40 and repeats.NEIGHBOURS < 39
    every_pair = {frozenset(pair): 0.9 for pair in itertools.combinations(FAMILY, 2)}
    found = _grouped(monkeypatch, FAMILY, every_pair, 0.35)
    assert None not in found.values() and len(set(found.values())) == 1
    monkeypatch.setattr(repeats, "joined_where_members_agree", lambda group, *_: group)  # average linkage alone
    pieces = _grouped(monkeypatch, FAMILY, every_pair, 0.35)
    assert len(set(pieces.values())) > 1
