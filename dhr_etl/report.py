"""A static HTML report anyone can open offline: no server, no scripts, no external files.

Charts are inline SVG with a visible HTML title (a ``<figcaption>``) and a data table beside each,
so the numbers are readable by screen readers, in print and with images off. Every chart keeps one
scale across its panels, so the same count is drawn the same length wherever it appears. The SVGs
scale with the page (``viewBox``, ``width:100%``) and wide tables scroll inside their own box, so
the page never scrolls sideways, down to a 360 px phone.

The output depends only on the warehouse it describes: no clock, no Python ``hash()``; the time
shown is the version's own build time. The same version rendered twice gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from dhr_etl.files import write_atomically
from dhr_etl.sample.generate import SYNTHETIC_MARK

Query = Callable[[str], list[tuple]]

VERSION_META = "dhr-etl-warehouse-version"
"""The report names, in a <meta> tag, the warehouse version (the id of the run that built it) its
figures come from, so that the quiet-night check can tell a report left behind by a run killed
between publishing and reporting (``dhr_etl/changes.py``)."""
_VERSION_PATTERN = re.compile(rb'<meta name="' + VERSION_META.encode() + rb'" content="([^"]*)">')

# The finding dhr_etl/transform/quality.py records for a page that failed with no earlier good copy.
_FAILED_PAGE_FINDING = "page failed on %"

_STYLE = """
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:70rem;margin:0 auto;padding:1rem;color:#1b1b1b;line-height:1.5;overflow-wrap:break-word}
h1{font-size:1.7rem;line-height:1.25}h2{margin-top:2.5rem;border-bottom:2px solid #ccc}
figure{margin:1.5rem 0}figcaption{font-weight:600}
.chart>figcaption{font-size:1.1rem}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,15rem),1fr));gap:1rem 1.5rem;margin:1rem 0}
.panel{margin:0;display:flex;flex-direction:column;justify-content:space-between}.panel figcaption{font-size:.9rem}.panel figcaption span{font-weight:400;color:#555}
svg{display:block;width:100%;height:auto}
.table-scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal}caption{text-align:left;font-weight:600;padding:.3rem 0}
.bar{fill:#1d5fa8}.axis{stroke:#888;stroke-width:1}.label{font-size:12px;fill:#1b1b1b}.value{font-size:11px;fill:#1b1b1b}
.note{color:#555;font-size:.9rem}
.notice{border-left:6px solid #b35c00;background:#fff4e5;padding:.5rem 1rem;margin:1rem 0}.notice h2{margin:.3rem 0;border:0;font-size:1.1rem}
a{color:#1d5fa8}
@media (max-width:40rem){h1{font-size:1.4rem}table{font-size:.8rem}th,td{padding:.2rem .3rem}}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _number(value: int | float) -> str:
    """12,345: digits grouped, as a reader of a table expects."""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _agreement(value: float | None) -> str:
    """A group's agreement as the report prints it; a group named in the override file has none."""
    return "named by you" if value is None else f"{value:.2f}"


def _year(value: object) -> str:
    """A year as text, so that tables do not group its digits like a count."""
    return "" if value is None else str(value)


def _slug(text: str) -> str:
    """An id from a title: the same title gives the same id in every run (no hash())."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]], table_id: str | None = None) -> str:
    """A table in a box that scrolls sideways on its own when it is wider than the screen."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_number(v)}</td>' if isinstance(v, int | float) else f"<td>{_e(v)}</td>"
                         for v in row) + "</tr>"
        for row in rows
    )
    id_attribute = f' id="{table_id}"' if table_id else ""
    return (f'<div class="table-scroll"><table{id_attribute}><caption>{_e(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _shorten(text: str, limit: int) -> str:
    """A label cut to fit a phone-width chart; the table beside it has it in full."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _svg(chart_id: str, width: int, height: int, title: str, description: str, table_id: str, shapes: str,
         grow: float = 1.0) -> str:
    """An SVG that fills its column but grows to at most ``grow`` times its drawn size (so its text
    stays near the page's on a wide screen), named for assistive tech and pointing at the table
    that holds its numbers."""
    return (f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" aria-details="{table_id}" '
            f'viewBox="0 0 {width} {height}" style="max-width:{round(width * grow)}px"><title id="{chart_id}-t">{_e(title)}</title>'
            f'<desc id="{chart_id}-d">{_e(description)}</desc>{shapes}</svg>')


def _bars(chart_id: str, title: str, items: Sequence[tuple[str, int]], table_id: str) -> str:
    """Horizontal bars, each with its label on a line above it so that long names fit a phone."""
    width, row, bar_space = 360, 36, 300
    top = max(v for _, v in items) or 1
    shapes = "".join(
        f'<text class="label" x="0" y="{i * row + 13}">{_e(_shorten(label, 52))}</text>'
        f'<rect class="bar" x="0" y="{i * row + 18}" width="{max(1, round(v / top * bar_space))}" height="12"/>'
        f'<text class="value" x="{round(v / top * bar_space) + 6}" y="{i * row + 28}">{v}</text>'
        for i, (label, v) in enumerate(items)
    )
    description = "; ".join(f"{label}: {v}" for label, v in items)
    return _svg(chart_id, width, row * len(items) + 4, title, description, table_id, shapes, grow=4 / 3)


def _columns(chart_id: str, title: str, years: Sequence[int], values: Sequence[int], top: int, table_id: str) -> str:
    """One small-multiple panel: a column per year, drawn against ``top`` (shared by every panel)."""
    width, height, above, below = 280, 120, 16, 18
    side = 16  # room for the first and last labels to centre on their columns without being cut off
    slot = (width - 2 * side) / len(years)
    plot = height - above - below
    every = math.ceil(34 / slot)  # a year label is about 30 units wide: label as many years as fit
    room_for_number = len(str(top)) * 6.5 + 3  # 11px digits are about 6.5 units wide
    highest = max(values)
    shapes = [f'<line class="axis" x1="0" y1="{height - below}" x2="{width}" y2="{height - below}"/>']
    for i, (year, value) in enumerate(zip(years, values, strict=True)):
        x = side + i * slot
        if value:
            bar = max(1.0, value / top * plot)
            shapes.append(f'<rect class="bar" x="{x + slot * .15:.1f}" y="{height - below - bar:.1f}" '
                          f'width="{slot * .7:.1f}" height="{bar:.1f}"/>')
            if slot >= room_for_number or value == highest:  # when numbers do not fit, the panel's highest
                shapes.append(f'<text class="value" x="{x + slot / 2:.1f}" y="{height - below - bar - 3:.1f}" '
                              f'text-anchor="middle">{value}</text>')
        if i == len(years) - 1 or (i % every == 0 and len(years) - 1 - i >= every):
            shapes.append(f'<text class="value" x="{x + slot / 2:.1f}" y="{height - 4}" text-anchor="middle">{year}</text>')
    description = "; ".join(f"{year}: {value}" for year, value in zip(years, values, strict=True))
    return _svg(chart_id, width, height, title, description, table_id, "".join(shapes))


def _trend(query: Query, view: str, column: str, what: str, heading: str) -> str:
    """Small multiples: a panel per category (the most recommended first), a column per year of
    publication over every year the warehouse holds, all panels on one scale; then the table."""
    rows = query(f"SELECT {column}, published_year, recommendations FROM {view} WHERE published_year IS NOT NULL")
    section = f"<h2>{_e(heading)}</h2>"
    if not rows:
        return section + '<p class="note">No recommendations with a year of publication.</p>'
    counts = {(category, int(year)): int(n) for category, year, n in rows}
    years = list(range(min(y for _, y in counts), max(y for _, y in counts) + 1))  # gap years drawn as empty
    totals: dict[str, int] = {}
    for (category, _), n in counts.items():
        totals[category] = totals.get(category, 0) + n
    categories = sorted(totals, key=lambda c: (-totals[c], c))
    top = max(counts.values())
    slug, span = _slug(heading), f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    table_id = f"{slug}-table"
    panels = "".join(
        f'<figure class="panel"><figcaption id="{slug}-{i}-c">{_e(category)} '
        f"<span>({_number(totals[category])} in all)</span></figcaption>"
        + _columns(f"{slug}-{i}", f"{heading}: {category}, by year published", years,
                   [counts.get((category, y), 0) for y in years], top, table_id) + "</figure>"
        for i, category in enumerate(categories)
    )
    table = _table(f"{heading}, {span}: recommendations by year published", [what, *map(str, years), "all years"],
                   [(c, *(counts.get((c, y), 0) for y in years), totals[c]) for c in categories], table_id)
    return (f'{section}<figure class="chart"><figcaption>{_e(heading)}, each year {span}</figcaption>'
            f'<p class="note">One panel for each {_e(what)}, one column for each year of publication. Every panel '
            f"uses the same scale (the tallest column is {top}), so equal counts are drawn the same height; a year "
            f"with none has no column. The table below holds every number.</p>"
            f'<div class="panels">{panels}</div>{table}</figure>')


def _notices(query: Query) -> str:
    """Say plainly when the figures are not (all) real or not complete."""
    like = "'%" + SYNTHETIC_MARK.replace("'", "''") + "%'"
    (reviews, synthetic, stale, withdrawn) = query(
        f"SELECT COUNT(*), COUNT(CASE WHEN title LIKE {like} THEN 1 END), COUNT(CASE WHEN status = 'stale' THEN 1 END), "
        f"COUNT(CASE WHEN status = 'withdrawn' THEN 1 END) FROM v_reviews")[0]
    (failed,) = query(f"SELECT COUNT(DISTINCT review_id) FROM v_data_quality WHERE finding LIKE '{_FAILED_PAGE_FINDING}'")[0]
    notices = []
    if synthetic:
        notices.append(
            f"<h2>{'All' if synthetic == reviews else f'{synthetic} of {reviews}'} reviews here are synthetic</h2>"
            f"<p>{synthetic} of the {reviews} review pages are marked \u201c{_e(SYNTHETIC_MARK)}\u201d: dhr-etl's "
            "sample generator made them up to exercise the parser. Their places, dates and recommendations describe "
            "no real review, and every figure below counts them. Do not quote these figures.</p>")
    partial = []
    if stale:
        partial.append(f"{stale} review page(s) could not be fetched or parsed this time and are shown from their "
                       "last good copy")
    if withdrawn:
        partial.append(f"{withdrawn} review page(s) are no longer listed by the source and are shown from their last copy")
    if failed:
        partial.append(f"{failed} page(s) failed and have no earlier good copy, so they are missing from every figure")
    if partial:
        notices.append(f"<h2>The data are partial</h2><p>{'; '.join(partial)}. The data quality section lists "
                       "them by review.</p>")
    return "".join(f'<section class="notice" role="note">{notice}</section>' for notice in notices)


def _version_line(version: list[tuple]) -> tuple[str, str]:
    """(run id, a sentence naming the warehouse version): the version's own build time, never now()."""
    if not version:
        return "", '<p class="note">The warehouse records no version.</p>'
    run_id, built_at = version[0]
    try:
        built = dt.datetime.fromisoformat(built_at).astimezone(dt.timezone.utc).strftime("%d %B %Y %H:%M UTC")
    except (TypeError, ValueError):
        built = built_at
    return run_id or "", (f'<p class="note">Warehouse version built on {_e(built)} by run {_e((run_id or "")[:8])}. '
                          "Figures count recommendations as printed in each review's table; a recommendation "
                          "addressed to two bodies counts once for each body.</p>")


def render_report(query: Query, title: str = "Domestic Homicide Review recommendations") -> str:
    (reviews, recommendations) = query("SELECT COUNT(*), COALESCE(SUM(recommendations), 0) FROM v_reviews")[0]
    (agencies,) = query("SELECT COUNT(*) FROM v_agency_summary")[0]
    top_bodies = query("SELECT agency_name, agency_sector, agency_level, recommendations, reviews, csps "
                       "FROM v_agency_summary ORDER BY recommendations DESC, agency_name LIMIT 15")
    # Every ORDER BY ends on a unique column: ties in another order would change the bytes.
    repeated = query("SELECT representative_text, reviews, csps, first_published_year, last_published_year, sectors, agreement "
                     "FROM v_repeated_recommendations ORDER BY reviews DESC, size DESC, representative_text LIMIT 15")
    national = query("SELECT COUNT(DISTINCT review_id || '|' || rec_label) FROM v_recommendation_agencies "
                     "WHERE agency_level = 'national'")[0][0]
    quality = query("SELECT severity, COUNT(*) FROM v_data_quality GROUP BY severity ORDER BY severity")
    findings = query("SELECT review_id, finding, severity FROM v_data_quality "
                     "ORDER BY severity, review_id, finding LIMIT 50")
    run_id, version_line = _version_line(query("SELECT run_id, built_at FROM warehouse_version"))
    body_items = [(r[0], int(r[3])) for r in top_bodies]
    sections = [
        f"<h1>{_e(title)}</h1>",
        version_line,
        _notices(query),
        _table("At a glance", ["measure", "value"], [("reviews", int(reviews)), ("recommendations", int(recommendations)),
                                                    ("bodies addressed", int(agencies)),
                                                    ("recommendations to national bodies", int(national))]),
        _trend(query, "v_sector_year_summary", "agency_sector", "sector", "Recommendations by sector addressed"),
        _trend(query, "v_theme_year_summary", "theme", "theme", "Recommendations by theme"),
        "<h2>Most addressed bodies</h2>",
        ('<figure class="chart"><figcaption>The 15 bodies addressed by the most recommendations</figcaption>'
         + _bars("most-addressed-bodies", "Most addressed bodies", body_items, "most-addressed-bodies-table")
         + _table("Most addressed bodies", ["body", "sector", "level", "recommendations", "reviews", "CSPs"],
                  [(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in top_bodies],
                  "most-addressed-bodies-table") + "</figure>")
        if body_items else '<p class="note">No bodies addressed.</p>',
        "<h2>Most repeated recommendations</h2>",
        '<p class="note">The same ask made in several reviews, in different words. Agreement: how sure the '
        'same-ask model is that the whole group is one ask (from 0 to 1; the README says how often groups of each '
        'agreement were right on labelled recommendations); a group named in repeat_overrides.csv is yours.</p>',
        _table("Most repeated recommendations", ["recommendation (representative wording)", "reviews", "CSPs",
                                                 "first year", "last year", "sectors addressed", "agreement"],
               [(r[0], int(r[1]), int(r[2]), _year(r[3]), _year(r[4]), r[5], _agreement(r[6])) for r in repeated]),
        "<h2>Data quality</h2>",
        _table("Findings by severity", ["severity", "findings"], [(s, int(n)) for s, n in quality]),
        _table("Findings (first 50)", ["review", "finding", "severity"], findings),
    ]
    return (f'<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1">'
            f'<meta name="{VERSION_META}" content="{_e(run_id)}"><title>{_e(title)}</title><style>{_STYLE}</style>'
            f'</head><body><main>{"".join(sections)}</main></body></html>\n')


def report_path(data_dir: Path) -> Path:
    return data_dir / "report" / "index.html"


def version_reported(path: Path) -> str | None:
    """The warehouse version the report at ``path`` describes; None if there is no report."""
    try:
        with open(path, "rb") as handle:
            found = _VERSION_PATTERN.search(handle.read(4096))  # the tag is in the <head>
    except OSError:
        return None
    return found.group(1).decode() if found else None


def write_report(query: Query, path: Path) -> Path:
    write_atomically(path, render_report(query).encode("utf-8"))
    return path
