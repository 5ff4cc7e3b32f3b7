"""The labelled recommendations nearest a text, and the themes they were given.

A linear model weighs each word once for all texts; a text's nearest labelled examples say what
recommendations written like it were about, which is how a reader judges a theme too ("this reads
like the GP routine-enquiry asks"). Each text is compared with every labelled example
(``reference/theme_examples.csv.gz``, written by ``make themes-model`` from the same labelled sets as
the theme model) on the theme model's features (stemmed words, concepts, word pairs), weighted by
TF-IDF over the examples, by cosine. The NEIGHBOURS nearest vote for their accepted themes, each
with its similarity to the power SHARPNESS (a close example counts far more than a loose one).
The vote is a share (0 to 1) per theme, averaged with the model's probability in
:mod:`dhr_etl.transform.themes`; the nearest example's id is the evidence.

Chosen by leave-one-set-out cross-validation over themes_dev, themes_dev2 and themes_dev3 (train
on two sets, measure on the third: the honest proxy for an author never seen), mean of the three:
the model alone hit 0.867 with mean precision 0.815; with the vote (20 neighbours, power 4) and the
thresholds of themes.py, 0.912 and 0.825 (`python -m dhr_etl.transform.train_themes --by-set`).
5 neighbours, power 1, and the examples compared by meaning vector rather than by features were
each worse (by 0.005-0.03 in hit rate or precision); with the fourth set, 10 or 30 neighbours and
power 3 were within 0.005 of these settings, power 6 worse. The cost grows with the examples: the
2,775 distinct texts of 7,000 synthetic recommendations met 2,692 examples in about 0.1 s of CPU;
with 6,183 examples see COMMON_SHARE. Reading the examples file and deriving its 12,919 texts'
features costs a process about 0.8 s of CPU; a run reads them built from the data folder's cache instead
(:func:`theme_examples`), so only the first run after a change of the reference files or the code pays it.
The file keeps no features of its own: they were 4 MB of state derived from its texts.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
from scipy import sparse

from dhr_etl.transform import rules
from dhr_etl.transform.reference_cache import cached
from dhr_etl.transform.rules import read_model_lines, split_cell
from dhr_etl.transform.smallest import smallest_per_row
from dhr_etl.transform.text import asked
from dhr_etl.transform.theme_model import features

EXAMPLES_FILE = "theme_examples.csv.gz"
COMMON_SHARE = 0.01
"""A feature in more than this share of the examples (``c_domestic_abuse``, ``should_ensure``) is
left out of the comparison, though it still counts in each text's length: it says little about
which examples are near (low IDF), and it would pair every text with half the examples (10,000
synthetic recommendations, 3,125 distinct: with every feature 5.6 s and 1.6 GB; leaving out those
in over 5% of examples 1.0 s CPU and 530 MB; over 2%, 0.5 s and 300 MB). Leave-one-set-out over
the four sets, hit rate / mean precision: every feature 0.895 / 0.805, 5% 0.898 / 0.801, 2% 0.893 /
0.798. With eight sets (6,183 examples), 2%: 0.903 / 0.818; 1%: 0.902 / 0.814, and a third less time
to classify (7,000 synthetic recommendations: 1.14 -> 0.81 s CPU)."""
NEIGHBOURS = 20
SHARPNESS = 4


@dataclass(frozen=True)
class Examples:
    idf: pl.DataFrame
    """feature, idf"""
    themes: pl.DataFrame
    """example, theme: every accepted theme of each example"""
    ids: pl.DataFrame
    """example, example_id (e.g. ``themes_dev3/d3-t0001``)"""
    columns: pl.DataFrame
    """feature, column: the row of :attr:`by_feature` that holds each compared feature"""
    by_feature: sparse.csr_matrix
    """(compared features, examples): each example's unit-length TF-IDF weights, so that a chunk of
    texts' cosines with every example are one sparse product (:func:`_nearest`)"""


def _unit(weights: pl.DataFrame, by: str) -> pl.DataFrame:
    return weights.with_columns(pl.col("w") / pl.col("w").pow(2).sum().over(by).sqrt())


