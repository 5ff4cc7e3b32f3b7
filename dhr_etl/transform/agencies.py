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
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from dhr_etl.frames import FrameBuilder
from dhr_etl.transform.bodies import CatalogueMatches, match_names, typo_of
from dhr_etl.transform.catalogue import Body, Catalogue, load_catalogue
from dhr_etl.transform.context import ReviewPlaces
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import core_name, initialisms, looks_like_acronym, match_key, normalise_name
from dhr_etl.transform.registry import AgencyRegistry
from dhr_etl.transform.rules import (
    curated_agency_aliases,
    generic_addressees,
    generic_place_rules,
    is_group,
    level_of,
    must_not_merge,
    sector_of,
    successors,
)

FUZZY_MERGE = 92.0
"""Scores at or above this merge (when the differing words are typos of each other)."""
FUZZY_REPORT = 85.0
"""Scores from here up to FUZZY_MERGE are reported for a human, not merged."""
MAX_BLOCK = 3000
"""Blocks larger than this are split further, so matching stays near-linear in the names seen."""
_CAPS_TOKEN = re.compile(r"\b[A-Z][A-Za-z]{1,5}\b")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
MAX_MATCHED_CHARS = 300
"""Names longer than this (the longest real body's name is under 120 characters) are a sentence
or a paste, not an addressee: each stands for itself, joined only to the very same text, and is
kept out of acronym and fuzzy matching, whose cost grows with the square of a name's length (two
1 MB names took 65 s to compare)."""

AGENCY_SCHEMA = {"agency_key": pl.Int64, "agency_name": pl.String, "normalised_name": pl.String,
                 "agency_sector": pl.String, "agency_level": pl.String, "is_group": pl.Boolean,
                 "is_generic": pl.Boolean, "successor_agency_key": pl.Int64}
ALIAS_SCHEMA = {"alias_key": pl.Int64, "addressed_as": pl.String, "agency_key": pl.Int64,
                "match_method": pl.String, "confidence": pl.Float64, "times_printed": pl.Int64}
PAIR_SCHEMA = {"review_id": pl.String, "rec_position": pl.Int32, "addressee_position": pl.Int32,
               "agency_key": pl.Int64, "resolved_by": pl.String}
FINDING_SCHEMA = {"kind": pl.String, "addressed_as": pl.String, "detail": pl.String, "review_ids": pl.String}


@dataclass(frozen=True, slots=True)
class AgencyResolution:
    agencies: pl.DataFrame
    aliases: pl.DataFrame
    """One row per printed spelling → its body, how it was matched, with what confidence."""
    pairs: pl.DataFrame
    """One row per (recommendation, addressee): the body meant there, context included."""
    findings: pl.DataFrame
    """What needs a human: low-confidence matches, ambiguous acronyms, no sector, new names."""


