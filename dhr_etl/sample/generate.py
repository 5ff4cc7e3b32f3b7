"""Deterministic synthetic review pages, in the markup variations docs/design/SOURCE.md names.

Every page generated here says it is synthetic in its title and its summary, so nobody mistakes
one for a real review. The same seed always gives the same bytes (a test holds this), so the
bundled sample can be regenerated and reviewed in a diff:

    python -m dhr_etl.sample.generate --out dhr_etl/sample/library --count 11 --seed 2026
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import random
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from dhr_etl.transform.names import slugify

LONDON = ZoneInfo("Europe/London")
SYNTHETIC_MARK = "synthetic sample, not a real review"

CSPS = [
    "Manchester", "Birmingham", "Leeds", "Cardiff", "Swansea", "Kent", "Adur and Worthing", "Adur",
    "Nuneaton & Bedworth", "Brighton & Hove", "Tower Hamlets", "Cornwall", "Newcastle upon Tyne",
    "Blackpool", "Wrexham", "Southend-on-Sea",
]

# Realistic UK bodies as reviews print them, with spelling variants of the same body side by side.
ADDRESSEES = [
    ["Greater Manchester Police", "GMP", "Greater Manchester police"],
    ["West Midlands Police", "West Midlands police", "WMP"],
    ["West Mercia Police"],
    ["Kent Police"], ["South Wales Police"], ["Sussex Police"], ["Devon & Cornwall Police", "Devon and Cornwall Police"],
    ["Manchester University NHS Foundation Trust", "Manchester University NHS FT"],
    ["Leeds Teaching Hospitals NHS Trust"], ["Cardiff and Vale University Health Board"],
    ["NHS Birmingham and Solihull ICB", "Birmingham and Solihull Clinical Commissioning Group"],
    ["Children’s Services", "Children's Services", "children's services"],
    ["Adult Social Care", "Adult social care"],
    ["National Probation Service", "Probation Service", "The Probation Service"],
    ["Community Rehabilitation Company"],
    ["Housing Options"], ["Clarion Housing Group"], ["Peabody"],
    ["Women’s Aid", "Women's Aid"], ["Refuge"], ["IDVA Service", "IDVA service"],
    ["MARAC"], ["MARAC Steering Group"], ["Safeguarding Adults Board"],
    ["Community Safety Partnership"], ["All agencies", "All Agencies"], ["All health agencies"],
    ["GP practices", "GP Practices"], ["Housing Providers"],
    ["Department for Work and Pensions", "DWP"], ["Home Office"], ["Crown Prosecution Service", "CPS"],
    ["HM Courts & Tribunals Service", "HM Courts and Tribunals Service"],
    ["North West Ambulance Service"], ["Local schools"], ["Employers"],
]

ACTIONS = [
    "review its domestic abuse policy so that", "deliver training to front-line staff so that",
    "audit its record keeping so that", "update its information-sharing protocol so that",
    "raise awareness among staff and the public so that", "improve its IT systems so that",
    "strengthen its risk assessment practice so that", "work with partner agencies so that",
]
OUTCOMES = [
    "coercive and controlling behaviour is recognised and acted upon",
    "repeat referrals to MARAC are identified promptly",
    "victims are routinely asked about domestic abuse when seen alone",
    "information about risk is shared with the agencies that need it",
    "perpetrators' histories are checked before decisions are made",
    "older victims and carers are considered in DASH risk assessments",
    "the voice of the child is recorded and heard",
    "economic abuse is understood and responded to",
]

NUMBERING = ["R", "section", "lettered", "deep", "plain"]
META_MARKUP = ["list-span", "definition-list", "table", "paragraph-strong"]
ADDRESSEE_MARKUP = ["pipe", "list", "span", "br"]


@dataclass(frozen=True)
class SyntheticReview:
    review_id: str
    csp: str
    published: dt.date
    year_of_death: int | None
    declared: int | None
    summary: str
    recommendations: list[tuple[str, str, list[str]]]
    meta_markup: str
    addressee_markup: str

    @property
    def title(self) -> str:
        return f"{self.csp} review ({SYNTHETIC_MARK})"


def _labels(scheme: str, count: int, rng: random.Random) -> list[str]:
    if scheme == "R":
        return [f"R{i}" for i in range(1, count + 1)]
    if scheme == "plain":
        return [str(i) for i in range(1, count + 1)]
    section = rng.randint(6, 12)
    if scheme == "section":
        return [f"{section}.{i}" for i in range(1, count + 1)]
    if scheme == "lettered":
        return [f"{section + i // 3}.1 {'abc'[i % 3]}" for i in range(count)]
    return [f"{section}.1.{1 + i // 4}.{1 + i % 4}" for i in range(count)]


def generate_reviews(count: int, seed: int, library_scale: bool = False) -> list[SyntheticReview]:
    """``library_scale``: recommendations per review spread like the real library's (0 to 60,
    mostly under 20) instead of the small sample's 1 to 14."""
    rng = random.Random(seed)
    reviews = []
    start = int(dt.datetime(2016, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    end = int(dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc).timestamp())
    used_ids: set[str] = set()
    for index in range(count):
        uploaded = rng.randint(start, end)
        csp = CSPS[index % len(CSPS)]
        while (review_id := f"{uploaded:08x}-{slugify(csp)}") in used_ids:
            uploaded += 1
        used_ids.add(review_id)
        published = dt.datetime.fromtimestamp(uploaded, tz=LONDON).date().replace(day=1)
        if index == 3:  # a page whose published month disagrees with its id: a data-quality finding
            published = (published - dt.timedelta(days=40)).replace(day=1)
        if library_scale:
            rec_count = 0 if rng.random() < 0.04 else min(60, 1 + int(rng.expovariate(1 / 11)))
        else:
            rec_count = 0 if index == 5 else rng.randint(1, 14)
        labels = _labels(NUMBERING[index % len(NUMBERING)], rec_count, rng)
        recommendations = []
        for label in labels:
            bodies = rng.sample(ADDRESSEES, k=rng.choice([0, 1, 1, 1, 1, 2, 2, 3]) if index != 0 else 1)
            names = [rng.choice(variants) for variants in bodies]
            lead = names[0] if names else "The panel"
            text = f"{lead} to {rng.choice(ACTIONS)} {rng.choice(OUTCOMES)}."
            recommendations.append((label, text, names))
        rng.shuffle(recommendations) if index % 2 else recommendations.sort(key=lambda r: r[0])
        declared = rec_count + (1 if index == 4 else 0)  # one page declares more than its table holds
        reviews.append(SyntheticReview(
            review_id=review_id,
            csp=csp,
            published=published,
            year_of_death=None if index == 2 else published.year - rng.randint(1, 5),
            declared=declared,
            summary=(f"SYNTHETIC SAMPLE: generated by dhr-etl's sample generator (seed {seed}); it describes "
                     f"no real review or person. It exists to exercise the pipeline on the page layouts "
                     f"the library uses."),
            recommendations=recommendations,
            meta_markup=META_MARKUP[index % len(META_MARKUP)],
            addressee_markup=ADDRESSEE_MARKUP[index % len(ADDRESSEE_MARKUP)],
        ))
    return reviews


def _month(date: dt.date) -> str:
    return date.strftime("%B %Y")


def render_html(review: SyntheticReview) -> str:
    e = html.escape
    fields = [
        ("CSP", review.csp),
        ("Published", _month(review.published)),
        ("Year of death", str(review.year_of_death) if review.year_of_death else "Unknown"),
        ("Extracted", f"{review.declared} rec" + ("" if review.declared == 1 else "s")),
    ]
    if review.meta_markup == "list-span":
        meta = "<ul>" + "".join(f"<li><span>{e(k)}:</span> {e(v)}</li>" for k, v in fields) + "</ul>"
    elif review.meta_markup == "definition-list":
        meta = "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in fields) + "</dl>"
    elif review.meta_markup == "table":
        meta = "<table>" + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in fields) + "</table>"
    else:
        meta = "".join(f"<p><strong>{e(k)}:</strong> {e(v)}</p>" for k, v in fields)
    rows = "".join(
        f"<tr><td>{e(label)}</td><td>{e(text)}</td><td>{_addressee_cell(names, review.addressee_markup)}</td></tr>"
        for label, text, names in review.recommendations
    )
    table = (
        "<table><thead><tr><th>#</th><th>Recommendation</th><th>Addressed to</th></tr></thead>"
        f"<tbody>{rows}</tbody><tfoot><tr><td colspan=\"3\">Recommendations extracted from the "
        "published report. (Synthetic sample.)</td></tr></tfoot></table>"
        if review.recommendations else "<p>No recommendations were extracted.</p>"
    )
    return (
        "<!doctype html>\n<html lang=\"en-GB\">\n<head><meta charset=\"utf-8\">"
        f"<title>{e(review.title)}</title></head>\n<body>\n<main>\n"
        "<p>Source · Domestic Homicide Review</p>\n"
        f"<h1>{e(review.title)}</h1>\n{meta}\n"
        "<p><a href=\"https://example.org/synthetic-report.pdf\">View full report (PDF) ↗</a></p>\n"
        f"<section><h2>Summary</h2><p>{e(review.summary)}</p></section>\n"
        f"<section><h2>Extracted recommendations</h2>{table}</section>\n</main>\n</body>\n</html>\n"
    )


