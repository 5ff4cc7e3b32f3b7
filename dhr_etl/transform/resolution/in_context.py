"""The body meant by each (recommendation, addressee), reading names in their review: a generic
addressee ("Police") means the one specific body of that kind the same review addresses
("Warwickshire Police"), else the body the review's place implies (the force of its CSP's police
force area; see :mod:`dhr_etl.transform.context`); "Community Safety Partnership" means the review's
own CSP's partnership; a shared acronym takes the body its place settled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from functools import cache

import polars as pl

from dhr_etl.frames import FrameBuilder
from dhr_etl.transform.catalogue import Body
from dhr_etl.transform.context import ReviewPlaces
from dhr_etl.transform.names import core_name, match_key
from dhr_etl.transform.registry import AgencyRegistry
from dhr_etl.transform.resolution.agency_rows import body_row
from dhr_etl.transform.resolution.clusters import Clusters
from dhr_etl.transform.resolution.spellings import Name, generic_keys
from dhr_etl.transform.rules import generic_place_rules

PAIR_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "addressee_position": pl.Int32,
               "agency_key": pl.Int64, "resolved_by": pl.String}


def pairs_in_context(addressees: pl.DataFrame, names: Mapping[str, Name], clusters: Clusters,
                     key_of_root: Mapping[str, int], agencies: pl.DataFrame, places: ReviewPlaces,
                     in_review_body: Mapping[tuple[str, str], str],
                     registry: AgencyRegistry) -> tuple[pl.DataFrame, list[dict], list[dict]]:
    """(pairs, agencies only context brought in, findings)."""
    generic, place_rules = generic_keys(), _place_rules()
    info = {row["agency_key"]: row for row in agencies.iter_rows(named=True)}
    agency_of = {printed: key_of_root[clusters.find(n.key)] for printed, n in names.items()}
    by_normalised = {row["normalised_name"]: key for key, row in reversed(info.items())}  # first wins, as a scan would
    partnership_of_csp: dict[str, int] = {}  # one lookup per CSP, not one per review and agency
    core_of: dict[int, str] = {}
    taken = set(info)  # keys the bodies of this run hold
    extra: dict[int, dict] = {}
    unsettled: dict[tuple[str, str], None] = {}
    pairs = FrameBuilder(PAIR_SCHEMA)
    by_review: dict[str, list[tuple]] = defaultdict(list)
    for row in addressees.select("review_id", "rec_position", "addressee_position", "addressed_as").iter_rows():
        by_review[row[0]].append(row)

    def agency_for(body: Body) -> int:
        key = body.agency_key
        if key not in info and key not in extra:
            extra[key] = body_row(body)
        return key

    def core(key: int) -> str:
        if key not in core_of:
            core_of[key] = core_name(info[key]["agency_name"])
        return core_of[key]

    for review_id, review_rows in by_review.items():
        in_review = {agency_of[row[3]] for row in review_rows}
        specific = [key for key in in_review if not info[key]["is_generic"]]
        csp = places.csp(review_id)
        meaning: dict[int, tuple[int, str]] = {}
        for key in in_review:
            canonical = info[key]["normalised_name"]
            if canonical not in generic:
                continue
            pattern, rule = generic[canonical], place_rules.get(canonical)
            matches = [k for k in specific if pattern and pattern.search(core(k))]
            if len(matches) == 1:  # the page itself names the body
                meaning[key] = (matches[0], "context")
                continue
            if rule == "csp" and csp is None and review_id in places.review_csps:  # not placed: by its name
                name = places.review_csps[review_id]
                if name not in partnership_of_csp:
                    partnership = f"{name} Community Safety Partnership"
                    known = by_normalised.get(match_key(core_name(partnership)))
                    partnership_of_csp[name] = known if known is not None else _csp_partnership(partnership, registry, extra, taken)
                meaning[key] = (partnership_of_csp[name], "context")
                continue
            if rule is None:
                continue
            if rule == "itself":
                found = places.catalogue.bodies_named(canonical)
                body, why = ((found[0], "") if len(found) == 1
                             else (None, "the catalogue has no single body of this name"))
            else:
                body, why = places.body_for(rule, review_id)
            if body is not None and matches and body.agency_key not in matches:
                continue  # the page names other bodies of the kind, not the place's own: not guessed
            if body is not None:
                meaning[key] = (agency_for(body), "place")
            elif places.csps_of(review_id):  # an unplaced CSP is reported as such
                unsettled[(info[key]["agency_name"], f"{why} (CSP {places.review_csps[review_id]})")] = None
        for review, position, addressee_position, printed in review_rows:
            agency = agency_of[printed]
            body_id = in_review_body.get((review, names[printed].key)) if in_review_body else None
            if body_id is not None:
                target, how = agency_for(places.catalogue.bodies[body_id]), "place"
            else:
                target, how = meaning.get(agency, (agency, "name"))
            pairs.add((review, position, addressee_position, target, how))
    findings = [{"kind": "generic name not settled by place", "addressed_as": name, "detail": detail}
                for name, detail in unsettled]
    return pairs.frame(), list(extra.values()), findings


@cache
def _place_rules() -> dict[str, str]:
    return {match_key(core_name(generic)): rule for generic, rule in generic_place_rules().items()}


def _csp_partnership(name: str, registry: AgencyRegistry, extra: dict[int, dict], taken: set[int]) -> int:
    """A key for the CSP's partnership, which no printed name in this run is: its remembered key
    unless a body of this run holds that key now, else one derived from its name."""
    key = match_key(core_name(name))
    known = registry.keys.get(key)
    agency_key = known if known is not None and known not in taken else registry.unused_key(key, taken)
    taken.add(agency_key)
    extra.setdefault(agency_key, {"agency_key": agency_key, "agency_name": name, "normalised_name": key,
                                  "agency_sector": "community safety partnership", "agency_level": "local",
                                  "is_group": False,
                                  "is_generic": False, "successor_agency_key": None})
    return agency_key
