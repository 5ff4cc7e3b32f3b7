"""A linear theme model learned from the project's own labelled recommendations.

Phrase rules only fire on the words someone wrote a rule for; the model also reads the asks built
around an action verb ("make sure the health visitor is told ...") that no rule names. It is a
one-vs-rest logistic regression over stemmed words and adjacent word pairs, trained by
``make themes-model`` (dhr_etl/transform/train_themes.py) from the labelled set in
tests/transform/fixtures/themes_dev/themes_train.csv and stored as a readable table,
dhr_etl/reference/theme_model.csv (feature, theme, weight; ``__bias__`` per theme). Scoring is a
join and a sum in polars, so the whole library scores in about a second, and each assignment can
name the features that weighed most for it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from dhr_etl.transform.rules import read_model_lines
from dhr_etl.transform.text import stemmed_words, with_concepts

BIAS = "__bias__"
MODEL_FILE = "theme_model.csv"


def features(texts: pl.Series, offset: int = 0) -> pl.DataFrame:
    """doc, feature: each distinct stemmed word of a text, each concept it names
    (``reference/ask_concepts.csv``: "told", "pass on", "notify" are all information sharing) and
    each pair of adjacent content words ("share_inform"), so "make sure" and "share ... with" count
    as more than their parts."""
    raw = stemmed_words(texts, offset)
    words = stemmed_words(with_concepts(texts), offset)
    pairs = (words.with_columns(pl.col("term").shift(-1).over("doc").alias("next"))
             .drop_nulls("next").select("doc", (pl.col("term") + "_" + pl.col("next")).alias("feature")))
    return pl.concat([raw.select("doc", pl.col("term").alias("feature")), words.select("doc", pl.col("term").alias("feature")),
                      pairs]).unique(maintain_order=True)


@dataclass(frozen=True)
class ThemeModel:
    weights: pl.DataFrame
    """feature, theme, weight"""
    bias: dict[str, float]

    def scores(self, texts: pl.Series) -> pl.DataFrame:
        """doc, theme, probability, evidence (the features that weighed most for the theme)."""
        found = features(texts).join(self.weights, on="feature")
        contributions = (found.sort("weight", descending=True)
                         .group_by("doc", "theme", maintain_order=True)
                         .agg(pl.col("weight").sum().alias("total"),
                              pl.col("feature").filter(pl.col("weight") > 0).head(4).alias("evidence")))
        grid = (pl.DataFrame({"doc": pl.int_range(len(texts), eager=True).cast(pl.UInt32)})
                .join(pl.DataFrame({"theme": list(self.bias), "bias": list(self.bias.values())}), how="cross"))
        return (grid.join(contributions, on=["doc", "theme"], how="left")
                .with_columns((pl.col("bias") + pl.col("total").fill_null(0.0)).alias("logit"))
                .select("doc", "theme", (1.0 / (1.0 + (-pl.col("logit")).exp())).alias("probability"),
                        pl.col("evidence").fill_null([]).list.join(" + ").str.replace_all("_", " ").alias("evidence"))
                .sort("doc", "theme"))


def read_model(lines) -> ThemeModel:
    rows = [row for row in csv.DictReader(line for line in lines if not line.startswith("#"))]
    bias = {row["theme"]: float(row["weight"]) for row in rows if row["feature"] == BIAS}
    weights = pl.DataFrame([(row["feature"], row["theme"], float(row["weight"])) for row in rows
                            if row["feature"] != BIAS],
                           schema={"feature": pl.String, "theme": pl.String, "weight": pl.Float64}, orient="row")
    return ThemeModel(weights, bias)


@lru_cache(maxsize=1)
def theme_model() -> ThemeModel:
    return read_model(read_model_lines(MODEL_FILE))
