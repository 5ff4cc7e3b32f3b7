"""Reduce either rendition of a page to the same flat sequence of lines and tables.

The live site's markup is not known (docs/design/SOURCE.md), so nothing here looks at class names, ids or
nesting depth: only at what a reader sees, which is where line breaks fall, what is a heading,
what is a table cell, and where a cell holds a list of separate items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dhr_etl.parse.model import PageParseError

# Elements after which a reader sees a new line. Everything else is inline.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol p pre section summary ul".split()
)
_INVISIBLE_TAGS = frozenset("head script style template noscript svg iframe object button".split())
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    heading: int = 0
    """1–6 for an HTML heading; always 0 in the text rendition, which cannot tell."""


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[tuple[str, ...], ...], ...]
    """Rows → cells → fragments. A cell holding a list, ``<br>`` breaks or several item
    elements has one fragment per item; a plain cell has one fragment."""


Block = Line | Table


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str


@dataclass(slots=True)
class Document:
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def collapse_space(text: str) -> str:
    return " ".join(text.split())


MAX_NESTING = 400
"""Deepest element nesting read. Real pages nest under 30 deep; the walk below recurses once per
level (Python's limit is 1,000 frames) and the HTML parser's time grows with the square of the
depth (100,000 nested <div>s took 20 s), so deeper markup is refused before either sees it."""
# The name is bounded and cannot overlap the attributes, so a failed match costs only the text up
# to the next "<" or ">" (an unbounded name backtracked: 40,000 letters after a "<" took 20 s).
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]{0,40})((?:[\s/][^<>]*)?)>")
# Elements that never enclose others, or whose end tag a page may leave out (so that an unclosed
# <p> or <li>, which the parser closes itself, does not count as nesting).
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta source track wbr "
    "p li dt dd tr td th thead tbody tfoot option optgroup colgroup caption".split()
)


def html_to_document(html: str) -> Document:
    if _tags_opened_at_most(html) > MAX_NESTING and (depth := _nesting_depth(html)) > MAX_NESTING:
        raise PageParseError(f"the page's markup nests elements {depth:,} deep (accepted: at most {MAX_NESTING:,})")
    tree = LexborHTMLParser(html)
    document = Document()
    walker = _Walker(document)
    walker.walk(tree.body if tree.body is not None else tree.root)
    walker.flush()
    return document


def _tags_opened_at_most(html: str) -> int:
    """A bound on how many tags the page opens, so on how deep they can nest: each opening tag
    starts with a "<" not followed by "/". Counting characters costs a fraction of the scan in
    :func:`_nesting_depth` (a tenth of parsing time at 650 pages), and pages that open fewer tags
    than MAX_NESTING need no scan."""
    return html.count("<") - html.count("</")


def _nesting_depth(html: str) -> int:
    """The deepest the page's tags nest, counted from the tags alone in one linear pass."""
    depth = deepest = 0
    for closing, name, attributes in _TAG.findall(html):
        if name.lower() in _NOT_NESTING or attributes.endswith("/"):
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def text_to_document(text: str) -> Document:
    """Read the saved text rendition: one line per block, tables as ``| a | b | c |`` rows."""
    document = Document()
    table_rows: list[tuple[tuple[str, ...], ...]] = []

    def end_table() -> None:
        if table_rows:
            document.blocks.append(Table(tuple(table_rows)))
            table_rows.clear()

    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("|"):
            cells = _split_text_row(stripped)
            if not all(_is_rule(cell) for cell in cells):
                table_rows.append(tuple((cell,) if cell else () for cell in cells))
            continue
        end_table()
        if stripped:
            document.blocks.append(Line(collapse_space(stripped)))
    end_table()
    return document


def _split_text_row(row: str) -> list[str]:
    inner = row[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [collapse_space(cell) for cell in inner.split("|")]


def _is_rule(cell: str) -> bool:
    return cell.strip(":- ") == "" and "-" in cell


class _Walker:
    """Depth-first walk that emits a Line whenever a reader would see a line break."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.buffer: list[str] = []
        self.heading = 0
        self.list_items: list[LexborNode] = []
        """Every <li> met, in document order: a cell that holds a list names one item per <li>."""

    def flush(self) -> None:
        text = collapse_space("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.document.blocks.append(Line(text, self.heading))

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.buffer.append(child.text_content or "")
            elif tag in _INVISIBLE_TAGS or tag == "-comment":
                continue
            elif tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.document.blocks.append(self._table(child))
            elif tag in _HEADINGS:
                self.flush()
                self.heading = _HEADINGS[tag]
                self.walk(child)
                self.flush()
                self.heading = 0
            elif tag in _BLOCK_TAGS:
                if tag == "li":
                    self.list_items.append(child)
                self.flush()
                self.walk(child)
                self.flush()
            else:
                if tag == "a" and child.attributes.get("href"):
                    self.document.links.append(
                        Link(collapse_space(child.text(deep=True)), child.attributes["href"] or "")
                    )
                self.walk(child)

    def _table(self, table: LexborNode) -> Table:
        rows = []
        for row in table.css("tr"):
            cells = [cell for cell in row.iter() if cell.tag in ("td", "th")]
            rows.append(tuple(self._cell_fragments(cell) for cell in cells))
        return Table(tuple(rows))

    def _cell_fragments(self, cell: LexborNode) -> tuple[str, ...]:
        only = cell.child
        if only is not None and only.tag == "-text" and only.next is None:
            # Most cells are plain text (a label, a recommendation): nothing to walk. This path
            # was a third of parsing time at 6,500 reviews (bench/FINDINGS.md).
            text = collapse_space(only.text_content or "")
            return (text,) if text else ()
        inner = Document()
        walker = _Walker(inner)
        walker.walk(cell)
        walker.flush()
        if walker.list_items:
            return tuple(t for t in (collapse_space(li.text(deep=True)) for li in walker.list_items) if t)
        self.document.links.extend(inner.links)
        lines = [block.text for block in inner.blocks if isinstance(block, Line)]
        if len(lines) != 1:
            return tuple(lines)
        # Several sibling elements of one kind, each holding one item, with nothing between them
        # but space: <td><span>MARAC</span><span>GP practices</span></td>. Mixed inline markup
        # (<span>Kent</span> <em>Police</em>) is one item styled, not a list.
        children = [c for c in cell.iter() if c.tag != "-comment"]
        if len(children) < 2:  # the common case, a cell of plain text: nothing more to look at
            return (lines[0],)
        loose_text = "".join(
            c.text_content or "" for c in cell.iter(include_text=True) if c.tag == "-text"
        )
        if len({c.tag for c in children}) == 1 and not loose_text.strip():
            parts = tuple(t for t in (collapse_space(c.text(deep=True)) for c in children) if t)
            if len(parts) > 1:
                return parts
        return (lines[0],)
