"""A user's corrections to repeat grouping (reference/repeat_overrides.csv) win over the model.

Each test writes its own overrides file into a copy of the reference files (conftest's
overrides_file); the grouping is the real one (the trained same-ask model), so each test first
shows what the model does without the file."""

from __future__ import annotations

import logging

import polars as pl
import pytest

from dhr_etl.transform import repeat_overrides
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.repeats import group_repeats
from dhr_etl.transform.rules import ReferenceDataError

COPY = "GP practices should ask about domestic abuse when a patient is seen alone."
OTHER = "The council should publish its housing allocation policy in Welsh and English."
UNRELATED = "Probation should check police call-out records before a licence recall hearing."
OVERRIDES = (repeat_overrides.OVERRIDES_FILE, "review_id,rec_label,group")
"""The file these tests write (conftest's overrides_file) and its header."""


def _library(*texts: str) -> pl.DataFrame:
    """Text i as recommendation "R1" of review r{i+1}."""
    return pl.DataFrame({"review_id": [f"r{i}" for i in range(1, len(texts) + 1)], "rec_position": [1] * len(texts),
                         "rec_label": ["R1"] * len(texts), "recommendation": list(texts)},
                        schema_overrides={"rec_position": pl.Int32})


def _groups(recs: pl.DataFrame) -> dict[str, tuple[int, str]]:
    """review id → (group key, label), for the recommendations in a group."""
    return {review: (key, label) for review, key, label in group_repeats(recs).select(
        "review_id", "repeat_group_key", "repeat_label").iter_rows()}


def test_two_asks_listed_under_one_name_are_one_group_with_that_label(overrides_file) -> None:  # noqa: ANN001
    recs = _library(COPY, OTHER)
    assert _groups(recs) == {}  # the model keeps them apart
    overrides_file("r2,R1,gp and housing\nr1,R1,gp and housing\n")
    found = _groups(recs)
    assert set(found) == {"r1", "r2"}
    assert found["r1"] == found["r2"] == (stable_key("repeat", "r1", 1), "gp and housing")  # the earliest member's key


def test_a_missed_recommendation_listed_beside_one_member_joins_the_whole_group(overrides_file) -> None:  # noqa: ANN001
    recs = _library(COPY, COPY, OTHER)
    before = _groups(recs)
    assert set(before) == {"r1", "r2"} and before["r1"][0] == stable_key("repeat", "r1", 1)
    overrides_file("r3,R1,seen alone\nr2,R1,seen alone\n")  # r1 is not listed: it comes with r2's group
    found = _groups(recs)
    assert set(found) == {"r1", "r2", "r3"}
    assert {value for value in found.values()} == {(stable_key("repeat", "r1", 1), "seen alone")}  # its key kept


def test_kept_out_wins_over_a_name(overrides_file) -> None:  # noqa: ANN001
    recs = _library(COPY, COPY, COPY, UNRELATED)
    assert set(_groups(recs)) == {"r1", "r2", "r3"}
    overrides_file("r2,R1,\nr2,R1,joined\nr4,R1,joined\n")
    found = _groups(recs)
    # r2 is in no group, and the name brings nothing through it: r4 stays alone
    assert set(found) == {"r1", "r3"} and found["r1"] == found["r3"]


def test_a_file_without_the_group_column_keeps_what_it_lists_out(overrides_file) -> None:  # noqa: ANN001
    overrides_file("r2,R1\n", header="review_id,rec_label")
    found = _groups(_library(COPY, COPY, COPY))
    assert set(found) == {"r1", "r3"} and found["r1"] == found["r3"]


def test_a_row_naming_no_recommendation_changes_nothing_and_is_reported(overrides_file,  # noqa: ANN001
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    recs = _library(COPY, COPY, OTHER)
    before = _groups(recs)
    overrides_file("r9,R4,some name\n")
    with caplog.at_level(logging.WARNING, logger=repeat_overrides.__name__):
        assert _groups(recs) == before
    assert "name no recommendation" in caplog.text and "r9" in caplog.text


def test_two_names_reaching_one_group_make_one_group_labelled_by_the_first_name(overrides_file) -> None:  # noqa: ANN001
    recs = _library(COPY, COPY, OTHER, UNRELATED)
    overrides_file("r3,R1,housing first\nr1,R1,housing first\nr4,R1,probation second\nr2,R1,probation second\n")
    found = _groups(recs)
    assert set(found) == {"r1", "r2", "r3", "r4"}
    assert set(found.values()) == {(stable_key("repeat", "r1", 1), "housing first")}


def test_a_name_within_one_review_makes_no_repeat(overrides_file) -> None:  # noqa: ANN001
    recs = pl.DataFrame({"review_id": ["r1", "r1"], "rec_position": [1, 2], "rec_label": ["R1", "R2"],
                         "recommendation": [COPY, OTHER]}, schema_overrides={"rec_position": pl.Int32})
    overrides_file("r1,R1,one review\nr1,R2,one review\n")
    assert _groups(recs) == {}  # a repeat spans reviews


def test_a_kept_out_row_naming_nothing_is_reported_too(overrides_file, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    overrides_file("r1,R9,\n")
    with caplog.at_level(logging.WARNING, logger=repeat_overrides.__name__):
        assert set(_groups(_library(COPY, COPY))) == {"r1", "r2"}
    assert "name no recommendation" in caplog.text and "R9" in caplog.text


@pytest.mark.parametrize("header", ["review_id,rec_label,Group", "review,rec_label,group", "review_id,label"])
def test_a_file_whose_columns_are_not_the_ones_read_is_refused(overrides_file, header: str) -> None:  # noqa: ANN001
    """Read loosely, a misspelt "group" would turn every join into a keep-out without a word."""
    for body in ("r1,R1,together\n", ""):  # a header alone is read too
        overrides_file(body, header=header)
        with pytest.raises(ReferenceDataError, match="repeat_overrides.csv: the columns are .* it takes review_id, rec_label"):
            group_repeats(_library(COPY, COPY))


def test_a_name_with_an_unquoted_comma_is_refused_and_a_quoted_one_is_read(overrides_file) -> None:  # noqa: ANN001
    overrides_file("r1,R1,gp, housing\nr2,R1,gp, housing\n")
    with pytest.raises(ReferenceDataError, match="data row 1: more cells than columns; .*double quotes"):
        group_repeats(_library(COPY, OTHER))
    overrides_file('r1,R1,"gp, housing"\nr2,R1,"gp, housing"\n')
    assert {label for _, label in _groups(_library(COPY, OTHER)).values()} == {"gp, housing"}


def test_a_file_saved_with_a_byte_order_mark_is_read(overrides_file) -> None:  # noqa: ANN001
    """What a spreadsheet's "CSV UTF-8" writes: the mark must not become part of "review_id"."""
    path = overrides_file("r1,R1,together\nr2,R1,together\n", header="\ufeffreview_id,rec_label,group")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert {label for _, label in _groups(_library(COPY, OTHER)).values()} == {"together"}
