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


def themes_of(text: str) -> list[tuple[str, list[str]]]:
    """[(theme, patterns that fired)] in the vocabulary's order; ``[("other", [])]`` if none."""
    lowered = text.lower()
    scores: dict[str, float] = {}
    fired: dict[str, list[str]] = {}
    for theme, pattern, weight in theme_rules():
        if match := pattern.search(lowered):
            scores[theme] = scores.get(theme, 0.0) + weight
            fired.setdefault(theme, []).append(match.group(0))
    chosen = [(t, fired[t]) for t in THEMES if scores.get(t, 0.0) >= THEME_THRESHOLD]
    return chosen or [("other", [])]


def classify_recommendations(recommendations: pl.DataFrame) -> pl.DataFrame:
    """One row per (recommendation, theme), with the matched words that decided it."""
    rows = [
        {"review_id": review_id, "rec_position": position, "theme": theme, "rules": " | ".join(dict.fromkeys(words))}
        for review_id, position, text in recommendations.select("review_id", "rec_position", "recommendation").iter_rows()
        for theme, words in themes_of(text)
    ]
    return pl.DataFrame(rows, schema=THEME_SCHEMA)
