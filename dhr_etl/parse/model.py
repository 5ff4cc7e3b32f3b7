"""The typed records a review page parses to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


class PageParseError(ValueError):
    """The page could not be read as a review; the message says what was missing or wrong."""


class NotAReviewPage(PageParseError):
    """The page has none of the marks of a review page (no CSP label, no recommendations table)."""


@dataclass(frozen=True, slots=True)
class ParsedRecommendation:
    label: str
    """The number as printed: ``R1``, ``9.1 a``, ``10.1.1.1``."""
    text: str
    addressees: tuple[str, ...]
    """Each addressee as printed, in printed order; empty when the row names nobody."""
    position: int
    """1-based row position in the page's table (often text order: R1, R10, R11 … R2)."""
    order: int
    """1-based natural order of the label within the review (R2 before R10)."""


@dataclass(frozen=True, slots=True)
class ParsedReview:
    title: str | None
    csp: str
    published_month: dt.date | None
    year_of_death: int | None
    declared_recommendations: int | None
    summary: str | None
    report_url: str | None
    recommendations: tuple[ParsedRecommendation, ...]
    notes: tuple[str, ...] = ()
    """What parsing changed in the page's text to store it (NUL characters removed): each one
    becomes a data-quality finding."""


def review_to_json(review: ParsedReview) -> dict[str, Any]:
    # Field by field rather than dataclasses.asdict, whose deep copy cost a third of parsing time.
    data = {name: getattr(review, name) for name in ParsedReview.__slots__}
    data["published_month"] = review.published_month.isoformat() if review.published_month else None
    data["recommendations"] = [{name: getattr(rec, name) for name in ParsedRecommendation.__slots__}
                               for rec in review.recommendations]
    return data


def review_from_json(data: dict[str, Any]) -> ParsedReview:
    published = data["published_month"]
    return ParsedReview(
        **{**data,
           "published_month": dt.date.fromisoformat(published) if published else None,
           "notes": tuple(data.get("notes", ())),
           "recommendations": tuple(
               ParsedRecommendation(**{**rec, "addressees": tuple(rec["addressees"])})
               for rec in data["recommendations"])},
    )
