"""A spelling that is a catalogue body's name, alias or acronym is that body; letters or a name
several bodies share are read in each review's place (:mod:`dhr_etl.transform.bodies`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from dhr_etl.transform.bodies import CatalogueMatches, match_names
from dhr_etl.transform.context import ReviewPlaces
from dhr_etl.transform.names import looks_like_acronym
from dhr_etl.transform.resolution.clusters import Clusters, Merge, StepResult, method_of
from dhr_etl.transform.resolution.spellings import Name, generic_keys

_THE = re.compile(r"^the\s+", re.IGNORECASE)


def match_catalogue(clusters: Clusters, by_key: Mapping[str, list[Name]], addressees: pl.DataFrame,
                    places: ReviewPlaces, methods: Mapping[str, tuple[str, float]]) -> tuple[StepResult, CatalogueMatches]:
    """Each spelling that is a catalogue body's joins that body (curated aliases keep their method);
    also returns the matches the review's place settles page by page."""
    acronym_of_key = {}
    for key, members in by_key.items():  # "the PCC" is printed as an acronym too
        letters = next((form for n in members if looks_like_acronym(form := _THE.sub("", n.printed))), None)
        if letters:
            acronym_of_key[key] = letters
    matches = match_names(by_key, acronym_of_key, addressees, places, generic_keys())
    working = clusters.copy()
    merges, matched = [], {}
    for key, (body_id, how, confidence) in sorted(matches.body_of_key.items()):
        if working.assign(key, body_id):
            merges.append(Merge(key, body_id=body_id))
            if method_of(methods, key)[0] != "curated":
                matched[key] = (how, confidence)
    return StepResult(tuple(merges), matched, tuple(matches.findings)), matches
