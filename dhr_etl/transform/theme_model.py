"""A linear theme model learned from the project's own labelled recommendations.

Phrase rules only fire on the words someone wrote a rule for; the model also reads the asks built
around an action verb ("make sure the health visitor is told ...") that no rule names. It is a
one-vs-rest logistic regression over stemmed words, adjacent word pairs, concepts and the text's
meaning vector (:mod:`dhr_etl.transform.meaning`: word embeddings, so "let local employers know"
lands near "raise awareness among businesses" without sharing a word), trained by
``make themes-model`` (dhr_etl/transform/train_themes.py) from the project's labelled sets and
stored as a readable table, dhr_etl/reference/theme_model.csv (feature, theme, weight;
``__bias__`` per theme; ``__meaning_NNN`` the weight of each dimension of the meaning vector).
Scoring is a join and a sum in polars plus one small matrix product, so the whole library scores
in about a second, and each assignment names the words that weighed most for it and how much the
meaning vector added.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import polars as pl

from dhr_etl.transform.meaning import DIMENSIONS, text_vectors
from dhr_etl.transform.rules import read_model_lines
from dhr_etl.transform.text import stemmed_words, with_concepts
from dhr_etl.transform.threads import once

BIAS = "__bias__"
MEANING = "__meaning_"
"""Prefix of the features that are the dimensions of the meaning vector (``__meaning_000`` ...)."""
MEANING_SCALE = 2.0
"""The meaning vector (unit length) is multiplied by this before the regression: chosen by 5-fold
cross-validation on themes_dev's training file (scales 0, 2, 4, 8: hit rate 0.76, 0.80, 0.79,
0.76; measured with the mean over all of a text's tokens, before stopwords were dropped)."""
MODEL_FILE = "theme_model.csv"


def meaning_vectors(texts: pl.Series, words: pl.DataFrame | None = None) -> np.ndarray:
    """(texts, DIMENSIONS): each text's meaning from its content words (stopwords dropped;
    ``words``: their :func:`stemmed_words`, when the caller has them already)."""
    return text_vectors(stemmed_words(texts) if words is None else words, len(texts)) * MEANING_SCALE


def features(texts: pl.Series, offset: int = 0, raw: pl.DataFrame | None = None,
             marked: pl.Series | None = None) -> pl.DataFrame:
    """doc, feature: each distinct stemmed word of a text, each concept it names
    (``reference/ask_concepts.csv``: "told", "pass on", "notify" are all information sharing) and
    each pair of adjacent content words ("share_inform"), so "make sure" and "share ... with" count
    as more than their parts. ``raw``: the texts' :func:`stemmed_words`, ``marked``: their
    :func:`with_concepts`, when the caller has them."""
    raw = stemmed_words(texts, offset) if raw is None else raw
    words = stemmed_words(with_concepts(texts) if marked is None else marked, offset)
    pairs = (words.with_columns(pl.col("term").shift(-1).over("doc").alias("next"))
             .drop_nulls("next").select("doc", (pl.col("term") + "_" + pl.col("next")).alias("feature")))
    return pl.concat([raw.select("doc", pl.col("term").alias("feature")), words.select("doc", pl.col("term").alias("feature")),
                      pairs]).unique(maintain_order=True)


@dataclass(frozen=True)
class ThemeModel:
    weights: pl.DataFrame
    """feature, theme, weight (words, word pairs, concepts)"""
    bias: dict[str, float]
    meaning: np.ndarray
    """(DIMENSIONS, themes in ``bias`` order): the weights of the meaning vector"""

    def scores(self, texts: pl.Series, raw: pl.DataFrame | None = None, found: pl.DataFrame | None = None) -> pl.DataFrame:
        """doc, theme, probability, known (some of the text's words or word pairs are in the
        model), evidence (the features that weighed most for the theme, and what the meaning
        vector added to its log-odds: "meaning 0.8"). ``raw``, ``found``: the texts' :func:`stemmed_words`
        and :func:`features`, when the caller has them."""
        raw = stemmed_words(texts) if raw is None else raw
        meant = meaning_vectors(texts, raw) @ self.meaning
        by_meaning = pl.DataFrame({"doc": np.repeat(np.arange(len(texts)), len(self.bias)).astype(np.uint32),
                                   "theme": list(self.bias) * len(texts), "meaning": meant.ravel().astype(np.float64)})
        found = (features(texts, raw=raw) if found is None else found).join(self.weights, on="feature")
        contributions = (found.sort("weight", descending=True)
                         .group_by("doc", "theme", maintain_order=True)
                         .agg(pl.col("weight").sum().alias("total"),
                              pl.col("feature").filter(pl.col("weight") > 0).head(4).alias("evidence")))
        grid = (pl.DataFrame({"doc": pl.int_range(len(texts), eager=True).cast(pl.UInt32)})
                .join(pl.DataFrame({"theme": list(self.bias), "bias": list(self.bias.values())}), how="cross"))
        words = pl.col("evidence").fill_null([]).list.join(" + ").str.replace_all("_", " ")
        return (grid.join(contributions, on=["doc", "theme"], how="left").join(by_meaning, on=["doc", "theme"], how="left")
                .with_columns((pl.col("bias") + pl.col("total").fill_null(0.0) + pl.col("meaning")).alias("logit"))
                .select("doc", "theme", (1.0 / (1.0 + (-pl.col("logit")).exp())).alias("probability"),
                        (words != "").alias("known"),
                        pl.when((words == "") & (pl.col("meaning") == 0)).then(pl.lit(""))  # no content word at all
                        .when(words == "").then(pl.format("meaning {}", pl.col("meaning").round(1)))
                        .otherwise(pl.format("{}; meaning {}", words, pl.col("meaning").round(1))).alias("evidence"))
                .sort("doc", "theme"))


def read_model(lines: list[str]) -> ThemeModel:
    """Read with polars' CSV reader: the table has some 16,000 rows, and csv.DictReader took a
    noticeable share of the nightly budget reading them."""
    table = pl.read_csv(io.StringIO("".join(line for line in lines if not line.startswith("#"))),
                        schema={"feature": pl.String, "theme": pl.String, "weight": pl.Float64})
    bias = dict(table.filter(pl.col("feature") == BIAS).select("theme", "weight").iter_rows())
    column = {theme: j for j, theme in enumerate(bias)}
    dimensions = table.filter(pl.col("feature").str.starts_with(MEANING))
    index = dimensions["feature"].str.slice(len(MEANING)).cast(pl.Int64).to_numpy()
    if len(index) and index.max() >= DIMENSIONS:
        raise ValueError(f"the theme model has meaning weights for {index.max() + 1} dimensions and the meaning vectors "
                         f"have {DIMENSIONS}: retrain it with `make themes-model`")
    meaning = np.zeros((DIMENSIONS, len(bias)))
    meaning[index, [column[t] for t in dimensions["theme"]]] = dimensions["weight"].to_numpy()
    weights = table.filter((pl.col("feature") != BIAS) & ~pl.col("feature").str.starts_with(MEANING))
    return ThemeModel(weights, bias, meaning)


@once
def theme_model() -> ThemeModel:
    return read_model(read_model_lines(MODEL_FILE))
