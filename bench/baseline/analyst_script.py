"""The baseline: the straightforward script an analyst would write for the same job.

requests and BeautifulSoup, pages fetched one after another, pandas, and one ORM insert per row
into the same DuckDB schema (dhr-etl's SQLModel tables). No incremental fetching, no parallelism.

"One insert per row" is taken literally: each object is flushed as it is added, so every row is
one INSERT statement, all in one transaction. Left to itself, SQLAlchemy 2's unit of work would
pack about 1,000 added rows into one multi-row INSERT ("insertmanyvalues"), which is a bulk load,
not the per-row script the benchmark compares against. The script counts its INSERT statements
and reports them, so the harness can show that the baseline is what it claims to be.
The benchmark harness checks that it produces the same counts as dhr-etl, or it is no baseline.

    python bench/baseline/analyst_script.py <base url> <warehouse.duckdb>   → JSON on stdout
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterator
from urllib.parse import urljoin

import pandas as pd
import requests
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel

from dhr_etl.warehouse.models import BridgeRecommendationAgency, DimAgency, DimCsp, DimReview, FactRecommendation

REVIEW_LINK = re.compile(r"/sources/dhr/([0-9a-f]{8}-[a-z0-9-]+)/$")


def key(*parts: object) -> int:
    return int(hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:15], 16)


def fetch(base: str) -> tuple[dict[str, str], int, int]:
    session = requests.Session()
    pages, requests_made, received = {}, 0, 0
    url, links = base, []
    while url:
        response = session.get(url, timeout=30)
        requests_made += 1
        received += len(response.content)
        soup = BeautifulSoup(response.text, "html.parser")
        links += [urljoin(url, a["href"]) for a in soup.find_all("a", href=True) if REVIEW_LINK.search(urljoin(url, a["href"]))]
        following = soup.find("a", rel="next")
        url = urljoin(url, following["href"]) if following else None
    for link in dict.fromkeys(links):
        response = session.get(link, timeout=30)
        requests_made += 1
        received += len(response.content)
        pages[REVIEW_LINK.search(link).group(1)] = response.text
    return pages, requests_made, received


def addressees(cell) -> list[str]:
    items = [li.get_text(" ", strip=True) for li in cell.find_all("li")]
    if not items:
        items = [part.strip() for part in cell.get_text("|", strip=True).split("|")]
    return [i for i in items if i]


def parse(pages: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    reviews, recs, pairs = [], [], []
    for review_id, html in pages.items():
        soup = BeautifulSoup(html, "html.parser")
        text = soup.get_text("\n")
        csp = re.search(r"CSP:?\s*\n?\s*([^\n]+)", text)
        reviews.append({"review_id": review_id, "csp": csp.group(1).strip() if csp else "unknown",
                        "title": soup.h1.get_text(strip=True) if soup.h1 else None})
        for table in soup.find_all("table"):
            header = [c.get_text(strip=True) for c in table.find("tr").find_all(["th", "td"])]
            if "Recommendation" not in header:
                continue
            for row in table.find_all("tr")[1:]:
                cells = row.find_all("td")
                if len(cells) < 3 or not cells[1].get_text(strip=True):
                    continue
                label = cells[0].get_text(strip=True)
                recs.append({"review_id": review_id, "label": label, "text": cells[1].get_text(" ", strip=True)})
                for position, name in enumerate(addressees(cells[2]), start=1):
                    pairs.append({"review_id": review_id, "label": label, "position": position, "name": name})
    return pd.DataFrame(reviews), pd.DataFrame(recs), pd.DataFrame(pairs)


def load(reviews: pd.DataFrame, recs: pd.DataFrame, pairs: pd.DataFrame, path: str) -> tuple[int, int]:
    """Load the rows one INSERT each; returns (rows, INSERT statements that reached the database)."""
    engine = create_engine(f"duckdb:///{path}", poolclass=NullPool)
    inserts = 0

    @event.listens_for(engine, "before_cursor_execute")
    def count_inserts(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        nonlocal inserts
        inserts += statement.lstrip().upper().startswith("INSERT")

    SQLModel.metadata.create_all(engine, tables=[m.__table__ for m in (DimCsp, DimAgency, DimReview,
                                                                        FactRecommendation, BridgeRecommendationAgency)])
    added = 0
    with Session(engine) as session:
        for row in rows(reviews, recs, pairs):
            session.add(row)
            session.flush()  # one INSERT per row
            added += 1
        session.commit()
    engine.dispose()
    return added, inserts


def rows(reviews: pd.DataFrame, recs: pd.DataFrame, pairs: pd.DataFrame) -> Iterator[SQLModel]:
    """Every row of the five tables, as ORM objects, dimensions first."""
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for csp in reviews["csp"].unique():
        yield DimCsp(csp_key=key(csp), csp_name=csp, csp_slug=csp.lower(), spellings=csp)
    for name in pairs["name"].str.lower().unique() if len(pairs) else []:
        yield DimAgency(agency_key=key(name), agency_name=name, normalised_name=name, agency_sector="other",
                        agency_level="local", is_group=False, is_generic=False)
    counts = recs.groupby("review_id").size() if len(recs) else {}
    for row in reviews.itertuples():
        yield DimReview(review_key=key(row.review_id), review_id=row.review_id, csp_key=key(row.csp),
                        title=row.title, recommendations=int(counts.get(row.review_id, 0)),
                        source_url=row.review_id, content_sha256="", data_as_of=now, status="current")
    for i, row in enumerate(recs.itertuples()):
        yield FactRecommendation(recommendation_key=key(row.review_id, row.label), review_key=key(row.review_id),
                                 rec_label=row.label, rec_order=0, rec_position=i, recommendation=row.text)
    for row in pairs.itertuples():
        yield BridgeRecommendationAgency(recommendation_key=key(row.review_id, row.label),
                                         addressee_position=row.position, agency_key=key(row.name.lower()),
                                         alias_key=0, addressed_as=row.name, resolved_by="name")


def main() -> None:
    base, path = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    pages, requests_made, received = fetch(base)
    fetched = time.perf_counter()
    reviews, recs, pairs = parse(pages)
    rows_loaded, inserts = load(reviews, recs, pairs, path)
    done = time.perf_counter()
    print(json.dumps({"reviews": len(reviews), "recommendations": len(recs), "pairs": len(pairs),
                      "rows_loaded": rows_loaded, "insert_statements": inserts, "requests": requests_made, "bytes": received, "fetch_seconds": fetched - started,
                      "parse_and_load_seconds": done - fetched, "seconds": done - started}))


if __name__ == "__main__":
    main()
