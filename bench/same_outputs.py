"""Themes and repeat groups, dumped for comparison, and their CPU cost in a fresh process.

    .venv/bin/python bench/same_outputs.py dump <folder>      → <folder>/*.parquet, CPU seconds on stdout
    .venv/bin/python bench/same_outputs.py warehouse <warehouse.duckdb> <folder>   → every table and view
    .venv/bin/python bench/same_outputs.py compare <a> <b>    → "identical", or what differs (exit 1)

What a change meant only for speed must keep: the same themes, methods and evidence, the same
groups, keys and labels, on the benchmark's 650-review library (bench/run.py's, parsed as the
nightly job parses it) and on the labelled sets under tests/transform/fixtures/themes_dev*/.
``dump`` times classify and group on the library first, in this new process, as the benchmark
meets them (word vectors and models not yet loaded).

``warehouse`` dumps a whole published version (e.g. ``bench/processing.py``'s, run before and after
a change): every table in its stored order, every view's rows sorted (a GROUP BY's order varies
from run to run of the same code), and every column's type; without the two values that name when
the run happened (``warehouse_version.built_at``, ``dim_review.data_as_of``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
FIXTURES = PROJECT / "tests" / "transform" / "fixtures"
LIBRARY_CACHE = Path(tempfile.gettempdir()) / "dhr-same-outputs-library-650.parquet"


def library_recommendations() -> pl.DataFrame:
    """The recommendations of bench/run.py's 650-review library, as the pipeline parses them
    (cached in the temporary folder: generating and parsing costs more than what is timed)."""
    if not LIBRARY_CACHE.exists():
        from bench.processing import land
        from dhr_etl import pipeline
        from dhr_etl.sample.generate import write_library

        work = Path(tempfile.mkdtemp(prefix="dhr-same-outputs-"))
        write_library(work / "library", 650, seed=7, library_scale=True)
        settings, _, records = land(work / "library", work / "data")
        pipeline.parse(settings, records).recommendations.write_parquet(LIBRARY_CACHE)
    return pl.read_parquet(LIBRARY_CACHE)


def labelled_sets() -> dict[str, pl.DataFrame]:
    """Each labelled file's texts as recommendations (review id, position within the review)."""
    out = {}
    for path in sorted(FIXTURES.glob("themes_dev*/*.csv")):
        table = pl.read_csv(path, comment_prefix="#", infer_schema_length=0)
        if "text_a" in table.columns:
            table = pl.concat([table.select(pl.col("review_a").alias("review_id"), pl.col("text_a").alias("text")),
                               table.select(pl.col("review_b").alias("review_id"), pl.col("text_b").alias("text"))])
        frame = table.select("review_id", pl.col("text").alias("recommendation")).with_columns(
            pl.int_range(1, pl.len() + 1).over("review_id").cast(pl.Int32).alias("rec_position"))
        out[f"{path.parent.name}-{path.stem}"] = frame
    return out


def pair_scores() -> dict[str, pl.DataFrame]:
    from dhr_etl.transform.repeats import same_ask_scores

    out = {}
    for path in sorted(FIXTURES.glob("themes_dev*/pairs_*.csv")):
        table = pl.read_csv(path, comment_prefix="#", infer_schema_length=0)
        texts = table["text_a"].to_list() + table["text_b"].to_list()
        n = table.height
        scores = same_ask_scores(texts, list(range(n)), list(range(n, 2 * n)))
        out[f"{path.parent.name}-{path.stem}-probability"] = pl.DataFrame({"pair_id": table["pair_id"], "p": scores})
    return out


def dump(folder: Path) -> None:
    recommendations = library_recommendations()
    from dhr_etl.transform.repeats import group_repeats
    from dhr_etl.transform.themes import classify_recommendations

    started = time.process_time()
    themes = classify_recommendations(recommendations)
    classified = time.process_time() - started
    started = time.process_time()
    groups = group_repeats(recommendations)
    grouped = time.process_time() - started
    print(f"{len(recommendations)} recommendations: classify {classified:.2f} s CPU, group {grouped:.2f} s CPU, "
          f"total {classified + grouped:.2f}")
    folder.mkdir(parents=True, exist_ok=True)
    themes.write_parquet(folder / "library-themes.parquet")
    groups.write_parquet(folder / "library-groups.parquet")
    for name, frame in labelled_sets().items():
        classify_recommendations(frame).write_parquet(folder / f"{name}-themes.parquet")
        group_repeats(frame).write_parquet(folder / f"{name}-groups.parquet")
    for name, frame in pair_scores().items():
        frame.write_parquet(folder / f"{name}.parquet")


RUN_TIMES = {"warehouse_version": "built_at", "dim_review": "data_as_of", "mv_reviews": "data_as_of",
             "v_reviews": "data_as_of"}
"""relation → the column that says when the run happened, not what it built"""


def dump_warehouse(path: Path, folder: Path) -> None:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path), read_only=True) as con:
        con.sql("SELECT table_name, column_name, ordinal_position, data_type, is_nullable FROM information_schema.columns "
                "ORDER BY ALL").pl().write_parquet(folder / "_columns.parquet")
        for (name, kind) in con.execute("SELECT table_name, table_type FROM information_schema.tables ORDER BY 1").fetchall():
            frame = con.sql(f"SELECT * FROM {name}").pl()
            frame = frame.drop([c for c in frame.columns if RUN_TIMES.get(name) == c])
            if kind == "VIEW" or name.startswith("mv_"):
                frame = frame.sort(frame.columns, nulls_last=True)
            frame.write_parquet(folder / f"{name}.parquet")


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """What must be identical. Two things vary from run to run of the same code, so they are
    compared as what they mean: a label's words by their stems (tfidf_weights picks a term's
    surface word by ``mode()``, whose ties polars breaks in any order: "contract"/"contracts"),
    and probabilities to 1e-12 (polars sums a pair's TF-IDF products in join order)."""
    from dhr_etl.transform.text import stem

    if "repeat_label" in frame.columns:
        frame = frame.with_columns(pl.col("repeat_label").map_elements(
            lambda label: ", ".join(stem(w) for w in label.split(", ")), return_dtype=pl.String))
    if "p" in frame.columns:
        frame = frame.with_columns(pl.col("p").round(12))
    return frame


def compare(a: Path, b: Path) -> int:
    names = sorted(p.name for p in a.glob("*.parquet"))
    if names != sorted(p.name for p in b.glob("*.parquet")):
        print("different files")
        return 1
    differ = [n for n in names if not comparable(pl.read_parquet(a / n)).equals(comparable(pl.read_parquet(b / n)))]
    for name in differ:
        left, right = pl.read_parquet(a / name), pl.read_parquet(b / name)
        print(f"{name}: {left.shape} vs {right.shape}")
        if left.shape == right.shape and "p" in left.columns:
            print(f"  largest probability difference {(left['p'] - right['p']).abs().max():.3g}")
    print("identical" if not differ else f"{len(differ)} of {len(names)} outputs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    elif sys.argv[1] == "warehouse":
        dump_warehouse(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
