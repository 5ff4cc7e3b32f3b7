"""The real reference page must give exactly the facts docs/design/SOURCE.md lists, from both renditions."""

from __future__ import annotations

import datetime as dt

import pytest

from dhr_etl.parse import ParsedReview, parse_review_page
from tests.conftest import REFERENCE_HTML, REFERENCE_TEXT, REFERENCE_URL


@pytest.fixture(scope="module", params=["html", "text"])
def review(request: pytest.FixtureRequest) -> ParsedReview:
    path = REFERENCE_HTML if request.param == "html" else REFERENCE_TEXT
    return parse_review_page(path.read_text(encoding="utf-8"), request.param, REFERENCE_URL)


def by_label(review: ParsedReview) -> dict:
    return {rec.label: rec for rec in review.recommendations}


def test_has_54_recommendations_r1_to_r54(review: ParsedReview) -> None:
    assert sorted(by_label(review)) == sorted(f"R{i}" for i in range(1, 55))


def test_has_59_recommendation_addressee_pairs(review: ParsedReview) -> None:
    assert sum(len(rec.addressees) for rec in review.recommendations) == 59


def test_r14_and_r25_name_two_addressees(review: ParsedReview) -> None:
    recs = by_label(review)
    assert recs["R14"].addressees == ("Community Safety Partnership", "Safer Warwickshire Partnership Board")
    assert recs["R25"].addressees == ("MARAC", "GP practices")


def test_r31_names_four_addressees(review: ParsedReview) -> None:
    assert by_label(review)["R31"].addressees == ("Warwickshire Probation Trust", "Police", "CPS", "Court Service")


def test_23_distinct_addressees_as_printed(review: ParsedReview) -> None:
    assert len({name for rec in review.recommendations for name in rec.addressees}) == 23


def test_page_fields(review: ParsedReview) -> None:
    assert review.csp == "Nuneaton and Bedworth"
    assert review.published_month == dt.date(2023, 6, 1)
    assert review.year_of_death == 2012
    assert review.declared_recommendations == 54
    assert review.title == "Nuneaton and Bedworth review"
    assert review.summary.startswith("Agencies failed to consistently identify")
    assert review.summary.endswith("missed opportunities for intervention.")


def test_rows_keep_text_order_and_get_natural_order(review: ParsedReview) -> None:
    recs = by_label(review)
    assert [rec.label for rec in review.recommendations[:3]] == ["R1", "R10", "R11"]
    assert recs["R2"].order == 2 and recs["R10"].order == 10 and recs["R54"].order == 54


def test_footer_row_is_not_a_recommendation(review: ParsedReview) -> None:
    assert not any("extracted from the published report" in rec.text for rec in review.recommendations)


def test_curly_apostrophes_are_kept_as_printed(review: ParsedReview) -> None:
    assert by_label(review)["R27"].addressees == ("Warwickshire Children’s Services",)


def test_html_links_the_full_report() -> None:
    review = parse_review_page(REFERENCE_HTML.read_text(encoding="utf-8"), "html", REFERENCE_URL)
    assert review.report_url == "https://homicide-review.homeoffice.gov.uk/"


def test_text_rendition_gives_the_same_records_as_html() -> None:
    html = parse_review_page(REFERENCE_HTML.read_text(encoding="utf-8"), "html", REFERENCE_URL)
    text = parse_review_page(REFERENCE_TEXT.read_text(encoding="utf-8"), "text", REFERENCE_URL)
    assert text.recommendations == html.recommendations
    # The text rendition has no link targets; every other field must agree.
    for name in ("title", "csp", "published_month", "year_of_death", "declared_recommendations", "summary"):
        assert getattr(text, name) == getattr(html, name), name
