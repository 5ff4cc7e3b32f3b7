"""Train the same-ask model (dhr_etl/reference/repeat_model.csv) from labelled pairs.

    make themes-model        # trains the theme model, then this (python -m dhr_etl.transform.train_themes)
    python -m dhr_etl.transform.train_repeats --by-set   # also prints leave-one-set-out precision and recall
    python -m dhr_etl.transform.train_repeats --by-set --grouped   # ... and of grouping each held-out set

Labelled pairs (same_ask 1 or 0) come from every pair file in TRAINING_PAIRS that exists, and
from the labelled clusters: every two rows of one cluster from different reviews (same ask), and
the pairs of different asks that grouping would actually weigh: each row with the rows of other
clusters (and singletons) of its split nearest to it in meaning (NEAREST_NEGATIVES of them).
All the other pairs of different asks are easy, and thousands of them would teach the model
nothing about the pairs it is asked to judge. The blind sets (see PAIR_SETS) are never read. Word weights
(TF-IDF) are taken over all the labelled texts together, as over a library. A network of one hidden
layer over the standardised features of :mod:`dhr_etl.transform.same_ask` (its measures and the
products of the two texts' vectors, dimension by dimension), trained by scikit-learn (the ``train``
extra of pyproject.toml, installed by the lock file) and written as plain numbers that numpy scores:
seeded and on one thread, so the same labels give the same weights.
"""

from __future__ import annotations

import argparse
import itertools
import warnings
from pathlib import Path

import numpy as np
import polars as pl

from dhr_etl.transform.repeats import REPEAT_THRESHOLD, ask_words_of, group_repeats
from dhr_etl.transform.rules import REFERENCE_DIR
from dhr_etl.transform.same_ask import (FEATURES, MODEL_FILE, OVERLAP, AskWords, SameAskModel, corrected_probability, features,
                                        model_rows, shared_opening)
from dhr_etl.transform.train_themes import FIXTURES, LABELLED_SETS, TRAINING_FILES, labelled_rows, write_generated_csv

FORMER_BLIND_PAIR_SETS = tuple(f"themes_dev{n}" for n in (50, 51, 52, 53, 58, 59, 60, 61, *range(70, 78), *range(84, 166)))
"""Blind sets whose pairs and clusters train the same-ask model since session 36, while their theme
files stay blind (the theme examples' vote grows with every example: the first twenty-two of these
sets would make deciding themes ~18% slower for 0.001-0.003 of hit rate and precision on the
thirty-eight blind sets left, themes_dev84 to themes_dev121). themes_dev128 to 133 were added in
session 37 (four of their six pair files are half hard negatives): chosen on themes_dev84 to 121,
pooled pairs 0.862 / 0.782 -> 0.864 / 0.781; on the eight sets written after, 0.734 / 0.676 ->
0.743 / 0.670 (tests/transform/test_themes_dev.py, session 37). Tried then and not kept: each
labelled hard negative counted twice (themes_dev84 to 121: 0.885 / 0.761; on four sets written
after, themes_dev142 to 145: 0.752 / 0.600 against 0.746 / 0.624).
Session 44 added themes_dev84 to 121 and 134 to 165 (seventy sets read dozens of times to choose
settings; 153,690 labelled pairs in all, about 31 minutes to train on one core), with the grouping
threshold 0.3 (repeats.REPEAT_THRESHOLD, where the figures are)."""
PAIR_SETS = tuple(LABELLED_SETS) + FORMER_BLIND_PAIR_SETS
"""The labelled sets whose pairs and clusters train the same-ask model: the sets the theme model
trains on (those with no pair or cluster files, themes_dev7 and themes_dev8, add none), every set
but the blind ones (tests/transform/test_themes_dev.py's PAIR_BLIND_SETS, never read here). themes_dev9..themes_dev13 and
themes_dev16..themes_dev23, themes_dev26..themes_dev41, themes_dev46..themes_dev49 and themes_dev78..themes_dev83 were blind sets, each measured
once or twice (the figures are in that test's docstrings), and train since; so do FORMER_BLIND_PAIR_SETS'
pairs and clusters.
themes_dev6 was once left out: with nine measures and five other sets its many high-overlap hard
negatives pulled the near-verbatim repeats of tests/transform/fixtures/repeat_pairs.csv below the
threshold. With the synonym measures and eleven sets they are found at 1.00 / 0.85 (the guard's
floor is 0.80 / 0.80)."""
TRAINING_PAIRS = tuple(path for folder in PAIR_SETS for path in sorted((FIXTURES / folder).glob("pairs_*.csv")))
CLUSTER_FILES = tuple(path for folder in PAIR_SETS for path in sorted((FIXTURES / folder).glob("clusters*.csv")))
NEAREST_NEGATIVES = 8
"""Each labelled cluster row is paired, as a different ask, with this many rows of other clusters
nearest it in meaning: the hard negatives grouping meets. Grouping compared each text with its 8
nearest leaders when the shipped weights were trained; it now scores each wording against its
repeats.NEIGHBOURS (16) nearest, and this stays 8 so that `make themes-model` writes the shipped weights. Session
36, with the twenty-two sets of FORMER_BLIND_PAIR_SETS added: 16 gave pairs 0.837 / 0.747 on the
thirty-eight blind sets themes_dev84..121 (pooled), against 0.862 / 0.782 with 8."""
UNITS = 64
ALPHA = 1.0
EPOCHS = 200
NETWORKS = 5
"""The networks' shape and training (scikit-learn's hidden_layer_sizes, alpha: its L2 penalty,
max_iter: passes over the pairs; NETWORKS of them, seeded 0, 1, ...). Leave-one-set-out over the
twenty-three labelled pair sets before themes_dev26 and themes_dev27, judged one pair at a time (area
under the ROC curve): a logistic regression over the same features 0.697, gradient-boosted trees (300
of 15 leaves) 0.779, one network of 32 units 0.788 to 0.797 by seed (alpha 0.1: 0.769, 3: 0.768, 10:
0.692; 16 units 0.769, 64 units 0.774 at alpha 3), the mean of three 0.807. Trees score too slowly
in numpy for the nightly job (1.3 s per 30,000 pairs). With all 256 dimensions of what differs
(same_ask.DIFFERENCE_DIMENSIONS), five folds of the thirty-one sets, one pair at a time at 0.5 and
grouped at 0.5 with merging (pairs, clusters; precision / recall): three of 32 units 0.851 / 0.675,
0.847 / 0.615, 0.636 / 0.499; three of 64 0.858 / 0.675, 0.854 / 0.613, 0.655 / 0.500; three of 128
0.851 / 0.678; five of 64 0.859 / 0.676, 0.856 / 0.622, 0.664 / 0.510; alpha 0.5 0.846 / 0.677, alpha
2 (64 units) 0.850 / 0.665; 300 epochs as 200 (the networks stop before)."""


