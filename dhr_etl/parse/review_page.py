"""Read a review page's meaning from its blocks: labelled fields, summary, recommendations table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Literal
from urllib.parse import urljoin, urlsplit

from dhr_etl.parse.blocks import Document, Line, Table, html_to_document, text_to_document
from dhr_etl.parse.fields import (
    natural_sort_key,
    parse_declared_count,
    parse_published_month,
    parse_year,
    shown,
)
from dhr_etl.parse.model import NotAReviewPage, PageParseError, ParsedRecommendation, ParsedReview

Rendition = Literal["html", "text"]

# Visible label → field. Matched case-insensitively, with or without a trailing colon.
_FIELD_LABELS = {
    "csp": "csp",
    "community safety partnership": "csp",
    "published": "published",
    "year of death": "year_of_death",
    "extracted": "declared",
}
_LABEL_ALTERNATION = "|".join(sorted(map(re.escape, _FIELD_LABELS), key=len, reverse=True))
_LABEL_ONLY = re.compile(rf"^({_LABEL_ALTERNATION})\s*:?$", re.IGNORECASE)
_LABEL_COLON_VALUE = re.compile(rf"^({_LABEL_ALTERNATION})\s*:\s*(.+)$", re.IGNORECASE)
# Without a colon, a label and its value in one element only count when the value reads right,
# so a heading such as "Extracted recommendations" is not taken for the count.
_LABEL_SPACE_VALUE = re.compile(rf"^({_LABEL_ALTERNATION})\s+(.+)$", re.IGNORECASE)

_SUMMARY_HEADING = re.compile(r"^summary\s*:?$", re.IGNORECASE)
_SUMMARY_INLINE = re.compile(r"^summary\s*:\s*(.+)$", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")

_LABEL_HEADERS = {"#", "no", "no.", "number", "ref", "ref.", "rec", "rec."}
_MAX_LABEL_LENGTH = 24  # longer first cells are footers or notes, not recommendation numbers
_EMPTY_ADDRESSEE = {"", "-", "–", "—", "n/a", "none"}


def parse_review_page(content: str, rendition: Rendition, page_url: str | None = None) -> ParsedReview:
    """Parse one review page; raise :class:`PageParseError` saying what is missing or wrong."""
    content, notes = _storable_text(content)
    if rendition == "html":
        document = html_to_document(content)
    elif rendition == "text":
        document = text_to_document(content)
    else:
        raise ValueError(f"rendition must be 'html' or 'text', got {rendition!r}")
    review = _review_from_document(document, page_url)
    return replace(review, notes=notes) if notes else review


def _storable_text(content: str) -> tuple[str, tuple[str, ...]]:
    """The page's text without what a warehouse cannot store, and a note for each removal.

    PostgreSQL text cannot hold NUL (DuckDB can), so NULs are removed here, before either backend
    sees a value, and both store the same text. Lone surrogates (only possible in a str built in
    Python: a page decoded from UTF-8 has none) cannot be written as UTF-8 at all."""
    notes = []
    if "\x00" in content:
        notes.append(f"removed {content.count(chr(0)):,} NUL character(s) from the page (text cannot hold them)")
        content = content.replace("\x00", "")
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        content = content.encode("utf-8", "replace").decode("utf-8")
        notes.append("replaced unpaired surrogate characters in the page with '?'")
    return content, tuple(notes)


def _review_from_document(document: Document, page_url: str | None) -> ParsedReview:
    fields, first_label_index = _labelled_fields(document)
    recommendations = _recommendations(document)
    csp = fields.get("csp")
    if not csp:
        if recommendations is None:
            raise NotAReviewPage(
                "not a review page: found neither a 'CSP:' label nor a table headed "
                "'# | Recommendation | Addressed to'"
            )
        raise PageParseError("review page has a recommendations table but no 'CSP:' label")
    declared_text = fields.get("declared")
    return ParsedReview(
        title=_title(document, first_label_index),
        csp=csp,
        published_month=parse_published_month(fields["published"]) if "published" in fields else None,
        year_of_death=parse_year(fields["year_of_death"]) if "year_of_death" in fields else None,
        declared_recommendations=parse_declared_count(declared_text) if declared_text else None,
        summary=_summary(document),
        report_url=_report_url(document, page_url),
        recommendations=recommendations or (),
    )


def _lines(document: Document) -> Iterator[tuple[int, Line]]:
    for index, block in enumerate(document.blocks):
        if isinstance(block, Line):
            yield index, block


def _labelled_fields(document: Document) -> tuple[dict[str, str], int | None]:
    """First value of each labelled field, and the block index of the first label seen."""
    found: dict[str, str] = {}
    first_index: int | None = None

    def take(label: str, value: str, index: int) -> None:
        nonlocal first_index
        name = _FIELD_LABELS[label.lower()]
        value = value.strip()
        if name in found or not value or not _value_reads_right(name, value):
            return
        found[name] = value
        if first_index is None or index < first_index:
            first_index = index

    blocks = document.blocks
    for index, block in enumerate(blocks):
        if isinstance(block, Table):
            for row in block.rows:
                cells = [" ".join(cell) for cell in row]
                if len(cells) == 2 and (m := _LABEL_ONLY.match(cells[0])):
                    take(m.group(1), cells[1], index)
            continue
        text = block.text
        if m := _LABEL_COLON_VALUE.match(text):
            take(m.group(1), m.group(2), index)
        elif (m := _LABEL_ONLY.match(text)) and index + 1 < len(blocks):
            following = blocks[index + 1]
            if isinstance(following, Line) and not _LABEL_ONLY.match(following.text):
                take(m.group(1), following.text, index)
        elif (m := _LABEL_SPACE_VALUE.match(text)) and not block.heading:
            label = m.group(1)
            if label.lower() != "csp" or label == "CSP":
                take(label, m.group(2), index)
    return found, first_index


def _value_reads_right(name: str, value: str) -> bool:
    if name == "published":
        return parse_published_month(value) is not None
    if name == "declared":
        return parse_declared_count(value) is not None
    if name == "year_of_death":
        return parse_year(value) is not None or value.lower().rstrip(".") in {
            "unknown", "not known", "not stated", "n/a", "-", "—",
        }
    return True


def _title(document: Document, first_label_index: int | None) -> str | None:
    for _, line in _lines(document):
        if line.heading == 1:
            return line.text
    # The text rendition has no headings: the title is the line just above the first label.
    if first_label_index:
        previous = document.blocks[first_label_index - 1]
        if isinstance(previous, Line):
            return previous.text
    return None


def _looks_like_heading(line: Line) -> bool:
    text = line.text
    return bool(line.heading) or (len(text.split()) <= 5 and text[-1] not in ".!?:;)\"'’”")


def _summary(document: Document) -> str | None:
    blocks = document.blocks
    for index, line in _lines(document):
        if m := _SUMMARY_INLINE.match(line.text):
            return m.group(1).strip()
        if not _SUMMARY_HEADING.match(line.text):
            continue
        paragraphs = []
        for block in blocks[index + 1 :]:
            if isinstance(block, Table) or _looks_like_heading(block):
                break
            paragraphs.append(block.text)
        return "\n\n".join(paragraphs) or None
    return None


def _report_url(document: Document, page_url: str | None) -> str | None:
    candidates = [link for link in document.links if "full report" in link.text.lower()]
    candidates.sort(key=lambda link: "pdf" not in link.text.lower())
    if candidates:
        return _checked_url(candidates[0].href, page_url)
    for _, line in _lines(document):
        if "full report" in line.text.lower() and (m := _URL.search(line.text)):
            return _checked_url(m.group(0), None)
    return None


def _checked_url(href: str, page_url: str | None) -> str:
    """The report link made absolute; PageParseError if it is no address ("http://[::1")."""
    try:
        url = urljoin(page_url, href) if page_url else href
        urlsplit(url).port  # noqa: B018 - reading the port is what validates host and port
    except ValueError as exc:
        raise PageParseError(f"the full report link {shown(href)} is not a valid address ({exc}; "
                             "accepted: an http or https URL, or a path on the page's site)") from None
    return url


def _column_indexes(row: tuple[tuple[str, ...], ...]) -> tuple[int, int, int | None] | None:
    """(label, text, addressee) column positions if this row is the recommendations header."""
    names = [" ".join(cell).strip().lower() for cell in row]
    label = next((i for i, n in enumerate(names) if n in _LABEL_HEADERS), None)
    text = next((i for i, n in enumerate(names) if n.startswith("recommendation")), None)
    addressee = next(
        (i for i, n in enumerate(names) if n.startswith(("addressed to", "addressee", "agenc"))),
        None,
    )
    if label is None or text is None:
        return None
    return label, text, addressee


def _recommendations(document: Document) -> tuple[ParsedRecommendation, ...] | None:
    """All rows of every recommendations table, or None when the page has no such table."""
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    found_table = False
    for block in document.blocks:
        if not isinstance(block, Table):
            continue
        columns = None
        for row in block.rows:
            if columns is None:
                columns = _column_indexes(row)
                found_table = found_table or columns is not None
                continue
            if (parsed := _recommendation_row(row, columns)) is not None:
                rows.append(parsed)
    if not found_table:
        return None
    ordered = sorted(range(len(rows)), key=lambda i: (natural_sort_key(rows[i][0]), i))
    order_of = {row_index: rank for rank, row_index in enumerate(ordered, start=1)}
    return tuple(
        ParsedRecommendation(label, text, addressees, position=i + 1, order=order_of[i])
        for i, (label, text, addressees) in enumerate(rows)
    )


def _recommendation_row(
    row: tuple[tuple[str, ...], ...], columns: tuple[int, int, int | None]
) -> tuple[str, str, tuple[str, ...]] | None:
    label_col, text_col, addressee_col = columns
    if sum(1 for cell in row if any(cell)) < 2:
        return None  # a footer or a note spanning the table
    label = " ".join(row[label_col]).strip() if label_col < len(row) else ""
    text = " ".join(row[text_col]).strip() if text_col < len(row) else ""
    if not label or not text or len(label) > _MAX_LABEL_LENGTH:
        return None
    fragments: list[str] = []
    if addressee_col is not None and addressee_col < len(row):
        # In the text rendition a multi-addressee cell simply continues into surplus cells.
        last = len(row) if addressee_col == max(columns[:2] + (addressee_col,)) else addressee_col + 1
        for cell in row[addressee_col:last]:
            fragments.extend(cell)
    addressees = tuple(
        part
        for fragment in fragments
        for part in (p.strip() for p in fragment.split("|"))
        if part.lower() not in _EMPTY_ADDRESSEE
    )
    return label, text, addressees
