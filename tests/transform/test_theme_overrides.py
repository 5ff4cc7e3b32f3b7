"""A user's theme corrections (reference/theme_overrides.csv) win over the rules and the model.

Each test writes its own overrides file into a copy of the reference files (conftest's
overrides_file); the themes are the real ones (rules, model and labelled examples), so the first
test shows what they say without the file."""

from __future__ import annotations


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
    would leave the model's themes in place without a word."""
    overrides_file(f"r1,R1,{cell}\n")
    with pytest.raises(ReferenceDataError, match=f"theme_overrides.csv, data row 1: {message}"):
        themes.classify_recommendations(_library())


@pytest.mark.parametrize(("header", "row"), [("review_id,rec_label,theme", "r1,R1,policy"),
                                             ("review_id,rec_label,themes", "r1,R1,policy,training")])
def test_a_file_with_other_columns_is_refused(overrides_file, header: str, row: str) -> None:  # noqa: ANN001
    overrides_file(f"{row}\n", header=header)
    with pytest.raises(ReferenceDataError, match="data row 1: .* it takes review_id, rec_label and themes"):
        themes.classify_recommendations(_library())
