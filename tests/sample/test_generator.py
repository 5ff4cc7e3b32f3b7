"""The bundled sample is what the generator makes, and every generated page says it is synthetic."""

from __future__ import annotations

from pathlib import Path

from dhr_etl.parse import parse_review_page
from dhr_etl.sample.generate import SYNTHETIC_MARK, generate_reviews, render_html, render_text, write_library
from dhr_etl.settings import SAMPLE_LIBRARY_DIR

REAL_PAGES = {"647f1570-nuneaton-and-bedworth.html"}


def test_bundled_synthetic_pages_are_exactly_what_the_generator_makes(tmp_path: Path) -> None:
    written = {p.name: p.read_bytes() for p in write_library(tmp_path, 11, 2026)}
    bundled = {p.name: p.read_bytes() for p in SAMPLE_LIBRARY_DIR.glob("*.html") if p.name not in REAL_PAGES}
    assert written == bundled


def test_every_synthetic_page_says_so_in_title_and_summary() -> None:
    for review in generate_reviews(11, 2026):
        parsed = parse_review_page(render_html(review), "html")
        assert SYNTHETIC_MARK in parsed.title
        assert parsed.summary.startswith("SYNTHETIC SAMPLE")


def test_generated_html_and_text_renditions_parse_to_the_same_records() -> None:
    for review in generate_reviews(20, 7):
        html = parse_review_page(render_html(review), "html")
        text = parse_review_page(render_text(review), "text")
        assert html.recommendations == text.recommendations
        assert [(r.label, r.text, list(r.addressees)) for r in html.recommendations] == review.recommendations
        assert (html.csp, html.published_month, html.year_of_death, html.declared_recommendations) == \
            (review.csp, review.published, review.year_of_death, review.declared)


def test_the_generator_is_deterministic_and_covers_the_markup_variants() -> None:
    first, second = generate_reviews(11, 2026), generate_reviews(11, 2026)
    assert first == second
    assert {r.meta_markup for r in first} == {"list-span", "definition-list", "table", "paragraph-strong"}
    assert {r.addressee_markup for r in first} == {"pipe", "list", "span", "br"}
