"""Themes and repeated asks measured on the project's own labelled set (tests/transform/fixtures/themes_dev/).

The set was written by hand to mirror real DHR recommendations, independently of the rules and
the sample generator (its README says how). The model is trained on themes_train.csv only; the
goals are asserted on the held-out files, which neither the rules nor the model saw while being
built. `pytest -s` prints every figure.

The issue's goals (themes hit rate >= 0.90, mean precision >= 0.80, "other" alone < 10%; same-ask
pairs precision >= 0.80, recall >= 0.70) are printed beside the figures. Where they are not met
yet, the assertions hold the level measured when this version was built (FLOORS), so that no
change can make the held-out figures worse unnoticed; raise a floor when a change lifts it.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from dhr_etl.transform.repeats import group_repeats
from dhr_etl.transform.themes import THEMES, classify_recommendations

DEV = Path(__file__).parent / "fixtures" / "themes_dev"
GOALS = {"hit rate": 0.90, "mean precision": 0.80, "pair precision": 0.80, "pair recall": 0.70}
FLOORS = {"hit rate": 0.74, "mean precision": 0.72, "pair precision": 0.40, "pair recall": 0.25,
          "cluster precision": 0.75, "cluster recall": 0.05}
"""Held-out figures measured on 2026-11-28 (hit 0.757, precision 0.735; pairs 0.44 / 0.29; clusters
1.00 / 0.07), rounded down: a regression guard, not the goal."""
REC_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String}


def rows(name: str) -> list[dict[str, str]]:
    with (DEV / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def theme_figures(name: str) -> dict[str, float]:
    """hit rate (a predicted theme is accepted), mean precision over themes, share 'other' alone."""
    labelled = rows(name)
    recs = pl.DataFrame([(r["review_id"], i, r["text"]) for i, r in enumerate(labelled)], schema=REC_SCHEMA, orient="row")
    predicted: dict[int, set[str]] = defaultdict(set)
    for position, theme in classify_recommendations(recs).select("rec_position", "theme").iter_rows():
        predicted[position].add(theme)
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    hits = other_alone = 0
    for i, row in enumerate(labelled):
        accepted = {t.strip() for t in row["themes"].split("|") if t.strip()}
        hits += bool(predicted[i] & accepted)
        other_alone += predicted[i] == {"other"}
        for theme in predicted[i]:
            tp[theme] += theme in accepted
            fp[theme] += theme not in accepted
    precisions = {t: tp[t] / (tp[t] + fp[t]) for t in THEMES if tp[t] + fp[t]}
    return {"n": len(labelled), "hit rate": hits / len(labelled),
            "mean precision": sum(precisions.values()) / len(precisions), "other alone": other_alone / len(labelled),
            **{f"precision {t}": p for t, p in precisions.items()}}


def pair_figures(name: str) -> dict[str, float]:
    """Each labelled pair's two texts among all the file's texts (each in its own review), grouped
    by the pipeline's grouping; a pair is found when both land in one group."""
    labelled = rows(name)
    texts = sorted({(r["review_a"], r["text_a"]) for r in labelled} | {(r["review_b"], r["text_b"]) for r in labelled})
    position = {key: i for i, key in enumerate(texts)}
    recs = pl.DataFrame([(review, i, text) for i, (review, text) in enumerate(texts)], schema=REC_SCHEMA, orient="row")
    group = dict(group_repeats(recs).select("rec_position", "repeat_group_key").iter_rows())
    tp = fp = fn = 0
    for r in labelled:
        a, b = group.get(position[(r["review_a"], r["text_a"])]), group.get(position[(r["review_b"], r["text_b"])])
        together = a is not None and a == b
        same = r["same_ask"].strip() == "1"
        tp, fp, fn = tp + (together and same), fp + (together and not same), fn + (same and not together)
    return {"pairs": len(labelled), "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0}


def cluster_figures(held_out: bool) -> dict[str, float]:
    """Pairwise precision and recall of grouping over the labelled clusters (singletons included)."""
    labelled = [r for r in rows("clusters.csv") if r["cluster_id"].startswith("h-") == held_out]
    recs = pl.DataFrame([(r["review_id"], i, r["text"]) for i, r in enumerate(labelled)], schema=REC_SCHEMA, orient="row")
    group = dict(group_repeats(recs).select("rec_position", "repeat_group_key").iter_rows())
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(labelled)), 2):
        if labelled[i]["review_id"] == labelled[j]["review_id"]:
            continue
        truth = labelled[i]["cluster_id"] == labelled[j]["cluster_id"]  # singletons have ids of their own
        found = group.get(i) is not None and group.get(i) == group.get(j)
        tp, fp, fn = tp + (truth and found), fp + (found and not truth), fn + (truth and not found)
    return {"texts": len(labelled), "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0}


def show(title: str, figures: dict[str, float]) -> None:
    print(f"\n{title}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()))


def test_themes_on_the_training_file_for_reference() -> None:
    figures = theme_figures("themes_train.csv")
    show("themes, training file", figures)
    assert figures["n"] >= 400


def test_themes_on_held_out_recommendations() -> None:
    figures = theme_figures("themes_holdout.csv")
    show("themes, HELD OUT", figures)
    print(f"goals: hit rate {GOALS['hit rate']}, mean precision {GOALS['mean precision']}, other alone < 0.10")
    assert figures["n"] >= 200
    assert figures["hit rate"] >= FLOORS["hit rate"]
    assert figures["mean precision"] >= FLOORS["mean precision"]
    assert figures["other alone"] < 0.10


@pytest.mark.parametrize("name", ["pairs_train.csv", "pairs_holdout.csv"])
def test_same_ask_pairs(name: str) -> None:
    figures = pair_figures(name)
    show(f"same-ask pairs, {name}", figures)
    print(f"goals: precision {GOALS['pair precision']}, recall {GOALS['pair recall']}")
    if "holdout" in name:
        assert figures["precision"] >= FLOORS["pair precision"] and figures["recall"] >= FLOORS["pair recall"]


def test_clusters_of_the_same_ask_across_reviews_held_out() -> None:
    show("clusters, training", cluster_figures(held_out=False))
    figures = cluster_figures(held_out=True)
    show("clusters, HELD OUT", figures)
    assert figures["precision"] >= FLOORS["cluster precision"] and figures["recall"] >= FLOORS["cluster recall"]
