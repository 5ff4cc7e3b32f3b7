"""Themes of recommendations, in the Home Office DHR library's vocabulary, by transparent rules.

Each theme's patterns (``reference/theme_rules.csv``) carry weights; a recommendation takes every
theme whose matched weights reach THEME_THRESHOLD, and "other" when none does. Every assignment
keeps the patterns that fired, so anyone can see why a recommendation counts as "training".
"""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.rules import theme_rules

THEMES = ("technology systems", "identification of risk", "training", "policy", "multi agency working",
          "record keeping", "awareness raising", "other")
THEME_THRESHOLD = 1.0
THEME_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "theme": pl.String, "rules": pl.String}


def classify_recommendations(recommendations: pl.DataFrame) -> pl.DataFrame:
    """One row per (recommendation, theme), with the matched words that decided it, in the input's
    order and the vocabulary's order of themes.

    Each rule runs once over the whole column (polars' Rust regex engine, which accepts the
    reference file's patterns: no look-arounds or back-references), not once per text in Python:
    at 50,000 recommendations that is the difference between seconds and a fraction of one."""
    rules = theme_rules()
    frame = recommendations.select("review_id", "rec_position", pl.col("recommendation").str.to_lowercase()).with_columns(
        pl.int_range(pl.len()).alias("_row"),
        *[pl.col("recommendation").str.extract(pattern.pattern, 0).alias(f"_m{i}")
          for i, (_, pattern, _) in enumerate(rules)],
    )
    per_theme = []
    for order, theme in enumerate(THEMES):
        mine = [(i, weight) for i, (t, _, weight) in enumerate(rules) if t == theme]
        if not mine:
            continue
        score = pl.sum_horizontal([pl.col(f"_m{i}").is_not_null().cast(pl.Float64) * weight for i, weight in mine])
        words = pl.concat_list([pl.col(f"_m{i}") for i, _ in mine]).list.drop_nulls().list.unique(maintain_order=True)
        per_theme.append(frame.filter(score >= THEME_THRESHOLD).select(
            "_row", "review_id", "rec_position", pl.lit(theme).alias("theme"), words.list.join(" | ").alias("rules"),
            pl.lit(order).alias("_order")))
    themed = pl.concat(per_theme) if per_theme else frame.select("_row").clear()
    other = frame.join(themed.select("_row"), on="_row", how="anti").select(
        "_row", "review_id", "rec_position", pl.lit("other").alias("theme"), pl.lit("").alias("rules"),
        pl.lit(len(THEMES) - 1).alias("_order"))
    return (pl.concat([themed, other]).sort("_row", "_order").select(list(THEME_SCHEMA))
            .cast(THEME_SCHEMA))  # type: ignore[arg-type]


def themes_of(text: str) -> list[tuple[str, list[str]]]:
    """[(theme, words that fired)] for one text; ``[("other", [])]`` if no theme reaches the threshold."""
    one = pl.DataFrame({"review_id": [""], "rec_position": [0], "recommendation": [text]},
                       schema={"review_id": pl.String, "rec_position": pl.Int32, "recommendation": pl.String})
    return [(theme, rules.split(" | ") if rules else []) for theme, rules in
            classify_recommendations(one).select("theme", "rules").iter_rows()]