def labelled_pairs(pair_files: list[Path], cluster_files: list[Path] | tuple[Path, ...] = CLUSTER_FILES) -> tuple[AskWords, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(the texts' words, a, b, same, source of each pair): the pairs as indexes into one list of
    texts, which also holds the labelled theme texts (a library's worth of word weights); its words
    read once (:func:`ask_words_of`), for the clusters' nearest negatives here and the features."""
    texts: dict[str, int] = {}

    def index(text: str) -> int:
        return texts.setdefault(text, len(texts))

    a, b, same, source = [], [], [], []
    for path in pair_files:
        for row in labelled_rows(path):
            a.append(index(row["text_a"]))
            b.append(index(row["text_b"]))
            same.append(row["same_ask"].strip() == "1")
            source.append(path.as_posix())
    # One group of rows per file and split (themes_dev's clusters file holds both of its splits):
    # pairs are drawn within a group, as grouping meets the texts of one library.
    groups = [(path, [r for r in labelled_rows(path) if r["cluster_id"].startswith("h-") == split])
              for path in cluster_files if path.exists() for split in (False, True)]
    for _, rows in groups:
        for row in rows:
            index(row["text"])
    for path in TRAINING_FILES:
        if path.exists():
            for row in labelled_rows(path):
                index(row["text"])
    corpus = list(texts)
    prepared, _ = ask_words_of(pl.Series(corpus, dtype=pl.String))
    for path, rows in groups:
        if not rows:
            continue
        docs = np.array([texts[r["text"]] for r in rows])
        near = prepared.meaning[docs] @ prepared.meaning[docs].T
        np.fill_diagonal(near, -np.inf)
        nearest = np.argsort(-near, axis=1, kind="stable")[:, :NEAREST_NEGATIVES]
        for i, j in itertools.combinations(range(len(rows)), 2):
            x, y = rows[i], rows[j]
            together = x["cluster_id"] == y["cluster_id"]
            if x["review_id"] != y["review_id"] and (together or j in nearest[i] or i in nearest[j]):
                a.append(texts[x["text"]])
                b.append(texts[y["text"]])
                same.append(together)
                source.append(path.as_posix())
    return prepared, np.array(a), np.array(b), np.array(same), source


def fit(found: np.ndarray, same: np.ndarray) -> SameAskModel:
    """NETWORKS networks of UNITS hidden units over the standardised features (scikit-learn's
    MLPClassifier: Adam, seeded 0, 1, ..., one thread, so the same labels train the same weights),
    as one network whose log-odds is their mean: their hidden units side by side, each output
    weight divided by NETWORKS."""
    from sklearn.exceptions import ConvergenceWarning  # training only: `pip install .[train]`
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    if not np.isfinite(found).all():
        raise ValueError("a labelled pair has a feature that is not a finite number: the same-ask measures must be")
    centre, scale = found.mean(axis=0), np.maximum(found.std(axis=0), 1e-6)
    standardised = (found - centre) / scale
    networks = [MLPClassifier(hidden_layer_sizes=(UNITS,), alpha=ALPHA, max_iter=EPOCHS, random_state=seed)
                for seed in range(NETWORKS)]
    # One thread: a sum's order, and so its last bits, would otherwise depend on the machine's load.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # EPOCHS is the budget, chosen by cross-validation
        for network in networks:
            network.fit(standardised, same)
    return SameAskModel(centre, scale, hidden=np.hstack([n.coefs_[0] for n in networks]),
                        hidden_bias=np.concatenate([n.intercepts_[0] for n in networks]),
                        output=np.concatenate([n.coefs_[1][:, 0] for n in networks]) / NETWORKS,
                        output_bias=float(np.mean([n.intercepts_[1][0] for n in networks])))


def write_model(path: Path, sources: list[Path], model: SameAskModel) -> None:
    header, rows = model_rows(model)
    write_generated_csv(path, header,
                        f"Trained by `make themes-model` from {', '.join(s.as_posix() for s in sources)} and the labelled\n"
                        "clusters (the project's own labelled pairs; see their READMEs). Features: dhr_etl/transform/same_ask.py.\n"
                        "Do not edit by hand: correct a label or add pairs and retrain.", rows)


def set_folds(source: list[str], folds: int | None) -> list[list[str]]:
    """The labelled sets (folders) held out together, fold by fold: each set alone (leave one set
    out) when ``folds`` is None, else the sets in name order dealt into ``folds`` folds (five fits
    instead of one per set: minutes instead of half an hour, for comparing changes)."""
    sets = sorted({Path(s).parent.name for s in source})
    return [[name] for name in sets] if folds is None else [sets[i::folds] for i in range(folds)]


def fold_models(found: np.ndarray, same: np.ndarray, source: list[str], folds: int | None = None) -> list[tuple[list[str], SameAskModel]]:
    """(sets held out, model) per fold of :func:`set_folds`: each model fitted on the other sets'
    pairs and clusters only (the honest proxy for unseen authors). Fitted once, for both
    :func:`by_set` and :func:`grouped_by_set`."""
    folder = np.array([Path(s).parent.name for s in source])
    models = []
    for held in set_folds(source, folds):
        kept = ~np.isin(folder, held)
        models.append((held, fit(found[kept], same[kept])))
    return models


def by_set(found: np.ndarray, opening: np.ndarray, source: list[str],
           models: list[tuple[list[str], SameAskModel]]) -> tuple[np.ndarray, np.ndarray]:
    """(probability, judged): each pair file's pairs scored by the model of the fold that held its
    set out (:func:`fold_models`), corrected as grouping corrects them (same_ask.corrected_probability,
    ``opening``: the pairs' same_ask.shared_opening; the corrections were chosen for the shipped
    model's weights, and are to be checked again on blind sets after a retraining); judged marks the
    pairs of pair files (cluster-drawn pairs train, and are not scored)."""
    folder = np.array([Path(s).parent.name for s in source])
    judged = np.array(["pairs_" in Path(s).name for s in source])
    out = np.zeros(len(found))
    for held, model in models:
        these = np.isin(folder, held) & judged
        if these.any():
            out[these] = corrected_probability(model.probability(found[these]), found[these, OVERLAP], opening[these])
    return out, judged


def _grouped_counts(labelled: list[tuple[str, str, str]], together_truth, model: SameAskModel,
                    threshold: float) -> np.ndarray:
    """(true, false, missed) pairs when ``labelled`` texts (review, text, label) are grouped as a
    library would group them (since session 33 grouping does not depend on the texts' order, save on ties):
    ``together_truth(i, j)`` says whether texts i and j make one ask (None: not a labelled pair)."""
    recs = pl.DataFrame([(review, i, text) for i, (review, text, _) in enumerate(labelled)],
                        schema={"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String}, orient="row")
    group = dict(group_repeats(recs, threshold, model).select("rec_position", "repeat_group_key").iter_rows())
    counts = np.zeros(3, np.int64)
    for i, j in itertools.combinations(range(len(labelled)), 2):
        truth = together_truth(i, j)
        if truth is None:
            continue
        found = group.get(i) is not None and group.get(i) == group.get(j)
        counts += (truth and found, found and not truth, truth and not found)
    return counts


def grouped_by_set(models: list[tuple[list[str], SameAskModel]], pair_files: list[Path],
                   threshold: float = REPEAT_THRESHOLD) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per labelled set: (pair counts, cluster counts) as (true, false, missed), grouping its pair
    files' texts and its clusters with the model of the fold that held it out (:func:`fold_models`)."""
    out = {}
    for sets, model in models:
        for held in sets:
            out[held] = _grouped_set(held, model, pair_files, threshold)
    return out


def _grouped_set(held: str, model: SameAskModel, pair_files: list[Path], threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(pair counts, cluster counts) of one held-out set, its texts grouped by ``model``."""
    pairs = np.zeros(3, np.int64)
    for path in (p for p in pair_files if p.parent.name == held):
        rows = labelled_rows(path)
        texts = sorted({(r["review_a"], r["text_a"]) for r in rows} | {(r["review_b"], r["text_b"]) for r in rows})
        where = {key: i for i, key in enumerate(texts)}
        truth = {tuple(sorted((where[(r["review_a"], r["text_a"])], where[(r["review_b"], r["text_b"])]))):
                 r["same_ask"].strip() == "1" for r in rows}
        pairs += _grouped_counts([(rv, t, "") for rv, t in texts], lambda i, j: truth.get((i, j)), model, threshold)
    clusters = np.zeros(3, np.int64)
    for path in (p for p in CLUSTER_FILES if p.parent.name == held and p.exists()):
        rows = labelled_rows(path)
        for split in ({r["cluster_id"].startswith("h-") for r in rows}):
            part = [(r["review_id"], r["text"], r["cluster_id"]) for r in rows if r["cluster_id"].startswith("h-") == split]
            clusters += _grouped_counts(part, lambda i, j, part=part: None if part[i][0] == part[j][0] else part[i][2] == part[j][2],
                                        model, threshold)
    return pairs, clusters


def _precision_recall(counts: np.ndarray) -> str:
    true, false, missed = counts.tolist()
    if not true + false + missed:
        return "none labelled"
    return f"{true / max(true + false, 1):.3f} / {true / max(true + missed, 1):.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the same-ask model from labelled pairs.")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR / MODEL_FILE)
    parser.add_argument("--by-set", action="store_true", help="also print leave-one-set-out precision and recall")
    parser.add_argument("--grouped", action="store_true", help="with --by-set: also group each held-out set's texts")
    parser.add_argument("--folds", type=int, help="with --by-set: hold the sets out in this many folds, not one by one")
    args = parser.parse_args(argv)
    sources = [path for path in TRAINING_PAIRS if path.exists()]
    prepared, a, b, same, source = labelled_pairs(sources)
    found = features(prepared, a, b)
    model = fit(found, same)
    write_model(args.out, sources, model)
    print(f"trained on {len(same)} labelled pairs ({int(same.sum())} same ask): {NETWORKS} networks of {UNITS} hidden units over "
          f"{len(FEATURES)} features written to {args.out}")
    models = fold_models(found, same, source, args.folds) if args.by_set else []
    if args.by_set:
        predicted, judged = by_set(found, shared_opening(prepared, a, b), source, models)
        predicted, truth = predicted[judged], same[judged]
        held_out = f"{args.folds} folds of sets" if args.folds else "leave-one-set-out"
        print(f"{held_out}, {len(truth)} pairs of the pair files judged one by one (not grouped):")
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            hit = predicted >= threshold
            tp = int((hit & truth).sum())
            print(f"threshold {threshold}: precision {tp / max(int(hit.sum()), 1):.3f}, recall {tp / max(int(truth.sum()), 1):.3f}")
    if args.by_set and args.grouped:
        total_pairs, total_clusters = np.zeros(3, np.int64), np.zeros(3, np.int64)
        print(f"{held_out}, grouped at {REPEAT_THRESHOLD} (precision / recall):")
        for held, (pairs, clusters) in grouped_by_set(models, sources).items():
            total_pairs, total_clusters = total_pairs + pairs, total_clusters + clusters
            print(f"{held}: pairs {_precision_recall(pairs)}, clusters {_precision_recall(clusters)}")
        print(f"all sets: pairs {_precision_recall(total_pairs)}, clusters {_precision_recall(total_clusters)}")


if __name__ == "__main__":
    main()
