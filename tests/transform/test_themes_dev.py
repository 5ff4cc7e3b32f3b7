"""Themes and repeated asks measured on the project's own labelled sets (tests/transform/fixtures/).

Nine sets, written by hand to mirror real DHR recommendations, independently of the rules, the
sample generator and each other (their READMEs say how), each by another author. The theme model
and its examples are written (`make themes-model`) from themes_dev..themes_dev5 (train AND
holdout: each holdout was measured once, blind, before it joined the training data) and the
training-only sets themes_dev6, themes_dev7 and themes_dev8; the same-ask model from the pairs and
clusters of themes_dev..themes_dev5 (themes_dev6's are a further check it never saw:
dhr_etl/transform/train_repeats.py says why). The BLIND evaluation is BLIND's holdout files
(themes_holdout.csv, pairs_holdout.csv, clusters_holdout.csv), which neither the rules, the
concepts, the models, the examples nor the thresholds saw; the floors are asserted there.
`pytest -s` prints every figure, the trained-on files' as lines for reference.

The issue's goals (themes hit rate >= 0.90, mean precision >= 0.80, "other" alone < 10%; same-ask
pairs precision >= 0.80, recall >= 0.70) are printed beside the figures. Where they are not met
yet, the assertions hold the level measured when this version was built (FLOORS), so that no
change can make the blind figures worse unnoticed; raise a floor when a change lifts it.
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

FIXTURES = Path(__file__).parent / "fixtures"
DEV = FIXTURES / "themes_dev"
DEV2 = FIXTURES / "themes_dev2"
DEV3 = FIXTURES / "themes_dev3"
DEV4 = FIXTURES / "themes_dev4"
DEV5 = FIXTURES / "themes_dev5"
DEV6 = FIXTURES / "themes_dev6"
DEV9 = FIXTURES / "themes_dev9"
DEV10 = FIXTURES / "themes_dev10"
BLIND = FIXTURES / "themes_dev11"
GOALS = {"hit rate": 0.90, "mean precision": 0.80, "pair precision": 0.80, "pair recall": 0.70}
FLOORS = {"hit rate": 0.94, "mean precision": 0.88, "other alone": 0.06, "pair precision": 0.68, "pair recall": 0.64,
          "cluster precision": 0.36, "cluster recall": 0.52}
"""Blind figures (themes_dev11, an eleventh author, blind holdout only) measured once on 2026-11-28 at
17:05 UTC: themes hit 0.947, mean precision 0.890, "other" alone 0.058 (24 of 416); pairs 0.689 /
0.645; clusters 0.365 / 0.529. The models at the start of that session on the same files: themes
0.928 / 0.850 / 0.053, pairs 0.663 / 0.536, clusters 0.405 / 0.480. The earlier blind sets, each
measured once on the then newest version and never trained on since, are printed (with floors) by
test_the_earlier_blind_sets_for_reference: themes_dev10 (16:23) themes 0.917 / 0.850 / 0.041, pairs
0.699 / 0.527, clusters 0.387 / 0.345 (start of the session: 0.889 / 0.815 / 0.048, 0.645 / 0.364,
0.438 / 0.333); themes_dev9 (16:15) themes 0.953 / 0.863 / 0.057, pairs 0.635 / 0.555, clusters
0.493 / 0.379 (start: 0.913 / 0.804 / 0.040, 0.688 / 0.482, 0.585 / 0.437). themes_dev5's holdout
(16:05), a harder author, since trained on: 0.826 / 0.756 / 0.059, pairs 0.495 / 0.409, clusters
0.291 / 0.150 (start: 0.780 / 0.717 / 0.068, 0.550 / 0.400, 0.385 / 0.280). Before: themes_dev4's
0.888 / 0.830 / 0.067, pairs 0.839 / 0.534; themes_dev3's 0.815 / 0.807 / 0.101, pairs 0.744 / 0.527.
Rounded down (and "other alone" up): a regression guard, not the goal."""
TRAINED_ON_FLOORS = {"hit rate": 0.85, "mean precision": 0.85, "cluster precision": 0.5, "cluster recall": 0.2}
"""themes_dev's files are training data now: these only catch a model that no longer fits them."""
REC_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String}


