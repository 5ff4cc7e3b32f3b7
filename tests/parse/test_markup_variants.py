"""Each markup variation docs/design/SOURCE.md names parses to the same meaning."""

from __future__ import annotations

import datetime as dt

import pytest

from dhr_etl.parse import NotAReviewPage, PageParseError, parse_review_page

TABLE_HEAD = "<table><tr><th>#</th><th>Recommendation</th><th>Addressed to</th></tr>"


def page(meta: str, rows: str = "", table: bool = True) -> str:
    body = f"{TABLE_HEAD}{rows}</table>" if table else ""
    return (f"<html><body><h1>Somewhere review</h1>{meta}<h2>Summary</h2><p>What happened.</p>"
            f"<h2>Extracted recommendations</h2>{body}</body></html>")


def row(label: str, text: str, cell: str) -> str:
    return f"<tr><td>{label}</td><td>{text}</td><td>{cell}</td></tr>"


META_FORMS = {
    "span label with colon in a list item": "<ul><li><span>CSP:</span> Kent</li><li><span>Published:</span> March 2021</li>"
    "<li><span>Year of death:</span> 2019</li><li><span>Extracted:</span> 1 rec</li></ul>",
    "span label without colon": "<ul><li><span>CSP</span> Kent</li><li><span>Published</span> March 2021</li>"
    "<li><span>Year of death</span> 2019</li><li><span>Extracted</span> 1 rec</li></ul>",
    "strong label in a paragraph": "<p><strong>CSP:</strong> Kent</p><p><strong>Published:</strong> March 2021</p>"
    "<p><strong>Year of death:</strong> 2019</p><p><strong>Extracted:</strong> 1 rec</p>",
    "definition list without colons": "<dl><dt>CSP</dt><dd>Kent</dd><dt>Published</dt><dd>March 2021</dd>"
    "<dt>Year of death</dt><dd>2019</dd><dt>Extracted</dt><dd>1 rec</dd></dl>",
    "definition list with colons": "<dl><dt>CSP:</dt><dd>Kent</dd><dt>Published:</dt><dd>March 2021</dd>"
    "<dt>Year of death:</dt><dd>2019</dd><dt>Extracted:</dt><dd>1 rec</dd></dl>",
    "table header cells": "<table><tr><th>CSP</th><td>Kent</td></tr><tr><th>Published</th><td>March 2021</td></tr>"
    "<tr><th>Year of death</th><td>2019</td></tr><tr><th>Extracted</th><td>1 rec</td></tr></table>",
    "divs nested deeply": "<div><div><div><b>CSP:</b> <i>Kent</i></div></div><div><div>Published: March 2021</div>"
    "</div><div>Year of death: 2019</div><div>Extracted: 1 rec</div></div>",
}


@pytest.mark.parametrize("form", META_FORMS)
def test_labelled_fields_read_the_same_in_every_form(form: str) -> None:
    review = parse_review_page(page(META_FORMS[form], row("R1", "Do this.", "Kent Police")), "html")
    assert review.csp == "Kent"
    assert review.published_month == dt.date(2021, 3, 1)
    assert review.year_of_death == 2019
    assert review.declared_recommendations == 1
    assert review.title == "Somewhere review"
    assert review.summary == "What happened."


META = META_FORMS["span label with colon in a list item"]

ADDRESSEE_CELLS = {
    "pipe separated": "Kent Police | Kent County Council | CPS",
    "list items": "<ul><li>Kent Police</li><li>Kent County Council</li><li>CPS</li></ul>",
    "spans": "<span>Kent Police</span><span>Kent County Council</span><span>CPS</span>",
    "line breaks": "Kent Police<br>Kent County Council<br/>CPS",
    "paragraphs": "<p>Kent Police</p><p>Kent County Council</p><p>CPS</p>",
}


@pytest.mark.parametrize("form", ADDRESSEE_CELLS)
def test_several_addressees_in_one_cell_are_split_in_printed_order(form: str) -> None:
    review = parse_review_page(page(META, row("R1", "Share information.", ADDRESSEE_CELLS[form])), "html")
    assert review.recommendations[0].addressees == ("Kent Police", "Kent County Council", "CPS")


