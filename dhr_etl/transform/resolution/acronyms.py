"""Acronyms derived from the names in the data ("CWPT" ← Coventry and Warwickshire Partnership NHS
Trust), settled by the recommendation text when several bodies share the letters."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Set

import polars as pl

from dhr_etl.transform.bodies import ACRONYM_CONFIDENCE
from dhr_etl.transform.names import initialisms, normalise_name
from dhr_etl.transform.resolution.clusters import Clusters, Merge, StepResult
from dhr_etl.transform.resolution.spellings import Name, matchable
from dhr_etl.transform.rules import sector_of

_CAPS_TOKEN = re.compile(r"\b[A-Z][A-Za-z]{1,5}\b")


def join_acronyms(clusters: Clusters, by_key: Mapping[str, list[Name]], addressees: pl.DataFrame,
                  recommendations: pl.DataFrame | None,
                  read_in_place: Set[str] = frozenset()) -> tuple[StepResult, dict[str, set[str]]]:
    """Join an acronym to the one body whose name it abbreviates; also returns the sectors that
    ambiguous acronyms could belong to. Acronyms in ``read_in_place`` (letters several catalogue
    bodies share) are left to the review's place."""
    index: dict[str, set[str]] = defaultdict(set)
    for key, members in by_key.items():
        if not matchable(key):
            continue
        for form in {key, *(name.core for name in members)}:  # "… Partnership NHS Trust" → CWPT
            for letters in initialisms(form):
                index[letters].add(key)
    evidence = _acronym_evidence(addressees, recommendations, by_key)
    working = clusters.copy()
    merges, matched, findings = [], {}, []
    ambiguous: dict[str, set[str]] = {}
    for key, members in by_key.items():
        acronym_names = [n for n in members if n.acronym]
        if not acronym_names or key in read_in_place or working.is_body(key):
            continue
        letters = normalise_name(acronym_names[0].printed).replace(" ", "")
        candidates = {c for c in index.get(letters, set()) if working.find(c) != working.find(key)}
        candidates |= {k for k in evidence.get(letters, ()) if working.find(k) != working.find(key)}
        roots = {working.find(c) for c in candidates}
        if len(roots) > 1:
            supported = {working.find(c) for c in candidates if c in evidence.get(letters, ())}
            roots = supported if len(supported) == 1 else roots
        if len(roots) == 1:
            (target,) = roots
            if working.union(key, target):
                merges.append(Merge(key, other=target))
                matched[key] = ("acronym", ACRONYM_CONFIDENCE)
        elif len(roots) > 1:
            ambiguous[key] = {sector_of(c) for c in candidates}
            findings.append({"kind": "ambiguous acronym", "addressed_as": acronym_names[0].printed,
                             "detail": "could be: " + " | ".join(sorted(by_key[c][0].printed if by_key[c] else c
                                                                        for c in candidates))})
    return StepResult(tuple(merges), matched, tuple(findings)), ambiguous


def _acronym_evidence(addressees: pl.DataFrame, recommendations: pl.DataFrame | None,
                      by_key: Mapping[str, list[Name]]) -> dict[str, set[str]]:
    """letters → bodies it abbreviates, from recommendation text that writes the acronym while
    addressed to the body by its full name ("That the CWPT review…" → Coventry and Warwickshire …)."""
    if recommendations is None or recommendations.is_empty():
        return {}
    key_of = {name.printed: key for key, members in by_key.items() for name in members}
    forms = {key: {key, *(name.core for name in members)} for key, members in by_key.items()}
    abbreviations_of: dict[str, tuple[set[str], str]] = {}

    def abbreviations(key: str) -> tuple[set[str], str]:
        if key not in abbreviations_of:
            abbreviations_of[key] = (set().union(*(initialisms(form) for form in forms[key])),
                                     "".join(w[0] for w in max(forms[key], key=len).split()))
        return abbreviations_of[key]

    addressed = addressees.group_by("review_id", "rec_position").agg(pl.col("addressed_as"))
    joined = recommendations.select("review_id", "rec_position", "recommendation").join(
        addressed, on=["review_id", "rec_position"])
    evidence: dict[str, set[str]] = defaultdict(set)
    for text, printed_names in joined.select("recommendation", "addressed_as").iter_rows():
        tokens = {t.lower() for t in _CAPS_TOKEN.findall(text) if sum(c.isupper() for c in t) >= 2}
        for printed in printed_names:
            key = key_of.get(printed)
            if key is None or not matchable(key) or len(key.split()) < 2:
                continue
            known, initials = abbreviations(key)
            for token in tokens:
                if token in known or _is_subsequence(token, initials):
                    evidence[token].add(key)
    return evidence


def _is_subsequence(letters: str, initials: str) -> bool:
    if len(letters) < 3 or letters[0] != initials[0]:
        return False
    remaining = iter(initials)
    return all(letter in remaining for letter in letters)