def rows(name: str, folder: Path = DEV) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def theme_figures(name: str, folder: Path = DEV) -> dict[str, float]:
    """hit rate (a predicted theme is accepted), mean precision over themes, share 'other' alone."""
    labelled = rows(name, folder)
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


def pair_figures(name: str, folder: Path = DEV) -> dict[str, float]:
    """Each labelled pair's two texts among all the file's texts (each in its own review), grouped
    by the pipeline's grouping; a pair is found when both land in one group."""
    labelled = rows(name, folder)
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


def cluster_figures(held_out: bool, name: str = "clusters.csv", folder: Path = DEV) -> dict[str, float]:
    """Pairwise precision and recall of grouping over the labelled clusters (singletons included)."""
    labelled = [r for r in rows(name, folder) if folder != DEV or r["cluster_id"].startswith("h-") == held_out]
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


def blind(name: str) -> Path:
    if not (BLIND / name).exists():
        pytest.skip(f"the blind holdout {BLIND.name}/{name} is not in this checkout")
    return BLIND


def test_themes_on_the_training_files_for_reference() -> None:
    for folder, name in ((DEV, "themes_train.csv"), (DEV, "themes_holdout.csv"), (DEV2, "themes_train.csv"),
                         (DEV2, "themes_holdout.csv"), (DEV3, "themes_train.csv"), (DEV3, "themes_holdout.csv"),
                         (DEV4, "themes_train.csv"), (DEV4, "themes_holdout.csv"), (DEV5, "themes_train.csv"),
                         (DEV5, "themes_holdout.csv"), (DEV6, "themes_train.csv"), (FIXTURES / "themes_dev7", "themes_train.csv"),
                         (FIXTURES / "themes_dev8", "themes_train.csv")):
        if not (folder / name).exists():
            print(f"\n{folder.name}/{name} is not in this checkout")
            continue
        figures = theme_figures(name, folder)
        show(f"themes, {folder.name}/{name} (trained on)", figures)
        if folder == DEV:
            assert figures["hit rate"] >= TRAINED_ON_FLOORS["hit rate"]
            assert figures["mean precision"] >= TRAINED_ON_FLOORS["mean precision"]


def test_themes_on_blind_held_out_recommendations() -> None:
    figures = theme_figures("themes_holdout.csv", blind("themes_holdout.csv"))
    show(f"themes, BLIND HOLDOUT {BLIND.name}/themes_holdout.csv", figures)
    print(f"goals: hit rate {GOALS['hit rate']}, mean precision {GOALS['mean precision']}, other alone < 0.10")
    assert figures["n"] >= 100
    assert figures["hit rate"] >= FLOORS["hit rate"]
    assert figures["mean precision"] >= FLOORS["mean precision"]
    assert figures["other alone"] <= FLOORS["other alone"]


@pytest.mark.parametrize(("folder", "name"), [(DEV, "pairs_train.csv"), (DEV, "pairs_holdout.csv"), (DEV2, "pairs_train.csv"),
                                              (DEV2, "pairs_holdout.csv"), (DEV3, "pairs_train.csv"), (DEV3, "pairs_holdout.csv"),
                                              (DEV4, "pairs_train.csv"), (DEV4, "pairs_holdout.csv"), (DEV5, "pairs_train.csv"),
                                              (DEV5, "pairs_holdout.csv")])
def test_same_ask_pairs_trained_on_for_reference(folder: Path, name: str) -> None:
    if not (folder / name).exists():
        pytest.skip(f"{folder.name}/{name} is not in this checkout")
    figures = pair_figures(name, folder)
    show(f"same-ask pairs, {folder.name}/{name} (trained on)", figures)
    assert figures["pairs"] >= 100


