"""The bundled sample library's recommendations, the realistic corpus the same-ask tests take word
weights from: parsed once per test process, not once per test."""

from __future__ import annotations

from functools import cache

from dhr_etl.parse import parse_review_page
from dhr_etl.settings import SAMPLE_LIBRARY_DIR


@cache
def sample_recommendations() -> tuple[tuple[str, int, str], ...]:
    """(page's file stem, position on its page from 0, text) of every recommendation, page by page."""
    return tuple((page.stem, i, recommendation.text) for page in sorted(SAMPLE_LIBRARY_DIR.glob("*.html"))
                 for i, recommendation in enumerate(parse_review_page(page.read_text(encoding="utf-8"), "html").recommendations))


def sample_texts() -> list[str]:
    return [text for _, _, text in sample_recommendations()]
