"""A static HTML report anyone can open offline: no server, no scripts, no external files.

Charts are inline SVG bars with text labels and a data table beside each, so the numbers are
readable by screen readers, in print and with images off.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from dhr_etl.files import write_atomically

Query = Callable[[str], list[tuple]]

VERSION_META = "dhr-etl-warehouse-version"
"""The report names, in a <meta> tag, the warehouse version (the id of the run that built it) its
figures come from, so that the quiet-night check can tell a report left behind by a run killed
between publishing and reporting (``dhr_etl/changes.py``)."""
_VERSION_PATTERN = re.compile(rb'<meta name="' + VERSION_META.encode() + rb'" content="([^"]*)">')

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.8rem}h2{margin-top:2.5rem;border-bottom:2px solid #ccc}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.3rem 0}
.bar{fill:#1d5fa8}.label{font-size:12px;fill:#1b1b1b}.note{color:#555;font-size:.9rem}
a{color:#1d5fa8}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_e(v)}</td>' if isinstance(v, int | float) else f"<td>{_e(v)}</td>"
                         for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bars(title: str, items: Sequence[tuple[str, int]]) -> str:
    """A horizontal bar chart as SVG, labelled, with a title and description for assistive tech."""
    if not items:
        return '<p class="note">No data.</p>'
    width, bar_area, row = 640, 300, 22
    top = max(v for _, v in items) or 1
    height = row * len(items) + 10
    bars = "".join(
        f'<text class="label" x="{width - bar_area - 8}" y="{i * row + 16}" text-anchor="end">{_e(label[:48])}</text>'
        f'<rect class="bar" x="{width - bar_area}" y="{i * row + 4}" width="{max(1, round(v / top * (bar_area - 40)))}" height="{row - 8}"/>'
        f'<text class="label" x="{width - bar_area + round(v / top * (bar_area - 40)) + 6}" y="{i * row + 16}">{v}</text>'
        for i, (label, v) in enumerate(items)
    )
    description = "; ".join(f"{label}: {v}" for label, v in items)
    return (f'<svg role="img" aria-labelledby="t{abs(hash(title))} d{abs(hash(title))}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title id="t{abs(hash(title))}">{_e(title)}</title>'
            f'<desc id="d{abs(hash(title))}">{_e(description)}</desc>{bars}</svg>')


def _by_year(query: Query, view: str, column: str, heading: str) -> str:
    rows = query(f"SELECT {column}, published_year, recommendations FROM {view} "
                 f"WHERE published_year IS NOT NULL ORDER BY published_year DESC, recommendations DESC")
    years = sorted({r[1] for r in rows}, reverse=True)
    parts = [f"<h2>{_e(heading)}</h2>"]
    for year in years[:3]:
        items = [(r[0], int(r[2])) for r in rows if r[1] == year]
        parts.append(f"<h3>{year}</h3>" + _bars(f"{heading}, {year}", items))
    parts.append("<details><summary>Every year, as a table</summary>" +
                 _table(f"{heading}: every year", [column.replace("agency_", "").replace("_", " "), "year",
                                                   "recommendations"], [(r[0], r[1], int(r[2])) for r in rows]) +
                 "</details>")
    return "".join(parts)


def render_report(query: Query, title: str = "Domestic Homicide Review recommendations") -> str:
    (reviews, recommendations) = query("SELECT COUNT(*), COALESCE(SUM(recommendations), 0) FROM v_reviews")[0]
    (agencies,) = query("SELECT COUNT(*) FROM v_agency_summary")[0]
    top_bodies = query("SELECT agency_name, agency_sector, agency_level, recommendations, reviews, csps "
                       "FROM v_agency_summary ORDER BY recommendations DESC, agency_name LIMIT 15")
    repeated = query("SELECT representative_text, reviews, csps, first_published_year, last_published_year, sectors "
                     "FROM v_repeated_recommendations ORDER BY reviews DESC, size DESC LIMIT 15")
    national = query("SELECT COUNT(DISTINCT review_id || '|' || rec_label) FROM v_recommendation_agencies "
                     "WHERE agency_level = 'national'")[0][0]
    quality = query("SELECT severity, COUNT(*) FROM v_data_quality GROUP BY severity ORDER BY severity")
    findings = query("SELECT review_id, finding, severity FROM v_data_quality ORDER BY severity, review_id LIMIT 50")
    generated = dt.datetime.now(dt.timezone.utc).strftime("%d %B %Y %H:%M UTC")
    version = query("SELECT run_id FROM warehouse_version")
    sections = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">Generated by dhr-etl on {generated}. Figures count recommendations as printed in each '
        f"review's table; a recommendation addressed to two bodies counts once for each body.</p>",
        _table("At a glance", ["measure", "value"], [("reviews", int(reviews)), ("recommendations", int(recommendations)),
                                                    ("bodies addressed", int(agencies)),
                                                    ("recommendations to national bodies", int(national))]),
        _by_year(query, "v_sector_year_summary", "agency_sector", "Recommendations by sector addressed"),
        _by_year(query, "v_theme_year_summary", "theme", "Recommendations by theme"),
        "<h2>Most addressed bodies</h2>",
        _bars("Most addressed bodies", [(r[0], int(r[3])) for r in top_bodies]),
        _table("Most addressed bodies", ["body", "sector", "level", "recommendations", "reviews", "CSPs"],
               [(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in top_bodies]),
        "<h2>Most repeated recommendations</h2>",
        '<p class="note">The same ask made in several reviews, in different words.</p>',
        _table("Most repeated recommendations", ["recommendation (representative wording)", "reviews", "CSPs",
                                                 "first year", "last year", "sectors addressed"],
               [(r[0], int(r[1]), int(r[2]), r[3], r[4], r[5]) for r in repeated]),
        "<h2>Data quality</h2>",
        _table("Findings by severity", ["severity", "findings"], [(s, int(n)) for s, n in quality]),
        _table("Findings (first 50)", ["review", "finding", "severity"], findings),
    ]
    return (f'<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1">'
            f'<meta name="{VERSION_META}" content="{_e(version[0][0] if version else "")}"><title>{_e(title)}</title><style>{_STYLE}</style>'
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
