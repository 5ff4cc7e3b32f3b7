"""Train the theme model (dhr_etl/reference/theme_model.csv) and the same-ask model
(dhr_etl/reference/repeat_model.csv, :mod:`dhr_etl.transform.train_repeats`) from labelled data.

    make themes-model        # = python -m dhr_etl.transform.train_themes

Deterministic: the same labelled files give the same weights. One-vs-rest logistic regression
with L2, by full-batch gradient descent in numpy (about 1,400 texts, a few thousand features:
seconds). Word features seen in fewer than MIN_DOCUMENTS texts are left out, so one author's
quirk does not become a rule, and weights too small to matter are not written. The meaning
vector's 256 weights per theme are always written.

Trained on every labelled file except the blind holdout of the newest set (TRAINING_FILES): the
holdouts of themes_dev and themes_dev2 were each measured against before the next set was written,
so they are no longer blind and are used for training; themes_dev3's holdout files are never read here.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import polars as pl

from dhr_etl.transform.rules import REFERENCE_DIR
from dhr_etl.transform.theme_model import BIAS, MEANING, MODEL_FILE, features, meaning_vectors

FIXTURES = Path("tests/transform/fixtures")
TRAINING_FILES = (FIXTURES / "themes_dev" / "themes_train.csv", FIXTURES / "themes_dev" / "themes_holdout.csv",
                  FIXTURES / "themes_dev2" / "themes_train.csv", FIXTURES / "themes_dev2" / "themes_holdout.csv",
                  FIXTURES / "themes_dev3" / "themes_train.csv")
MIN_DOCUMENTS = 2
L2 = 0.001
STEPS = 1500
LEARNING_RATE = 5.0
SMALLEST_WEIGHT = 0.02


def labelled_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def labelled(paths: list[Path]) -> tuple[list[str], list[set[str]]]:
    rows = [row for path in paths for row in labelled_rows(path)]
    return [r["text"] for r in rows], [{t.strip() for t in r["themes"].split("|") if t.strip()} for r in rows]


def train(texts: list[str], accepted: list[set[str]], themes: list[str]) -> tuple[dict[str, float], list[tuple[str, str, float]]]:
    found = features(pl.Series(texts, dtype=pl.String))
    kept = found.group_by("feature").agg(pl.len().alias("n")).filter(pl.col("n") >= MIN_DOCUMENTS).sort("feature")
    vocabulary = kept["feature"].to_list()
    index = {f: i for i, f in enumerate(vocabulary)}
    x = np.zeros((len(texts), len(vocabulary)))
    for doc, feature in found.filter(pl.col("feature").is_in(vocabulary)).iter_rows():
        x[doc, index[feature]] = 1.0
    x /= np.maximum(np.sqrt(x.sum(axis=1, keepdims=True)), 1.0)  # long texts do not shout louder
    # float64: float32 would be twice as fast, but its rounding differs with the number of BLAS
    # threads, and the written weights (4 decimals) then differed from machine to machine.
    x = np.hstack([x, meaning_vectors(pl.Series(texts, dtype=pl.String))])
    vocabulary = vocabulary + [f"{MEANING}{i:03d}" for i in range(x.shape[1] - len(vocabulary))]
    y = np.array([[theme in a for theme in themes] for a in accepted], dtype=float)
    w = np.zeros((len(vocabulary), len(themes)))
    b = np.zeros(len(themes))
    n = len(texts)
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        grad = p - y
        w -= LEARNING_RATE * (x.T @ grad / n + L2 * w)
        b -= LEARNING_RATE * grad.mean(axis=0)
    bias = {theme: float(b[j]) for j, theme in enumerate(themes)}
    weights = [(vocabulary[i], theme, float(w[i, j])) for j, theme in enumerate(themes)
               for i in np.argsort(-np.abs(w[:, j]), kind="stable")
               if abs(w[i, j]) >= SMALLEST_WEIGHT or vocabulary[i].startswith(MEANING)]
    return bias, weights


def write_model(path: Path, sources: list[Path], bias: dict[str, float], weights: list[tuple[str, str, float]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("feature,theme,weight\n")
        handle.write(f"# Trained by `make themes-model` from {', '.join(s.as_posix() for s in sources)} (the project's own\n"
                     "# labelled recommendations; see their READMEs). Do not edit by hand: correct a label or add examples and retrain.\n")
        out = csv.writer(handle, lineterminator="\n")
        for theme, value in bias.items():
            out.writerow([BIAS, theme, f"{value:.4f}"])
        for feature, theme, value in weights:
            out.writerow([feature, theme, f"{value:.4f}"])


def main(argv: list[str] | None = None) -> None:
    from dhr_etl.transform.themes import MODEL_THEMES
    parser = argparse.ArgumentParser(description="Train the theme model from labelled recommendations.")
    parser.add_argument("--train", type=Path, nargs="+", help="labelled CSVs (text, themes); default: TRAINING_FILES present")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR / MODEL_FILE)
    args = parser.parse_args(argv)
    sources = args.train or [path for path in TRAINING_FILES if path.exists()]
    texts, accepted = labelled(sources)
    bias, weights = train(texts, accepted, list(MODEL_THEMES))
    write_model(args.out, sources, bias, weights)
    print(f"trained on {len(texts)} recommendations: {len(weights)} weights written to {args.out}")
    from dhr_etl.transform.train_repeats import main as train_repeats  # it reads this module's file list

    train_repeats([])


if __name__ == "__main__":
    main()