def test_a_single_addressee_with_inline_markup_stays_whole() -> None:
    review = parse_review_page(page(META, row("R1", "Act.", "<span>Kent</span> <em>Police</em>")), "html")
    assert review.recommendations[0].addressees == ("Kent Police",)


def test_recommendation_without_addressee_is_kept() -> None:
    review = parse_review_page(page(META, row("R1", "Someone should act.", "")), "html")
    assert len(review.recommendations) == 1
    assert review.recommendations[0].addressees == ()


@pytest.mark.parametrize(
    ("printed", "natural"),
    [
        (["R1", "R10", "R11", "R2", "R3"], ["R1", "R2", "R3", "R10", "R11"]),
        (["10.1", "8.1", "9.1 b", "9.1 a", "8.2"], ["8.1", "8.2", "9.1 a", "9.1 b", "10.1"]),
        (["10.1.1.2", "10.1.1.1", "10.1.2.1", "10.1.10.1"], ["10.1.1.1", "10.1.1.2", "10.1.2.1", "10.1.10.1"]),
        (["1", "10", "11", "2", "9"], ["1", "2", "9", "10", "11"]),
    ],
)
def test_numbering_schemes_get_their_natural_order(printed: list[str], natural: list[str]) -> None:
    rows = "".join(row(label, f"Text {label}.", "Kent Police") for label in printed)
    review = parse_review_page(page(META, rows), "html")
    assert [rec.label for rec in review.recommendations] == printed  # kept as printed, in page order
    assert [rec.label for rec in sorted(review.recommendations, key=lambda r: r.order)] == natural


def test_zero_recommendations_and_no_table() -> None:
    meta = META.replace("1 rec", "0 recs")
    review = parse_review_page(page(meta, table=False), "html")
    assert review.declared_recommendations == 0
    assert review.recommendations == ()


def test_declared_count_that_disagrees_with_the_table_is_kept_as_declared() -> None:
    meta = META.replace("1 rec", "5 recs")
    rows = "".join(row(f"R{i}", "Do it.", "Kent Police") for i in range(1, 5))
    review = parse_review_page(page(meta, rows), "html")
    assert review.declared_recommendations == 5
    assert len(review.recommendations) == 4


@pytest.mark.parametrize("meta", [
    META.replace("<li><span>Year of death:</span> 2019</li>", ""),
    META.replace("2019", "Unknown"),
])
def test_missing_or_unknown_year_of_death_is_none(meta: str) -> None:
    review = parse_review_page(page(meta, row("R1", "Do it.", "Kent Police")), "html")
    assert review.year_of_death is None
    assert review.csp == "Kent"


def test_heading_reading_extracted_recommendations_is_not_taken_for_the_count() -> None:
    meta = META.replace("<li><span>Extracted:</span> 1 rec</li>", "")
    review = parse_review_page(page(meta, row("R1", "Do it.", "Kent Police")), "html")
    assert review.declared_recommendations is None


def test_a_page_that_is_not_a_review_is_refused_with_a_reason() -> None:
    with pytest.raises(NotAReviewPage, match="not a review page"):
        parse_review_page("<html><body><h1>About us</h1><p>We publish summaries.</p></body></html>", "html")


def test_a_table_without_a_csp_is_a_parse_error_naming_the_label() -> None:
    with pytest.raises(PageParseError, match="'CSP:' label"):
        parse_review_page(page("<p>Published: March 2021</p>", row("R1", "Do it.", "Kent Police")), "html")


def test_text_rendition_row_without_addressee_and_with_several() -> None:
    text = "\n".join([
        "Kent review", "CSP: Kent", "Published: March 2021", "Extracted: 2 recs",
        "| # | Recommendation | Addressed to |", "|---|---|---|",
        "| 1 | Someone should act. |  |",
        "| 2 | Share information. | Kent Police | CPS |",
        "| Recommendations extracted from the published report. | ||",
    ])
    review = parse_review_page(text, "text")
    assert [(r.label, r.addressees) for r in review.recommendations] == [
        ("1", ()), ("2", ("Kent Police", "CPS"))]
    assert review.title == "Kent review"


def test_script_and_style_text_is_invisible() -> None:
    html = page(META + "<script>var CSP = 'x';</script><style>p{}</style>", row("R1", "Do it.", "Kent Police"))
    assert parse_review_page(html, "html").csp == "Kent"