def build_examples(ids: list[str], texts: list[str], accepted: list[set[str]], common_share: float = COMMON_SHARE) -> Examples:
    """Examples from labelled texts (their ids, texts, accepted themes); features in more than
    ``common_share`` of them are not compared."""
    found = features(asked(pl.Series(texts, dtype=pl.String))).rename({"doc": "example"})
    n = len(texts)
    idf = found.group_by("feature").agg(((1 + n) / (1 + pl.len())).log().alias("idf"))
    weights = (_unit(found.join(idf, on="feature").select("example", "feature", pl.col("idf").alias("w"))
                     .filter(pl.col("w") > 0), "example")
               .filter(pl.col("feature").is_in(idf.filter(pl.col("idf") >= _common_idf(n, common_share))["feature"].implode())))
    themes = pl.DataFrame([(i, t) for i, a in enumerate(accepted) for t in sorted(a)],
                          schema={"example": pl.UInt32, "theme": pl.String}, orient="row")
    columns, by_feature = by_feature_matrix(weights, n)
    return Examples(idf, themes,
                    pl.DataFrame({"example": pl.int_range(n, eager=True).cast(pl.UInt32), "example_id": ids}),
                    columns, by_feature)


def by_feature_matrix(weights: pl.DataFrame, examples: int) -> tuple[pl.DataFrame, sparse.csr_matrix]:
    """(feature, column) and the (features, ``examples``) matrix of ``weights`` (example, feature, w)."""
    columns = weights.select(pl.col("feature").unique().sort()).with_row_index("column")
    placed = weights.join(columns, on="feature")
    matrix = sparse.csr_matrix((placed["w"].to_numpy(), (placed["column"].to_numpy().astype(np.int64),
                                                         placed["example"].to_numpy().astype(np.int64))),
                               shape=(columns.height, examples))
    return columns.select("feature", pl.col("column").cast(pl.Int64)), matrix


def _common_idf(n: int, share: float) -> float:
    """The IDF of a feature in ``share`` of n examples."""
    return math.log((1 + n) / (1 + share * n))


def _nearest(mine: pl.DataFrame, columns: pl.DataFrame, by_feature: sparse.csr_matrix) -> pl.DataFrame:
    """doc, example, cosine, pull: each doc's NEIGHBOURS nearest examples (those with a positive
    cosine), from the docs' feature weights (``mine``: doc, feature, w) and the examples' (``columns``
    and ``by_feature``: :func:`by_feature_matrix`).

    Sparse: a text shares a feature with some 2% of the examples, so its cosines are one row of the
    sparse product of the docs' weights and the examples' (scipy's, which sums only the pairs that
    share a feature), and a doc's nearest are that row's largest cosines in float32, as argpartition
    cut the dense rows (:func:`smallest_per_row`; a doc whose cut is a tie is cut by argpartition over
    its dense row, as before). The product replaced a join of every shared feature's two weights and
    a sort of the (doc, example) keys to sum them: with 38,434 examples (the training sets' 30,166 rows and
    8,268 more), 10,000 labelled wordings in chunks of 1,250, 2.44 -> 0.88 s, the same nearest examples
    and cosines within 4.4e-16 (sums in another order)."""
    count = by_feature.shape[1]
    schema = {"doc": mine["doc"].dtype, "example": pl.UInt32, "cosine": pl.Float64}
    placed = mine.join(columns, on="feature")
    doc = placed["doc"].to_numpy()
    met = np.bincount(doc) > 0
    docs = np.flatnonzero(met)  # the docs that share a feature with an example, ascending
    row = (np.cumsum(met) - 1)[doc]  # each row's doc numbered among them by a table, not searched for
    product = sparse.csr_matrix((placed["w"].to_numpy(), (row, placed["column"].to_numpy())),
                                shape=(len(docs), by_feature.shape[0])) @ by_feature
    pair_row = np.repeat(np.arange(len(docs)), np.diff(product.indptr))
    pair_example, cosine = product.indices.astype(np.int64), product.data
    distance = cosine.astype(np.float32)
    np.negative(distance, out=distance)
    k = min(NEIGHBOURS, count)
    kept, tied = smallest_per_row(pair_row, distance, len(docs), k)
    tied[pair_row[distance == 0]] = True  # a positive cosine too small for float32 ties with the examples sharing nothing
    kept = kept[~tied[pair_row[kept]]]
    parts = [pl.DataFrame({"doc": docs[pair_row[kept]], "example": pair_example[kept], "cosine": cosine[kept]})]
    if tied.any():
        dense = np.zeros((int(tied.sum()), count))
        of_tied = tied[pair_row]
        dense[np.cumsum(tied)[pair_row[of_tied]] - 1, pair_example[of_tied]] = cosine[of_tied]
        far = dense.astype(np.float32)
        np.negative(far, out=far)
        top = np.argpartition(far, k - 1, axis=1)[:, :k]
        parts.append(pl.DataFrame({"doc": np.repeat(docs[tied], k), "example": top.ravel(),
                                   "cosine": np.take_along_axis(dense, top, axis=1).ravel()}))
    return (pl.concat([part.cast(schema) for part in parts])  # type: ignore[arg-type]
            .filter(pl.col("cosine") > 0)
            .sort(["doc", "cosine", "example"], descending=[False, True, False])
            .with_columns(pl.col("cosine").pow(SHARPNESS).alias("pull")))


