"""Which catalogue body a printed name means: by its spelling, by its letters read in the review's
place, or as a one-letter typo of a catalogue name.

A name whose spelling is a catalogue body's name or alias is that body wherever it is printed. An
acronym, or a name two catalogue bodies share, is read page by page: the candidates acting where
the review's CSP lies; when every page that prints it agrees, the name itself is the body, otherwise
each page gets its own and the pages that cannot decide are reported, not guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from dhr_etl.transform.catalogue import Body, Catalogue
from dhr_etl.transform.context import ReviewPlaces

TYPO_CONFIDENCE = 0.95
ACRONYM_CONFIDENCE = 0.9


@dataclass(slots=True)
class CatalogueMatches:
    body_of_key: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    """match key → (body id, how it was matched, confidence) where every page agrees."""
    in_review: dict[tuple[str, str], str] = field(default_factory=dict)
    """(review id, match key) → body id where the review's place decides and pages differ."""
    shared_letters: set[str] = field(default_factory=set)
    """Keys of acronyms the catalogue gives to several bodies: not for data-derived joins."""
    findings: list[dict] = field(default_factory=list)


def match_names(names_by_key: dict[str, list], acronym_of_key: dict[str, str], addressees: pl.DataFrame,
                places: ReviewPlaces, generic_keys: Iterable[str]) -> CatalogueMatches:
    """``names_by_key``: match key → printed names (objects with ``.printed``); ``acronym_of_key``:
    match key → the printed acronym, for keys printed as one."""
    catalogue, generic = places.catalogue, set(generic_keys)
    matches = CatalogueMatches()
    placed: dict[str, tuple[list[Body], str]] = {}
    generic_letters: set[str] = set()
    for key, members in names_by_key.items():
        if not members:
            continue
        if key in generic:  # "UHB": a Welsh health board, or University Hospitals Birmingham
            letters = catalogue.bodies_abbreviated(acronym_of_key[key]) if key in acronym_of_key else []
            if letters:
                placed[key] = (letters, "acronym")
                matches.shared_letters.add(key)
                generic_letters.add(key)
            continue
        bodies, how = catalogue.bodies_named(key), "catalogue"
        if not bodies and key in acronym_of_key:
            bodies, how = catalogue.bodies_abbreviated(acronym_of_key[key]), "acronym"
            if len(bodies) > 1:
                matches.shared_letters.add(key)
        if not bodies:
            continue
        if len(bodies) == 1 and (how == "catalogue" or bodies[0].is_national):
            matches.body_of_key[key] = (bodies[0].body_id, how, 1.0 if how == "catalogue" else ACRONYM_CONFIDENCE)
        else:
            placed[key] = (bodies, how)
    if placed:
        _read_in_place(placed, names_by_key, addressees, places, matches, generic_letters)
    return matches


def _read_in_place(placed: dict[str, tuple[list[Body], str]], names_by_key: dict[str, list],
                   addressees: pl.DataFrame, places: ReviewPlaces, matches: CatalogueMatches,
                   generic_letters: set[str]) -> None:
    """Each page's reading of names its place settles; a generic name's letters are read page by
    page only, and where no body of those letters acts in the place the generic rule applies."""
    key_of = {name.printed: key for key in placed for name in names_by_key[key]}
    printed_in = (addressees.filter(pl.col("addressed_as").is_in(list(key_of)))
                  .select("addressed_as", "review_id").unique().sort("addressed_as", "review_id"))
    reviews_of: dict[str, set[str]] = defaultdict(set)
    for printed, review_id in printed_in.iter_rows():
        reviews_of[key_of[printed]].add(review_id)
    for key, (bodies, how) in placed.items():
        settled: dict[str, str] = {}
        undecided: dict[str, list[Body]] = {}
        for review_id in sorted(reviews_of[key]):
            body, here = places.settle_for(bodies, review_id)
            if body is not None:
                settled[review_id] = body.body_id
            elif len(here) > 1:
                undecided[review_id] = here
        confidence = 1.0 if how == "catalogue" else ACRONYM_CONFIDENCE
        if key not in generic_letters and len(set(settled.values())) == 1 and len(settled) == len(reviews_of[key]):
            matches.body_of_key[key] = (next(iter(settled.values())), how, confidence)
            continue
        for review_id, body_id in settled.items():
            matches.in_review[(review_id, key)] = body_id
        if undecided and key not in generic_letters:
            printed = names_by_key[key][0].printed
            options = sorted({b.name for here in undecided.values() for b in here})
            kind = "ambiguous acronym" if how == "acronym" else "ambiguous name"
            matches.findings.append({"kind": kind, "addressed_as": printed,
                                     "detail": f"on {len(undecided)} review(s) the place does not settle it; could be: "
                                               + " | ".join(options)})


def typo_of(printed: str, catalogue: Catalogue) -> tuple[Body | None, dict | None]:
    """The one catalogue body a name misspells by one letter (or two swapped) in a long word, or a
    finding when the misspelling fits several bodies."""
    bodies = catalogue.typo_bodies(printed)
    if not bodies:
        return None, None
    if len(bodies) == 1:
        return catalogue.bodies[bodies.pop()], None
    return None, {"kind": "borderline typo", "addressed_as": printed,
                  "detail": "one letter from several bodies, not merged: "
                            + " | ".join(sorted(catalogue.bodies[b].name for b in bodies))}
