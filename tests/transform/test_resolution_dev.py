"""Addressee resolution judged on the labelled development set (tests/transform/fixtures/resolution_dev/,
written by hand, independently of the resolver's rules): the goals hold on the held-out reviews.

    .venv/bin/python -m pytest -s -q tests/transform/test_resolution_dev.py

prints pairwise precision, recall and F1, context accuracy and sector accuracy for the dev and the
held-out split. Only the figures are shown, never the held-out rows: tuning reads the dev split alone.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from dhr_etl.parse.library import ADDRESSEE_SCHEMA
from dhr_etl.transform.names import normalise_name
from dhr_etl.transform.agencies import resolve_agencies
from dhr_etl.transform.csps import resolve_csps
from dhr_etl.transform.star import review_csp_names

DEV_SET = Path(__file__).parent / "fixtures" / "resolution_dev"
GOALS = {"f1": 0.95, "precision": 0.98, "context": 0.90, "sector": 0.95}
OTHER_CONVENTION = {"national probation service": "National Probation Service", "nps": "National Probation Service",
                    "all partner agencies": "All partner agencies", "all agencies involved": "All agencies involved"}
"""Where the dev set's labels and the project's other curated facts disagree: the dev set counts the
National Probation Service as today's Probation Service and "All partner agencies" as "All
agencies"; the catalogue (reference/bodies/probation.csv: a former body with a successor) and the
older labelled set (fixtures/addressee_labels.csv) keep them apart. Printed for information only."""


@dataclass(frozen=True)
class Scores:
    items: int
    precision: float
    recall: float
    f1: float
    context: float
    context_items: int
    sector: float

    def line(self, split: str) -> str:
        return (f"{split}: {self.items} addressees; pairwise precision {self.precision:.3f} recall {self.recall:.3f} "
                f"F1 {self.f1:.3f}; context {self.context:.3f} of {self.context_items}; sector {self.sector:.3f}")


def labelled_rows(split: str) -> list[dict[str, str]]:
    with open(DEV_SET / f"addressees_{split}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.lstrip().startswith("#")))


def resolve_labelled(rows: list[dict[str, str]]) -> tuple[list[int], dict[int, dict]]:
    """Each labelled addressee's predicted agency key, and the agencies; reviews are built as the
    parser builds them (one recommendation per printed addressee, in page order) and their CSPs
    placed as the pipeline places them."""
    position: Counter[str] = Counter()
    frame_rows = []
    for row in rows:
        position[row["review_id"]] += 1
        frame_rows.append({"review_id": row["review_id"], "rec_position": position[row["review_id"]],
                           "addressee_position": 1, "addressed_as": row["addressee_printed"]})
    frame = pl.DataFrame(frame_rows, schema=ADDRESSEE_SCHEMA)
    reviews = pl.DataFrame({"review_id": [r["review_id"] for r in rows], "csp_printed": [r["csp_printed"] for r in rows]}
                           ).unique("review_id", keep="first")
    resolution = resolve_agencies(frame, None, review_csp_names(reviews, *resolve_csps(reviews["csp_printed"])))
    agency = {(r["review_id"], r["rec_position"]): r["agency_key"] for r in resolution.pairs.iter_rows(named=True)}
    position.clear()
    predicted = []
    for row in rows:
        position[row["review_id"]] += 1
        predicted.append(agency[(row["review_id"], position[row["review_id"]])])
    return predicted, {r["agency_key"]: r for r in resolution.agencies.iter_rows(named=True)}


def pairs_within(groups: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def score(rows: list[dict[str, str]]) -> Scores:
    predicted, agencies = resolve_labelled(rows)
    truth = [r["truth_body"] for r in rows]
    true_pairs, predicted_pairs = pairs_within(Counter(truth)), pairs_within(Counter(predicted))
    both = pairs_within(Counter(zip(truth, predicted)))
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # The agency most items of a body were resolved to is that body's; an item needing context is
    # right when it got that agency, and the agency is a specific body.
    usual: dict[str, int] = {}
    for body in set(truth):
        usual[body] = Counter(p for t, p in zip(truth, predicted) if t == body).most_common(1)[0][0]
    needing = [i for i, r in enumerate(rows) if r["needs_context"].strip().lower() == "yes"]
    context_right = sum(predicted[i] == usual[truth[i]] and not agencies[predicted[i]]["is_generic"] for i in needing)
    sector_right = sum(agencies[p]["agency_sector"] == r["truth_sector"] for p, r in zip(predicted, rows))
    return Scores(len(rows), precision, recall, f1, context_right / len(needing) if needing else 1.0, len(needing),
                  sector_right / len(rows))


def test_the_dev_set_is_big_enough_to_mean_something() -> None:
    rows = labelled_rows("dev")
    assert len(rows) >= 300
    assert len({r["truth_body"] for r in rows}) >= 100
    assert sum(r["needs_context"].strip().lower() == "yes" for r in rows) >= 50


def under_the_other_convention(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row | {"truth_body": OTHER_CONVENTION.get(normalise_name(row["addressee_printed"]), row["truth_body"])}
            for row in rows]


def test_scores_on_the_dev_split() -> None:
    rows = labelled_rows("dev")
    print("\n" + score(rows).line("dev"))
    print(score(under_the_other_convention(rows)).line("dev, NPS and 'All partner agencies' kept apart"))


@pytest.mark.parametrize("goal", sorted(GOALS))
def test_goals_hold_on_the_held_out_split(goal: str, holdout_scores: Scores) -> None:
    assert getattr(holdout_scores, goal) >= GOALS[goal], holdout_scores.line("holdout")


@pytest.fixture(scope="module")
def holdout_scores() -> Scores:
    rows = labelled_rows("holdout")
    scores = score(rows)
    print("\n" + scores.line("holdout"))
    print(score(under_the_other_convention(rows)).line("holdout, NPS and 'All partner agencies' kept apart"))
    return scores