def votes(examples: Examples, found: pl.DataFrame) -> pl.DataFrame:
    """doc, theme, vote (share of the weighted vote of the NEIGHBOURS nearest examples; themes no
    neighbour has are absent), nearest (the id of the nearest example with the theme and its cosine,
    "themes_dev3/d3-t0001 0.62"), for texts' :func:`~dhr_etl.transform.theme_model.features` (doc, feature)."""
    mine = _unit(found.join(examples.idf, on="feature").select("doc", "feature", pl.col("idf").alias("w"))
                 .filter(pl.col("w") > 0), "doc")
    similar = _nearest(mine, examples.columns, examples.by_feature)
    total = similar.group_by("doc").agg(pl.col("pull").sum().alias("total"))
    return (similar.join(examples.themes, on="example", maintain_order="left")
            .group_by("doc", "theme", maintain_order=True)
            .agg(pl.col("pull").sum(), pl.col("example").first(), pl.col("cosine").first())
            .join(examples.ids, on="example", maintain_order="left")
            .with_columns(pl.format("{} {}", "example_id", pl.col("cosine").round(2)).alias("nearest"))
            .join(total, on="doc")
            .select(pl.col("doc").cast(pl.UInt32), "theme",
                    pl.when(pl.col("total") > 0).then(pl.col("pull") / pl.col("total")).otherwise(0.0).alias("vote"), "nearest"))


def read_examples(lines: list[str]) -> Examples:
    """The examples file's rows, each text's features derived as the vote derives a text's: the file
    holds only what the labelled sets say (a process reads the built examples from the data folder's
    cache when it has one: :func:`theme_examples`)."""
    table = pl.read_csv(io.StringIO("".join(line for line in lines if not line.startswith("#"))),
                        schema={"example_id": pl.String, "themes": pl.String, "text": pl.String})
    accepted = [set(split_cell(themes)) for themes in table["themes"].to_list()]
    return build_examples(table["example_id"].to_list(), table["text"].to_list(), accepted)


@lru_cache(maxsize=4)
def theme_examples(cache_dir: Path | None = None) -> Examples:
    """The shipped examples (``reference/theme_examples.csv.gz``). With ``cache_dir`` (DHR_CACHE_DIR),
    a new process reads the examples an earlier one built from the same reference files and code
    (:mod:`dhr_etl.transform.reference_cache`: ~0.01 s against ~0.8 s to read the file and weigh its features)."""
    def build() -> Examples:
        return read_examples(read_model_lines(EXAMPLES_FILE))

    return build() if cache_dir is None else cached(cache_dir, "theme_examples", rules.REFERENCE_DIR, __name__, Examples, build)

