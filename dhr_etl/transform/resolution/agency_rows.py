"""The clusters as tables: one row per body (its key, name, sector, level, successor) and one per
printed spelling (the body it joined, how, with what confidence)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from dhr_etl.transform.catalogue import Body, Catalogue
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import core_name, match_key
from dhr_etl.transform.registry import AgencyRegistry
from dhr_etl.transform.resolution.clusters import Clusters, method_of
from dhr_etl.transform.resolution.spellings import Name, generic_keys
from dhr_etl.transform.rules import is_group, level_of, sector_of, successors

AGENCY_SCHEMA = {"agency_key": pl.Int64, "agency_name": pl.String, "normalised_name": pl.String,
                 "agency_sector": pl.String, "agency_level": pl.String, "is_group": pl.Boolean,
                 "is_generic": pl.Boolean, "successor_agency_key": pl.Int64}
ALIAS_SCHEMA = {"alias_key": pl.Int64, "addressed_as": pl.String, "agency_key": pl.Int64,
                "match_method": pl.String, "confidence": pl.Float64, "times_printed": pl.Int64}


def agency_rows(clusters: Clusters, by_key: Mapping[str, list[Name]], curated_name: Mapping[str, str],
                curated_sector: Mapping[str, str], registry: AgencyRegistry,
                ambiguous_sectors: Mapping[str, set[str]], catalogue: Catalogue) -> tuple[pl.DataFrame, dict[str, int]]:
    """One row per body, and cluster root → its agency key."""
    rows, key_of_root = [], {}
    generic = generic_keys()
    bodies = {root: member_keys for root, member_keys in clusters.members.items()
              if any(by_key[k] or k in curated_name or k in registry.keys for k in member_keys)}
    for root, agency_key in sorted(_keys_of_bodies(bodies, clusters, registry, catalogue).items()):
        member_keys = bodies[root]
        members = [n for k in sorted(member_keys) for n in by_key[k]]
        curated = next((curated_name[k] for k in sorted(member_keys) if k in curated_name), None)
        if root in clusters.body:
            body = catalogue.bodies[clusters.body[root]]
            row = body_row(body)
            if curated:
                row |= {"agency_name": curated, "normalised_name": match_key(core_name(curated))}
            sector = next((curated_sector[k] for k in sorted(member_keys) if k in curated_sector), None)
            rows.append(row | {"agency_sector": sector or body.sector})
            key_of_root[root] = body.agency_key
            continue
        # A properly capitalised spelling, the most printed; among equals the fullest ("… NHS
        # Foundation Trust" over "… Foundation Trust"), with "and", then alphabetical.
        most_printed = min(members, key=lambda n: (n.acronym, not _capitalised(n.printed), -n.count, -len(n.core),
                                                   "&" in n.printed, n.printed), default=None)
        name = curated or registry.name_of(agency_key) or (most_printed.printed if most_printed else None)
        if name is None:  # only a remembered match key, whose body is now another's: nothing to show
            continue
        key_of_root[root] = agency_key
        core = core_name(name)  # once: its cost grows with the name's length
        canonical_key = match_key(core)
        sector = next((curated_sector[k] for k in sorted(member_keys) if k in curated_sector), None)
        if sector is None:
            cores = [core] + [n.core for n in sorted(members, key=lambda n: -n.count)]
            sector = next((s for s in map(sector_of, cores) if s != "other"), "other")
        if sector == "other":
            options = set().union(*(ambiguous_sectors.get(k, set()) for k in member_keys)) - {"other"}
            sector = options.pop() if len(options) == 1 else "other"
        rows.append({"agency_key": agency_key, "agency_name": name, "normalised_name": canonical_key,
                     "agency_sector": sector, "agency_level": level_of(core),
                     "is_group": is_group(core),
                     "is_generic": canonical_key in generic, "successor_agency_key": None})
    agencies = pl.DataFrame(rows, schema=AGENCY_SCHEMA)
    return _with_successors(agencies, clusters, key_of_root, catalogue), key_of_root


def alias_rows(names: Mapping[str, Name], clusters: Clusters, key_of_root: Mapping[str, int],
               canonical: Mapping[int, str], methods: Mapping[str, tuple[str, float]]) -> pl.DataFrame:
    """One row per printed spelling; a spelling that is its body's name is matched "exact"."""
    rows = []
    for n in names.values():
        agency_key = key_of_root[clusters.find(n.key)]
        method, confidence = method_of(methods, n.key)
        rows.append({"alias_key": stable_key("alias", n.printed), "addressed_as": n.printed, "agency_key": agency_key,
                     "match_method": "exact" if n.printed == canonical.get(agency_key) else method,
                     "confidence": confidence, "times_printed": n.count})
    return pl.DataFrame(rows, schema=ALIAS_SCHEMA)


def body_row(body: Body) -> dict:
    """A catalogue body as an agency: its own key, name, sector and level."""
    return {"agency_key": body.agency_key, "agency_name": body.name, "normalised_name": match_key(core_name(body.name)),
            "agency_sector": body.sector, "agency_level": body.level, "is_group": False, "is_generic": False,
            "successor_agency_key": None}


def _keys_of_bodies(bodies: dict[str, set[str]], clusters: Clusters, registry: AgencyRegistry,
                    catalogue: Catalogue) -> dict[str, int]:
    """cluster → agency key, one key per body in a run: a catalogue body's key comes from its
    body_id; the others keep their remembered keys (:meth:`AgencyRegistry.assign`) unless one is
    a catalogue body's of this run, when they take a key of their own."""
    assigned = registry.assign(bodies)
    catalogue_keys = {catalogue.bodies[clusters.body[root]].agency_key for root in bodies if root in clusters.body}
    taken = set(assigned.values()) | catalogue_keys
    for root in sorted(assigned):
        if root not in clusters.body and assigned[root] in catalogue_keys:
            assigned[root] = registry.unused_key(min(bodies[root]), taken)
            taken.add(assigned[root])
    return assigned


def _with_successors(agencies: pl.DataFrame, clusters: Clusters, key_of_root: Mapping[str, int],
                     catalogue: Catalogue) -> pl.DataFrame:
    """CCG → the ICB of the same place (rule), the catalogue's successors, plus the curated renamings."""
    def agency_of(name: str) -> int | None:
        key = match_key(core_name(name))
        return key_of_root.get(clusters.find(key)) if key in clusters.parent else None

    successor: dict[int, int] = {}
    for key in clusters.parent:
        if key.endswith("clinical commissioning"):  # "… group" is trailing filler in a match key
            later = match_key(key.removesuffix("clinical commissioning") + "integrated care board")
            if later in clusters.parent and (a := agency_of(key)) and (b := agency_of(later)):
                successor[a] = b
    for predecessor, succeeding, _ in successors():
        if (a := agency_of(predecessor)) and (b := agency_of(succeeding)) and a != b:
            successor[a] = b
    present = set(agencies["agency_key"].to_list())
    for body_id in clusters.body.values():
        body = catalogue.bodies[body_id]
        later = catalogue.bodies.get(body.successor)
        if later is not None and later.agency_key in present:
            successor[body.agency_key] = later.agency_key
    return agencies.with_columns(
        pl.col("agency_key").replace_strict(successor, default=None, return_dtype=pl.Int64).alias("successor_agency_key")
    )


def _capitalised(printed: str) -> bool:
    """"Greater Manchester Police", not "Greater Manchester police" or "ALL AGENCIES"."""
    words = [w for w in re.findall(r"[A-Za-z’']+", printed) if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words) and not printed.isupper()
