"""A user's theme corrections (reference/theme_overrides.csv) win over the rules and the model.

Each test writes its own overrides file into a copy of the reference files (conftest's
overrides_file); the themes are the real ones (rules, model and labelled examples), so the first
test shows what they say without the file."""

from __future__ import annotations

import logging
import re


import polars as pl
import pytest

from dhr_etl.transform import themes
from dhr_etl.transform.rules import ReferenceDataError

TRAINING = "All GP practice staff should complete training on coercive control every two years."
HOUSING = "The council should give victims of domestic abuse priority on the housing register."
OVERRIDES = (themes.OVERRIDES_FILE, "review_id,rec_label,themes")
"""The file these tests write (conftest's overrides_file) and its header."""


def _library() -> pl.DataFrame:
    return pl.DataFrame({"review_id": ["r1", "r2"], "rec_position": [1, 1], "rec_label": ["R1", "4.2"],
                         "recommendation": [TRAINING, HOUSING]}, schema_overrides={"rec_position": pl.Int32})


def _themes(frame: pl.DataFrame) -> dict[str, dict[str, str]]:
    """review id → {theme: method}."""
    found: dict[str, dict[str, str]] = {}
    for review, theme, method in frame.select("review_id", "theme", "method").iter_rows():
        found.setdefault(review, {})[theme] = method
    return found


def test_an_override_replaces_the_themes_of_its_recommendation_only(overrides_file) -> None:  # noqa: ANN001
    before = _themes(themes.classify_recommendations(_library()))
    assert "training" in before["r1"] and "override" not in before["r1"].values()
    overrides_file("r1,R1,Record keeping | policy\n")  # a theme is read whatever its case
    after = _themes(themes.classify_recommendations(_library()))
    assert after["r1"] == {"record keeping": "override", "policy": "override"}
    assert after["r2"] == before["r2"]


@pytest.mark.parametrize(("cell", "message"), [("trainig", "theme 'trainig' given; the themes are technology systems"),
                                               ("policy | housing", "theme 'housing' given"),
                                               ("", "no theme given")])
def test_a_theme_outside_the_library_s_eight_or_none_is_refused(overrides_file, cell: str, message: str) -> None:  # noqa: ANN001
    """Read loosely, a misspelt theme would reach the warehouse as a ninth theme, and an empty cell
    would leave the model's themes in place without a word. The error names the file read."""
    path = overrides_file(f"r1,R1,{cell}\n")
    with pytest.raises(ReferenceDataError, match=re.escape(f"{path}, data row 1: ") + message):
        themes.classify_recommendations(_library())


@pytest.mark.parametrize(("header", "row", "message"), [
    ("review_id,rec_label,theme", "r1,R1,policy", "the columns are 'review_id', 'rec_label', 'theme'; it takes review_id"),
    ("review_id,rec_label,themes", "r1,R1,policy,training", "data row 1: more cells than columns")])
def test_a_file_with_other_columns_is_refused(overrides_file, header: str, row: str, message: str) -> None:  # noqa: ANN001
    path = overrides_file(f"{row}\n", header=header)
    with pytest.raises(ReferenceDataError, match=re.escape(f"{path}") + ".*" + message):
        themes.classify_recommendations(_library())


def test_two_rows_for_one_recommendation_add_up_and_a_theme_is_given_once(overrides_file) -> None:  # noqa: ANN001
    """The warehouse's bridge table holds a (recommendation, theme) once: two rows naming one theme
    must not make two assignments."""
    overrides_file("r1,R1,policy | Multi  agency working\n,,\nr1,R1,policy | training\n")  # and a blank spreadsheet row
    found = themes.classify_recommendations(_library()).filter(pl.col("review_id") == "r1")
    assert sorted(found["theme"].to_list()) == ["multi agency working", "policy", "training"]


def test_a_row_naming_no_recommendation_changes_nothing_and_is_reported(overrides_file,  # noqa: ANN001
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    before = themes.classify_recommendations(_library())
    overrides_file("r9,R4,policy\n")
    with caplog.at_level(logging.WARNING, logger=themes.__name__):
        assert themes.classify_recommendations(_library()).equals(before)
    assert "name no recommendation" in caplog.text and "r9" in caplog.text
