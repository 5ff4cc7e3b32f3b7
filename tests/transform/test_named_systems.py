"""The named systems of reference/named_systems.csv, as the theme rules read them: a system asked
to do something is an ask about technology, one merely written in is not."""

from __future__ import annotations

import re

import polars as pl
import pytest

from dhr_etl.transform.rules import named_systems_pattern, read_reference_csv
from dhr_etl.transform.themes import _rule_hits


def named(text: str) -> str | None:
    """The system name the rules' pattern finds in a text (read in lower case, as the rules read it)."""
    return pl.Series([text.lower()]).str.extract(rf"\b{named_systems_pattern()}\b", 0)[0]


def test_every_name_says_who_uses_it_and_where_that_is_described():
    rows = read_reference_csv("named_systems.csv")
    assert len(rows) > 40
    for row in rows:
        assert row["name"] == row["name"].strip().lower() and row["used_by"].strip(), row
        assert re.match(r"https://", row["source"]), row


@pytest.mark.parametrize("row", read_reference_csv("named_systems.csv"), ids=lambda row: row["name"])
def test_every_name_is_found_whole_in_any_case(row):
    name = row["name"]
    assert named(f"The service should set {name.upper()} to warn staff.") == name.upper().lower()
    assert named(f"Staff should use {name.title()}, then close the case.") == name


def test_a_name_inside_another_word_or_an_everyday_word_is_not_a_system():
    for text in ("The epicentre of the risk was the home.", "Medway Council should review its housing allocations.",
                 "A storm of calls followed.", "The victim's vision was impaired.", "Harbour staff should be trained."):
        assert named(text) is None, text


def test_a_hyphen_in_a_name_may_be_written_as_a_space_or_left_out():
    assert named("Unscheduled care should check CP-IS.") == "cp-is"
    assert named("Unscheduled care should check CP IS.") == "cp is"
    assert named("Unscheduled care should check CPIS.") == "cpis"


def test_a_named_system_asked_to_do_something_is_technology_and_one_written_in_is_not():
    texts = pl.Series([
        "Liquidlogic should alert the allocated social worker when a second police notification arrives within a month.",
        "The trust should configure Carenotes so that a safeguarding concern is visible to every clinician.",
        "Officers should write the victim's account into Niche before the end of their shift.",
        "Health visitors should ask about abuse at every contact.",
    ])
    technology = set(_rule_hits(texts).filter(pl.col("theme") == "technology systems")["doc"].to_list())
    assert technology == {0, 1}
