"""Train the same-ask model (dhr_etl/reference/repeat_model.csv) from labelled pairs.

    make themes-model        # trains the theme model, then this (python -m dhr_etl.transform.train_themes)
    python -m dhr_etl.transform.train_repeats --by-set   # also prints leave-one-set-out precision and recall

Labelled pairs (same_ask 1 or 0) come from every pair file in TRAINING_PAIRS that exists, and
from the labelled clusters: every two rows of one cluster from different reviews (same ask), and
the pairs of different asks that grouping would actually weigh: each row with the rows of other
clusters (and singletons) of its split nearest to it in meaning (repeats.CANDIDATES of them).
All the other pairs of different asks are easy, and thousands of them would teach the model
nothing about the pairs it is asked to judge. The blind holdout of the newest set (themes_dev4) is never read. Word weights
(TF-IDF) are taken over all the labelled texts together, as over a library. A logistic regression
with a little L2 over the standardised measures of :mod:`dhr_etl.transform.same_ask`, by
full-batch gradient descent (deterministic: same labels, same weights).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import polars as pl

from dhr_etl.transform.repeats import CANDIDATES, ask_words_of
from dhr_etl.transform.rules import REFERENCE_DIR
from dhr_etl.transform.same_ask import BIAS, MEASURES, MODEL_FILE, measures
from dhr_etl.transform.train_themes import FIXTURES, TRAINING_FILES, labelled_rows, write_generated_csv

TRAINING_PAIRS = (FIXTURES / "themes_dev" / "pairs_train.csv", FIXTURES / "themes_dev" / "pairs_holdout.csv",
                  FIXTURES / "themes_dev2" / "pairs_train.csv", FIXTURES / "themes_dev2" / "pairs_holdout.csv",
                  FIXTURES / "themes_dev3" / "pairs_train.csv", FIXTURES / "themes_dev3" / "pairs_holdout.csv",
                  FIXTURES / "themes_dev4" / "pairs_train.csv")
CLUSTER_FILES = (FIXTURES / "themes_dev" / "clusters.csv", FIXTURES / "themes_dev2" / "clusters_holdout.csv",
                 FIXTURES / "themes_dev3" / "clusters_holdout.csv")
L2 = 0.01
STEPS = 3000
LEARNING_RATE = 1.0


def labelled_pairs(pair_files: list[Path], cluster_files: list[Path] | tuple[Path, ...] = CLUSTER_FILES) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(texts, a, b, same, source of each pair): the pairs as indexes into one list of texts,
    which also holds the labelled theme texts (a library's worth of word weights)."""
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
        nearest = np.argsort(-near, axis=1, kind="stable")[:, :CANDIDATES]
        for i, j in itertools.combinations(range(len(rows)), 2):
            x, y = rows[i], rows[j]
            together = x["cluster_id"] == y["cluster_id"]
            if x["review_id"] != y["review_id"] and (together or j in nearest[i] or i in nearest[j]):
                a.append(texts[x["text"]])
                b.append(texts[y["text"]])
                same.append(together)
                source.append(path.as_posix())
    return corpus, np.array(a), np.array(b), np.array(same), source


def fit(found: np.ndarray, same: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(centre, scale, weights, bias)."""
    centre, scale = found.mean(axis=0), np.maximum(found.std(axis=0), 1e-6)
    x, y = (found - centre) / scale, same.astype(float)
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= LEARNING_RATE * (x.T @ (p - y) / len(y) + L2 * w)
        b -= LEARNING_RATE * float((p - y).mean())
    return centre, scale, w, b


def probability(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], found: np.ndarray) -> np.ndarray:
    centre, scale, w, b = model
    return 1.0 / (1.0 + np.exp(-(((found - centre) / scale) @ w + b)))


def write_model(path: Path, sources: list[Path], model: tuple[np.ndarray, np.ndarray, np.ndarray, float]) -> None:
    centre, scale, w, b = model
    write_generated_csv(path, "measure,centre,scale,weight",
                        f"Trained by `make themes-model` from {', '.join(s.as_posix() for s in sources)} and the labelled\n"
                        "clusters (the project's own labelled pairs; see their READMEs). Measures: dhr_etl/transform/same_ask.py.\n"
                        "Do not edit by hand: correct a label or add pairs and retrain.",
                        [*([measure, f"{centre[j]:.5f}", f"{scale[j]:.5f}", f"{w[j]:.5f}"] for j, measure in enumerate(MEASURES)),
                         [BIAS, "", "", f"{b:.5f}"]])


def by_set(found: np.ndarray, same: np.ndarray, source: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(probability, judged): each pair file's pairs scored by a model fitted on the other sets'
    pairs and clusters only (leave one labelled set out: the honest proxy for unseen authors);
    judged marks the pairs of pair files (cluster-drawn pairs train, and are not scored)."""
    folder = np.array([Path(s).parent.name for s in source])
    judged = np.array(["pairs_" in Path(s).name for s in source])
    out = np.zeros(len(same))
    for held in np.unique(folder[judged]).tolist():
        model = fit(found[folder != held], same[folder != held])
        these = (folder == held) & judged
        out[these] = probability(model, found[these])
    return out, judged


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the same-ask model from labelled pairs.")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR / MODEL_FILE)
    parser.add_argument("--by-set", action="store_true", help="also print leave-one-set-out precision and recall")
    args = parser.parse_args(argv)
    sources = [path for path in TRAINING_PAIRS if path.exists()]
    texts, a, b, same, source = labelled_pairs(sources)
    prepared, _ = ask_words_of(pl.Series(texts, dtype=pl.String))
    found = measures(prepared, a, b)
    model = fit(found, same)
    write_model(args.out, sources, model)
    print(f"trained on {len(same)} labelled pairs ({int(same.sum())} same ask): weights "
          + ", ".join(f"{m} {w:+.2f}" for m, w in zip(MEASURES, model[2])) + f" written to {args.out}")
    if args.by_set:
        predicted, judged = by_set(found, same, source)
        predicted, same = predicted[judged], same[judged]
        print(f"leave-one-set-out, {len(same)} pairs of the pair files judged one by one (not grouped):")
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            hit = predicted >= threshold
            tp = int((hit & same).sum())
            print(f"threshold {threshold}: precision {tp / max(int(hit.sum()), 1):.3f}, recall {tp / max(int(same.sum()), 1):.3f}")


if __name__ == "__main__":
    main()
