"""Texts read with concepts (text.with_concepts), whose last answer is given again for the same texts."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.text import with_concepts


def words(series: pl.Series) -> list[list[str]]:
    return [text.split() for text in series.to_list()]


def test_concepts_and_the_actor_mark_replace_their_phrases() -> None:
    found = with_concepts(pl.Series("recommendation", ["Police should review the policy on DV", None]))
    assert words(found) == [["c_police", "c_actor", "review", "the", "c_policy", "on", "c_domestic_abuse"], []]


def test_the_same_texts_again_get_the_same_answer_under_their_own_name() -> None:
    texts = ["Review the policy on housing", "GPs should ask about domestic abuse"]
    first = with_concepts(pl.Series("recommendation", texts))
    again = with_concepts(pl.Series("text", texts))
    assert again.name == "text"
    assert again.to_list() == first.to_list()


def test_other_texts_of_the_same_length_get_their_own_answer() -> None:
    """The answer kept for the last texts is never given for others, even one word apart."""
    with_concepts(pl.Series("recommendation", ["Review the policy on housing", "Train staff"]))
    other = with_concepts(pl.Series("recommendation", ["Review the policy on firearms", "Train staff"]))
    assert "c_firearms" in words(other)[0]
    assert "c_housing" not in words(other)[0]
    assert words(with_concepts(pl.Series("recommendation", ["Review the policy on housing", "Train staff"])))[0][-1] == "c_housing"
