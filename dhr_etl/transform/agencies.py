"""Resolve every printed addressee to a canonical body, with a sector, and say what needs a human.

Matching runs from the surest evidence to the least sure, and a later step can only join what no
curated rule keeps apart:

1. curated aliases (``reference/agency_aliases.csv``): always win;
2. rules: normalised spelling, synonyms, curated acronyms spelled out, trailing filler dropped
   ("… NHS Foundation Trust"), words run together ("Safe Lives" / "SafeLives");
3. acronyms derived from the names in the data ("CWPT" ← Coventry and Warwickshire Partnership
   NHS Trust), settled by the recommendation text when several bodies share the letters;
4. fuzzy matching (rapidfuzz), blocked by first and last word, conservative: a near miss is
   reported, not merged;
5. context, per review: a generic addressee ("Police") means the one specific body of that kind
   the same review addresses ("Warwickshire Police"), else the body the review's place implies
   (the force of its CSP's police force area; see :mod:`dhr_etl.transform.context`), and
   "Community Safety Partnership" means the review's own CSP's partnership.

The catalogue of real bodies (:mod:`dhr_etl.transform.catalogue`) comes in after the curated
aliases: a name spelled as a catalogue body's name or alias is that body (its key, name, sector
and level); acronyms and names several catalogue bodies share are read in the review's place
(:mod:`dhr_etl.transform.bodies`); one-letter typos of catalogue names join their body before the
fuzzy step. Two catalogue bodies are never joined by steps 2–4.

Pairs in ``reference/must_not_merge.csv`` and ``reference/bodies/must_not_merge_bodies.csv`` are
never joined by steps 2–4.

Each step is a module of :mod:`dhr_etl.transform.resolution` returning its joins and findings;
:func:`resolve_agencies` applies them in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dhr_etl.transform.catalogue import Catalogue, load_catalogue
from dhr_etl.transform.context import ReviewPlaces
from dhr_etl.transform.registry import AgencyRegistry
from dhr_etl.transform.resolution import findings as found
from dhr_etl.transform.resolution.acronyms import join_acronyms
from dhr_etl.transform.resolution.agency_rows import AGENCY_SCHEMA, ALIAS_SCHEMA, agency_rows, alias_rows
from dhr_etl.transform.resolution.catalogue_lookup import match_catalogue
from dhr_etl.transform.resolution.clusters import Clusters, StepResult
from dhr_etl.transform.resolution.curated import curated_aliases, forbidden_pairs
from dhr_etl.transform.resolution.findings import FINDING_SCHEMA
from dhr_etl.transform.resolution.fuzzy import join_fuzzy
from dhr_etl.transform.resolution.in_context import PAIR_SCHEMA, pairs_in_context
from dhr_etl.transform.resolution.run_together import join_run_together
from dhr_etl.transform.resolution.spellings import by_match_key, distinct_names, spelled_alike
from dhr_etl.transform.resolution.typos import join_catalogue_typos
from dhr_etl.transform.rules import curated_agency_aliases, must_not_merge

__all__ = ["AGENCY_SCHEMA", "ALIAS_SCHEMA", "FINDING_SCHEMA", "PAIR_SCHEMA", "AgencyResolution", "resolve_agencies"]


@dataclass(frozen=True, slots=True)
class AgencyResolution:
    agencies: pl.DataFrame
    aliases: pl.DataFrame
    """One row per printed spelling → its body, how it was matched, with what confidence."""
    pairs: pl.DataFrame
    """One row per (recommendation, addressee): the body meant there, context included."""
    findings: pl.DataFrame
    """What needs a human: low-confidence matches, ambiguous acronyms, no sector, new names."""


def resolve_agencies(
    addressees: pl.DataFrame,
    recommendations: pl.DataFrame | None = None,
    review_csps: dict[str, str] | None = None,
    registry: AgencyRegistry | None = None,
    catalogue: Catalogue | None = None,
) -> AgencyResolution:
    """``addressees``: review_id, rec_position, addressee_position, addressed_as.
    ``recommendations``: review_id, rec_position, recommendation (acronym evidence).
    ``review_csps``: review_id → canonical CSP name (its place: "Police", "Community Safety Partnership").
    ``registry``: keeps names and keys stable across runs; updated in place.
    ``catalogue``: the bodies names are matched against (default: the reference catalogue)."""
    registry = registry or AgencyRegistry.empty()
    catalogue = load_catalogue() if catalogue is None else catalogue
    places = ReviewPlaces(catalogue, review_csps or {})
    names = distinct_names(addressees["addressed_as"], catalogue)
    curated = curated_aliases({name.key for name in names.values()}, curated_agency_aliases())
    by_key = by_match_key(names, curated.keys)
    clusters = Clusters(by_key, forbidden_pairs(must_not_merge(), catalogue.must_not_merge))
    methods: dict[str, tuple[str, float]] = {}
    findings: list[dict] = []

    def apply(step: StepResult) -> None:
        clusters.apply(step.merges)
        methods.update(step.methods)
        findings.extend(step.findings)

    apply(StepResult(curated.merges, curated.methods))
    methods.update(spelled_alike(by_key, methods))
    in_catalogue, matches = match_catalogue(clusters, by_key, addressees, places, methods)
    apply(in_catalogue)
    findings.extend(found.too_long(names))
    apply(join_run_together(clusters, by_key, methods))
    from_letters, ambiguous_sectors = join_acronyms(clusters, by_key, addressees, recommendations,
                                                    matches.shared_letters)
    apply(from_letters)
    apply(join_catalogue_typos(clusters, by_key, catalogue))
    apply(join_fuzzy(clusters, by_key))

    agencies, key_of_root = agency_rows(clusters, by_key, curated.names, curated.sectors, registry,
                                        ambiguous_sectors, catalogue)
    aliases = alias_rows(names, clusters, key_of_root, dict(agencies.select("agency_key", "agency_name").iter_rows()),
                         methods)
    pairs, extra, unplaced = pairs_in_context(addressees, names, clusters, key_of_root, agencies, places,
                                              matches.in_review, registry)
    if extra:
        agencies = pl.concat([agencies, pl.DataFrame(extra, schema=AGENCY_SCHEMA)])
    catalogued = pl.col("agency_key").is_in(list(found.catalogue_keys(clusters, key_of_root, extra)))
    findings += unplaced + found.outside_catalogue(agencies.filter(~catalogued), catalogue)
    findings += found.for_humans(agencies.filter(~catalogued), aliases, registry)
    registry.remember(agencies, aliases, {key: key_of_root[clusters.find(key)] for key in by_key})
    return AgencyResolution(agencies=agencies.sort("agency_key"), aliases=aliases, pairs=pairs,
                            findings=found.findings_frame(findings, addressees))