def test_same_ask_pairs_blind() -> None:
    figures = pair_figures("pairs_holdout.csv", blind("pairs_holdout.csv"))
    show(f"same-ask pairs, BLIND HOLDOUT {BLIND.name}/pairs_holdout.csv", figures)
    print(f"goals: precision {GOALS['pair precision']}, recall {GOALS['pair recall']}")
    assert figures["precision"] >= FLOORS["pair precision"] and figures["recall"] >= FLOORS["pair recall"]


def test_clusters_of_the_same_ask_blind() -> None:
    figures = cluster_figures(True, "clusters_holdout.csv", blind("clusters_holdout.csv"))
    show(f"clusters, BLIND HOLDOUT {BLIND.name}/clusters_holdout.csv", figures)
    assert figures["precision"] >= FLOORS["cluster precision"] and figures["recall"] >= FLOORS["cluster recall"]


@pytest.mark.parametrize(("folder", "themes_floor", "pairs_floor"), [
    (DEV9, (0.94, 0.85), (0.63, 0.55)),
    (DEV10, (0.91, 0.84), (0.69, 0.52)),
])
def test_the_earlier_blind_sets_for_reference(folder: Path, themes_floor: tuple[float, float],
                                              pairs_floor: tuple[float, float]) -> None:
    """The sets that were blind before BLIND (each measured once; no model trains on them): printed,
    with floors just under their blind figures (hit rate and mean precision; pair precision and
    recall) as a further regression guard."""
    themes = theme_figures("themes_holdout.csv", folder)
    show(f"themes, {folder.name}/themes_holdout.csv (blind once, not trained on)", themes)
    pairs = pair_figures("pairs_holdout.csv", folder)
    show(f"same-ask pairs, {folder.name}/pairs_holdout.csv (blind once, not trained on)", pairs)
    clusters = cluster_figures(True, "clusters_holdout.csv", folder)
    show(f"clusters, {folder.name}/clusters_holdout.csv (blind once, not trained on)", clusters)
    assert themes["hit rate"] >= themes_floor[0] and themes["mean precision"] >= themes_floor[1]
    assert pairs["precision"] >= pairs_floor[0] and pairs["recall"] >= pairs_floor[1]


def test_same_ask_pairs_and_clusters_of_the_training_only_set() -> None:
    """themes_dev6 trains the theme model only: the same-ask model leaves its pairs and clusters
    out (dhr_etl/transform/train_repeats.py says why), so they are a further check it never saw.
    Printed for reference, with a floor only against collapse: the set was written as training
    data, not as a blind holdout, and its hard negatives are harder than the blind sets'."""
    pairs = pair_figures("pairs_train.csv", DEV6)
    show(f"same-ask pairs, {DEV6.name}/pairs_train.csv (not trained on by the same-ask model)", pairs)
    clusters = cluster_figures(True, "clusters_train.csv", DEV6)
    show(f"clusters, {DEV6.name}/clusters_train.csv (not trained on by the same-ask model)", clusters)
    assert pairs["precision"] >= 0.5 and pairs["recall"] >= 0.4


def test_clusters_of_the_same_ask_across_reviews() -> None:
    """The earlier sets' labelled clusters (trained on: pairs drawn from them train the same-ask model)."""
    show("clusters, themes_dev training split (trained on)", cluster_figures(held_out=False))
    for folder in (DEV2, DEV3, DEV4, DEV5):
        show(f"clusters, {folder.name}/clusters_holdout.csv (trained on)", cluster_figures(True, "clusters_holdout.csv", folder))
    figures = cluster_figures(held_out=True)
    show("clusters, themes_dev h- split (trained on)", figures)
    assert figures["precision"] >= TRAINED_ON_FLOORS["cluster precision"]
    assert figures["recall"] >= TRAINED_ON_FLOORS["cluster recall"]