class _Clusters:
    """Union-find over match keys that refuses joins a curated pair forbids."""

    def __init__(self, keys: Iterable[str], forbidden: set[frozenset[str]]) -> None:
        self.parent = {key: key for key in keys}
        self.members = {key: {key} for key in self.parent}
        self.forbidden_with: dict[str, set[str]] = defaultdict(set)
        for pair in forbidden:
            a, b = (tuple(pair) * 2)[:2]  # a one-name "pair" forbids nothing but itself
            self.forbidden_with[a].add(b)
            self.forbidden_with[b].add(a)
        self.body: dict[str, str] = {}
        """root → the catalogue body its cluster is"""
        self.key_of_body: dict[str, str] = {}

    def assign(self, key: str, body_id: str) -> bool:
        """Make ``key``'s cluster the catalogue body's; False when it is already another body's."""
        root = self.find(key)
        if root in self.body:
            return self.body[root] == body_id
        if body_id in self.key_of_body:
            return self.union(key, self.key_of_body[body_id], force=True)
        self.body[root] = body_id
        self.key_of_body[body_id] = key
        return True

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def allowed(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra in self.body and rb in self.body and self.body[ra] != self.body[rb]:
            return False  # two catalogue bodies are two bodies
        small, large = sorted((self.members[ra], self.members[rb]), key=len)  # linear in the smaller cluster
        return not any(other in large for key in small for other in self.forbidden_with.get(key, ()))

    def union(self, a: str, b: str, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.allowed(ra, rb):
            return False
        keep, drop = sorted((ra, rb))
        self.parent[drop] = keep
        self.members[keep] |= self.members.pop(drop)
        if drop in self.body:
            self.body.setdefault(keep, self.body[drop])
            del self.body[drop]
        return True


@dataclass(slots=True)
class _Name:
    printed: str
    count: int
    core: str
    key: str
    acronym: bool
    method: str = "exact"
    confidence: float = 1.0


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
    names = _distinct_names(addressees["addressed_as"])
    for name in names.values():  # "Sandwell Children's Trust" is not "Sandwell Children's Services"
        name.key = catalogue.own_key(name.core, name.key) or name.key
    by_key: dict[str, list[_Name]] = defaultdict(list)
    for name in names.values():
        by_key[name.key].append(name)

    curated_name: dict[str, str] = {}
    curated_sector: dict[str, str] = {}
    for printed, canonical, sector in curated_agency_aliases():
        key, canonical_key = match_key(core_name(printed)), match_key(core_name(canonical))
        by_key.setdefault(canonical_key, [])
        if key in by_key:
            for name in by_key[key]:
                name.method, name.confidence = "curated", 1.0
        curated_name[canonical_key] = canonical
        if sector:
            curated_sector[canonical_key] = sector
        by_key.setdefault(key, [])
    forbidden = {frozenset((match_key(core_name(a)), match_key(core_name(b))))
                 for a, b in (*must_not_merge(), *catalogue.must_not_merge)}
    clusters = _Clusters(by_key, forbidden)
    for printed, canonical, _ in curated_agency_aliases():
        clusters.union(match_key(core_name(printed)), match_key(core_name(canonical)), force=True)
    for key, members in by_key.items():
        if len({normalise_name(n.printed) for n in members}) > 1:
            for name in members:
                if name.method == "exact":
                    name.method = "rule"

    matches = _match_catalogue(clusters, by_key, addressees, places)
    findings: list[dict] = list(matches.findings) + [
        {"kind": "not matched: too long for a name", "addressed_as": name.printed,
         "detail": f"{len(name.printed):,} characters, over {MAX_MATCHED_CHARS}: kept as printed, as a body of its own"}
        for name in names.values() if not _matchable(name.key)]
    _join_run_together(clusters, by_key)
    ambiguous_sectors = _join_acronyms(clusters, by_key, addressees, recommendations, findings, matches.shared_letters)
    _join_catalogue_typos(clusters, by_key, catalogue, findings)
    _join_fuzzy(clusters, by_key, findings)

    agencies, key_of_root = _agencies(clusters, by_key, curated_name, curated_sector, registry, ambiguous_sectors,
                                      catalogue)
    aliases = _aliases(names, clusters, key_of_root, dict(agencies.select("agency_key", "agency_name").iter_rows()))
    pairs, extra, unplaced = _pairs_in_context(addressees, names, clusters, key_of_root, agencies, places,
                                               matches.in_review, registry)
    if extra:
        agencies = pl.concat([agencies, pl.DataFrame(extra, schema=AGENCY_SCHEMA)])
    catalogued = pl.col("agency_key").is_in(list(_catalogue_keys(clusters, key_of_root, extra)))
    findings += unplaced + _outside_catalogue(agencies.filter(~catalogued), catalogue)
    findings += _findings_for_humans(agencies.filter(~catalogued), aliases, registry)
    registry.remember(agencies, aliases, {key: key_of_root[clusters.find(key)] for key in by_key})
    return AgencyResolution(
        agencies=agencies.sort("agency_key"),
        aliases=aliases,
        pairs=pairs,
        findings=_with_reviews(pl.DataFrame(findings, schema={k: v for k, v in FINDING_SCHEMA.items() if k != "review_ids"}),
                               addressees),
    )


def _match_catalogue(clusters: _Clusters, by_key: dict[str, list[_Name]], addressees: pl.DataFrame,
                     places: ReviewPlaces) -> CatalogueMatches:
    """Each spelling that is a catalogue body's joins that body (curated aliases stay as they are)."""
    acronym_of_key = {}
    for key, members in by_key.items():  # "the PCC" is printed as an acronym too
        letters = next((form for n in members if looks_like_acronym(form := _THE.sub("", n.printed))), None)
        if letters:
            acronym_of_key[key] = letters
    matches = match_names(by_key, acronym_of_key, addressees, places, _generic_keys())
    for key, (body_id, how, confidence) in sorted(matches.body_of_key.items()):
        if clusters.assign(key, body_id):
            for name in by_key[key]:
                if name.method != "curated":
                    name.method, name.confidence = how, confidence
    return matches


def _join_catalogue_typos(clusters: _Clusters, by_key: dict[str, list[_Name]], catalogue: Catalogue,
                          findings: list[dict]) -> None:
    """"Merseyside Polcie" is Merseyside Police: one letter wrong (or two swapped) in a long word,
    every other word the same, and no other catalogue body that close."""
    generic = _generic_keys()
    for key, members in by_key.items():
        if not members or key in generic or clusters.find(key) in clusters.body or any(n.acronym for n in members):
            continue
        body, finding = typo_of(members[0].printed, catalogue)
        if finding:
            findings.append(finding)
        elif body is not None and clusters.assign(key, body.body_id):
            for name in members:
                name.method, name.confidence = "typo", 0.95


def _distinct_names(printed: pl.Series) -> dict[str, _Name]:
    names = {}
    for spelling, count in printed.drop_nulls().value_counts(sort=True).iter_rows():
        core = core_name(spelling)
        names[spelling] = _Name(spelling, count, core, match_key(core), looks_like_acronym(spelling))
    return dict(sorted(names.items()))


def _matchable(key: str) -> bool:
    return len(key) <= MAX_MATCHED_CHARS


def _join_run_together(clusters: _Clusters, by_key: dict[str, list[_Name]]) -> None:
    """"Safe Lives" and "SafeLives": the same letters with the spaces taken out."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        groups[key.replace(" ", "")].append(key)
    for keys in groups.values():
        for other in keys[1:]:
            if clusters.union(keys[0], other):
                for name in by_key[other]:
                    name.method = "rule" if name.method == "exact" else name.method


def _join_acronyms(clusters: _Clusters, by_key: dict[str, list[_Name]], addressees: pl.DataFrame,
                   recommendations: pl.DataFrame | None, findings: list[dict],
                   read_in_place: set[str] = frozenset()) -> dict[str, set[str]]:
    """Join an acronym to the one body whose name it abbreviates; return the sectors that
    ambiguous acronyms could belong to. Acronyms in ``read_in_place`` (letters several catalogue
    bodies share) are left to the review's place."""
    index: dict[str, set[str]] = defaultdict(set)
    for key, members in by_key.items():
        if not _matchable(key):
            continue
        for form in {key, *(name.core for name in members)}:  # "… Partnership NHS Trust" → CWPT
            for letters in initialisms(form):
                index[letters].add(key)
    evidence = _acronym_evidence(addressees, recommendations, by_key)
    ambiguous: dict[str, set[str]] = {}
    for key, members in by_key.items():
        acronym_names = [n for n in members if n.acronym]
        if not acronym_names or key in read_in_place or clusters.find(key) in clusters.body:
            continue
        letters = normalise_name(acronym_names[0].printed).replace(" ", "")
        candidates = {c for c in index.get(letters, set()) if clusters.find(c) != clusters.find(key)}
        candidates |= {k for k in evidence.get(letters, ()) if clusters.find(k) != clusters.find(key)}
        roots = {clusters.find(c) for c in candidates}
        if len(roots) > 1:
            supported = {clusters.find(c) for c in candidates if c in evidence.get(letters, ())}
            roots = supported if len(supported) == 1 else roots
        if len(roots) == 1:
            (target,) = roots
            if clusters.union(key, target):
                for name in members:
                    name.method, name.confidence = "acronym", 0.9
        elif len(roots) > 1:
            ambiguous[key] = {sector_of(c) for c in candidates}
            findings.append({"kind": "ambiguous acronym", "addressed_as": acronym_names[0].printed,
                             "detail": "could be: " + " | ".join(sorted(by_key[c][0].printed if by_key[c] else c
                                                                        for c in candidates))})
    return ambiguous


def _acronym_evidence(addressees: pl.DataFrame, recommendations: pl.DataFrame | None,
                      by_key: dict[str, list[_Name]]) -> dict[str, set[str]]:
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
            if key is None or not _matchable(key) or len(key.split()) < 2:
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


def _join_fuzzy(clusters: _Clusters, by_key: dict[str, list[_Name]], findings: list[dict]) -> None:
    keys = sorted(k for k in by_key if by_key[k] and 4 <= len(k) <= MAX_MATCHED_CHARS)
    seen: set[tuple[str, str]] = set()
    for block in _blocks(keys):
        if len(block) < 2:
            continue
        scores = process.cdist(block, block, scorer=fuzz.ratio, score_cutoff=FUZZY_REPORT, workers=1)
        rows, columns = np.nonzero(np.triu(scores, 1))  # each pair once, as plain ints and floats
        for i, j, score in zip(rows.tolist(), columns.tolist(), scores[rows, columns].tolist()):
            a, b = block[i], block[j]
            root_a, root_b = clusters.find(a), clusters.find(b)
            if (a, b) in seen or root_a == root_b or (root_a in clusters.body and root_b in clusters.body):
                continue  # two catalogue bodies are known to be two
            seen.add((a, b))
            if score >= FUZZY_MERGE and _only_typos_differ(a, b) and clusters.union(a, b):
                smaller = min((a, b), key=lambda k: sum(n.count for n in by_key[k]))
                for name in by_key[smaller]:
                    name.method, name.confidence = "fuzzy", round(score / 100, 3)
            else:
                findings.append({"kind": "low-confidence match, not merged", "addressed_as": by_key[a][0].printed,
                                 "detail": f"{by_key[b][0].printed} (similarity {score:.0f})"})


def _blocks(keys: list[str]) -> Iterable[list[str]]:
    """Names sharing a first word, and names sharing a last word: a typo must leave one intact."""
    for position in (0, -1):
        groups: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            groups[key.split()[position]].append(key)
        for group in groups.values():
            if len(group) <= MAX_BLOCK:
                yield group
            else:
                sub: dict[str, list[str]] = defaultdict(list)
                for key in group:
                    sub[key.replace(" ", "")[:3] + str(len(key) // 8)].append(key)
                yield from sub.values()


def _only_typos_differ(a: str, b: str) -> bool:
    """Each word one name has and the other lacks must be a misspelling of a word the other has:
    "Warwickshire Childrens Service" ~ "Warwickshire Childrens Services", never "Kent Police" ~
    "Kent Policy Unit"."""
    words_a, words_b = set(a.split()), set(b.split())
    only_a, only_b = words_a - words_b, words_b - words_a
    if len(only_a) != len(only_b):
        return False
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    return all(max((fuzz.ratio(x, y) for y in only_b), default=0) >= 80 for x in only_a)


def _agencies(clusters: _Clusters, by_key: dict[str, list[_Name]], curated_name: dict[str, str],
              curated_sector: dict[str, str], registry: AgencyRegistry,
              ambiguous_sectors: dict[str, set[str]], catalogue: Catalogue) -> tuple[pl.DataFrame, dict[str, int]]:
    rows, key_of_root = [], {}
    generic_keys = _generic_keys()
    bodies = {root: member_keys for root, member_keys in clusters.members.items()
              if any(by_key[k] or k in curated_name or k in registry.keys for k in member_keys)}
    for root, agency_key in sorted(_keys_of_bodies(bodies, clusters, registry, catalogue).items()):
        member_keys = bodies[root]
        members = [n for k in sorted(member_keys) for n in by_key[k]]
        curated = next((curated_name[k] for k in sorted(member_keys) if k in curated_name), None)
        if root in clusters.body:
            body = catalogue.bodies[clusters.body[root]]
            row = _body_row(body)
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
                     "is_generic": canonical_key in generic_keys, "successor_agency_key": None})
    agencies = pl.DataFrame(rows, schema=AGENCY_SCHEMA)
    return _with_successors(agencies, clusters, key_of_root, catalogue), key_of_root


def _keys_of_bodies(bodies: dict[str, set[str]], clusters: _Clusters, registry: AgencyRegistry,
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


def _body_row(body: Body) -> dict:
    """A catalogue body as an agency: its own key, name, sector and level."""
    return {"agency_key": body.agency_key, "agency_name": body.name, "normalised_name": match_key(core_name(body.name)),
            "agency_sector": body.sector, "agency_level": body.level, "is_group": False, "is_generic": False,
            "successor_agency_key": None}


def _with_successors(agencies: pl.DataFrame, clusters: _Clusters, key_of_root: dict[str, int],
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


@cache
def _generic_keys() -> dict[str, re.Pattern[str] | None]:
    return {match_key(core_name(generic)): pattern for generic, pattern in generic_addressees()}


def _aliases(names: dict[str, _Name], clusters: _Clusters, key_of_root: dict[str, int],
             canonical: dict[int, str]) -> pl.DataFrame:
    rows = [{"alias_key": stable_key("alias", n.printed), "addressed_as": n.printed,
             "agency_key": key_of_root[clusters.find(n.key)],
             "match_method": "exact" if n.printed == canonical.get(key_of_root[clusters.find(n.key)]) else n.method,
             "confidence": n.confidence, "times_printed": n.count} for n in names.values()]
    return pl.DataFrame(rows, schema=ALIAS_SCHEMA)


def _pairs_in_context(addressees: pl.DataFrame, names: dict[str, _Name], clusters: _Clusters,
                      key_of_root: dict[str, int], agencies: pl.DataFrame, places: ReviewPlaces,
                      in_review_body: dict[tuple[str, str], str],
                      registry: AgencyRegistry) -> tuple[pl.DataFrame, list[dict], list[dict]]:
    """The body meant by each (recommendation, addressee), reading generic names and shared
    acronyms in their review: (pairs, agencies only context brought in, findings)."""
    generic, place_rules = _generic_keys(), _place_rules()
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
            extra[key] = _body_row(body)
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


def _catalogue_keys(clusters: _Clusters, key_of_root: dict[str, int], extra: list[dict]) -> set[int]:
    """Agencies that are catalogue bodies: matched by name, or brought in by a review's place (the
    partnership of a CSP the geography cannot place is brought in too: it has its sector)."""
    return {key_of_root[root] for root in clusters.body if root in key_of_root} | {row["agency_key"] for row in extra}


def _outside_catalogue(agencies: pl.DataFrame, catalogue: Catalogue) -> list[dict]:
    """Specific bodies no catalogue entry matched: still resolved by the rules, listed for a human."""
    if not catalogue.bodies:
        return []
    outside = agencies.filter(~pl.col("is_generic") & ~pl.col("is_group")
                              & (pl.col("agency_sector") != "community safety partnership"))
    return [{"kind": "not in the catalogue", "addressed_as": name,
             "detail": "resolved by the rules; add it to reference/bodies/ or a curated alias if it is a real body"}
            for name in outside["agency_name"].to_list()]


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


def _findings_for_humans(agencies: pl.DataFrame, aliases: pl.DataFrame, registry: AgencyRegistry) -> list[dict]:
    findings = [{"kind": "no sector", "addressed_as": row["agency_name"],
                 "detail": "no sector rule matched; add one to reference/sector_rules.csv or a curated alias"}
                for row in agencies.filter(pl.col("agency_sector") == "other").iter_rows(named=True)]
    if registry.has_history:
        findings += [{"kind": "new name since the last run", "addressed_as": row["addressed_as"],
                      "detail": f"matched by {row['match_method']} (confidence {row['confidence']})"}
                     for row in aliases.iter_rows(named=True) if not registry.knows_alias(row["addressed_as"])]
    return findings


def _with_reviews(findings: pl.DataFrame, addressees: pl.DataFrame) -> pl.DataFrame:
    pages = addressees.group_by("addressed_as").agg(
        pl.col("review_id").unique().sort().head(20).str.join(" | ").alias("review_ids"))
    names = findings.join(pages, on="addressed_as", how="left")
    return names.select(list(FINDING_SCHEMA)).unique(maintain_order=True)
