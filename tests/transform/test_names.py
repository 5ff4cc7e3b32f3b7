"""Spellings of one body share a normalised form; different bodies do not."""

from __future__ import annotations

import polars as pl
import pytest

from dhr_etl.transform.csps import resolve_csps
from dhr_etl.transform.names import normalise_name, slugify


@pytest.mark.parametrize(
    "spellings",
    [
        ["Children’s Services", "Children's Services", "childrens services", "CHILDREN'S  SERVICES"],
        ["Coventry & Warwickshire Partnership NHS Trust", "Coventry and Warwickshire Partnership NHS Trust"],
        ["Nuneaton & Bedworth", "Nuneaton and Bedworth", " Nuneaton and  Bedworth "],
        ["All agencies", "All Agencies", "All agencies."],
    ],
)
def test_spellings_of_one_body_normalise_alike(spellings: list[str]) -> None:
    assert len({normalise_name(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Warwickshire Police", "West Mercia Police"),
        ("MARAC", "MARAC Steering Group"),
        ("All agencies", "All health agencies"),
        ("Adur", "Adur and Worthing"),
    ],
)
def test_distinct_bodies_stay_distinct(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


def test_slug_matches_the_library_url_form() -> None:
    assert slugify("Nuneaton & Bedworth") == "nuneaton-and-bedworth"
    assert slugify("Southend-on-Sea") == "southend-on-sea"


def test_csp_spellings_with_ampersand_are_one_csp_named_with_and() -> None:
    csps, lookup = resolve_csps(pl.Series(["Nuneaton & Bedworth", "Nuneaton and Bedworth", "Adur", "Adur and Worthing"]))
    assert sorted(csps["csp_name"]) == ["Adur", "Adur and Worthing", "Nuneaton and Bedworth"]
    assert lookup.filter(pl.col("csp_printed").str.starts_with("Nuneaton"))["csp_key"].n_unique() == 1
