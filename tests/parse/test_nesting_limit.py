"""Markup nested deeper than MAX_NESTING is refused; anything up to it, however many tags, is read."""

from __future__ import annotations

import pytest

from dhr_etl.parse.blocks import MAX_NESTING, html_to_document
from dhr_etl.parse.model import PageParseError


def nested(depth: int, siblings: int = 0) -> str:
    """``depth`` <div>s inside each other holding a CSP line, after ``siblings`` shallow paragraphs."""
    return ("<html><body>" + "<p>Summary line</p>" * siblings + "<div>" * depth + "CSP: Kent" + "</div>" * depth
            + "</body></html>")


def test_markup_nested_exactly_to_the_limit_is_read() -> None:
    document = html_to_document(nested(MAX_NESTING - 2))  # <html> and <body> are two more levels
    assert [line.text for line in document.blocks][-1] == "CSP: Kent"


def test_markup_one_level_deeper_than_the_limit_is_refused_naming_the_depth_and_the_limit() -> None:
    with pytest.raises(PageParseError, match=f"nests elements {MAX_NESTING + 1:,} deep .accepted: at most {MAX_NESTING:,}"):
        html_to_document(nested(MAX_NESTING - 1))


def test_many_tags_side_by_side_are_not_nesting() -> None:
    """Ten times MAX_NESTING tags, each closed before the next opens: shallow, so read."""
    document = html_to_document(nested(3, siblings=10 * MAX_NESTING))
    assert len(document.blocks) == 10 * MAX_NESTING + 1


def test_unclosed_paragraphs_do_not_count_as_nesting() -> None:
    """<p> without </p> (the parser closes each at the next) open more than MAX_NESTING tags: still read."""
    document = html_to_document("<html><body>" + "<p>Line" * (2 * MAX_NESTING) + "</body></html>")
    assert len(document.blocks) == 2 * MAX_NESTING
