"""Review page → typed records, for the HTML page and its saved text rendition.

Both renditions are first reduced to the same :class:`~dhr_etl.parse.blocks.Block` sequence
(lines and tables), and one extractor reads the page's meaning from that, so the two can
never disagree about what a page says.
"""

from dhr_etl.parse.model import NotAReviewPage, PageParseError, ParsedRecommendation, ParsedReview
from dhr_etl.parse.review_page import parse_review_page

__all__ = [
    "NotAReviewPage",
    "PageParseError",
    "ParsedRecommendation",
    "ParsedReview",
    "parse_review_page",
]
