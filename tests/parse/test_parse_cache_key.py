"""The parse cache is keyed by a digest of the parser's code: an edit to parsing re-parses every
page once, with no version number to remember to bump."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dhr_etl.parse import library
from dhr_etl.sample.site import LibrarySite
from dhr_etl.settings import SAMPLE_LIBRARY_DIR
from tests.conftest import crawl

pytestmark = pytest.mark.usefixtures("fast_crawl")
SAMPLE_PAGES = len(list(SAMPLE_LIBRARY_DIR.glob("*.html")))


@pytest.fixture
def parser_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of dhr_etl/parse/ that the digest is computed from, so that a test can 'edit the parser'."""
    copy = Path(shutil.copytree(library.PARSER_DIR, tmp_path / "parse", ignore=shutil.ignore_patterns("__pycache__")))
    monkeypatch.setattr(library, "PARSER_DIR", copy)
    library.parser_digest.cache_clear()
    yield copy
    library.parser_digest.cache_clear()  # the next test sees the real parser's digest again


def test_the_digest_covers_every_parser_file_and_nothing_else(parser_copy: Path, tmp_path: Path) -> None:
    first = library.parser_digest()
    assert len(first) == 64
    library.parser_digest.cache_clear()
    assert library.parser_digest() == first  # the same code, the same digest
    (tmp_path / "elsewhere.py").write_text("# not parser code\n")
    library.parser_digest.cache_clear()
    assert library.parser_digest() == first
    blocks = parser_copy / "blocks.py"
    blocks.write_text(blocks.read_text() + "\n# a comment is enough: any edit may change what a page parses to\n")
    library.parser_digest.cache_clear()
    assert library.parser_digest() != first


def test_an_edited_parser_parses_every_page_again_and_drops_the_old_results(
        sample_site: LibrarySite, parser_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing, records, _ = crawl(monkeypatch, sample_site)
    first = library.parse_library(landing, sample_site.base_url, list(records.values()))
    assert (first.pages_parsed, first.cache_hits) == (SAMPLE_PAGES, 0)
    again = library.parse_library(landing, sample_site.base_url, list(records.values()))
    assert (again.pages_parsed, again.cache_hits) == (0, SAMPLE_PAGES)
    old_files = sorted((landing.root / "parsed").glob("*.jsonl"))
    assert len(old_files) == 1

    fields = parser_copy / "fields.py"
    fields.write_text(fields.read_text() + "\n# edited\n")
    library.parser_digest.cache_clear()
    edited = library.parse_library(landing, sample_site.base_url, list(records.values()))
    assert (edited.pages_parsed, edited.cache_hits) == (SAMPLE_PAGES, 0)
    assert edited.reviews.equals(first.reviews)  # only a comment changed: the same results
    assert not old_files[0].exists()  # the other parser's results are removed, not kept in memory
    assert len(list((landing.root / "parsed").glob("*.jsonl"))) == 1