def _addressee_cell(names: list[str], markup: str) -> str:
    e = html.escape
    if markup == "pipe" or len(names) < 2:
        return e(" | ".join(names))
    if markup == "list":
        return "<ul>" + "".join(f"<li>{e(n)}</li>" for n in names) + "</ul>"
    if markup == "span":
        return "".join(f"<span>{e(n)}</span>" for n in names)
    return "<br>".join(e(n) for n in names)


def render_text(review: SyntheticReview) -> str:
    """The saved text rendition, as the reference page's ``.txt`` lays it out."""
    lines = [
        "Source · Domestic Homicide Review", review.title, f"CSP: {review.csp}",
        f"Published: {_month(review.published)}",
        f"Year of death: {review.year_of_death if review.year_of_death else 'Unknown'}",
        f"Extracted: {review.declared} rec" + ("" if review.declared == 1 else "s"),
        "View full report (PDF) ↗", "Summary", review.summary, "Extracted recommendations",
    ]
    if review.recommendations:
        lines += ["| # | Recommendation | Addressed to |", "|---|---|---|"]
        lines += [f"| {label} | {text} | {' | '.join(names)} |" for label, text, names in review.recommendations]
    return "\n".join(lines) + "\n"


def write_library(out: Path, count: int, seed: int, library_scale: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for review in generate_reviews(count, seed, library_scale):
        path = out / f"{review.review_id}.html"
        path.write_text(render_html(review), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=11)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    for path in write_library(args.out, args.count, args.seed):
        print(path)


if __name__ == "__main__":
    main()
