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
   the same review addresses ("Warwickshire Police"), and "Community Safety Partnership" means the
   review's own CSP's partnership.

Pairs in ``reference/must_not_merge.csv`` are never joined by steps 2–4.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process

from dhr_etl.frames import FrameBuilder
from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import core_name, initialisms, looks_like_acronym, match_key, normalise_name
from dhr_etl.transform.registry import AgencyRegistry
from dhr_etl.transform.rules import (
    curated_agency_aliases,
    generic_addressees,
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
        self.forbidden = forbidden

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def allowed(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        return not any(frozenset((x, y)) in self.forbidden for x in self.members[ra] for y in self.members[rb])

    def union(self, a: str, b: str, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.allowed(ra, rb):
            return False
        keep, drop = sorted((ra, rb))
        self.parent[drop] = keep
        self.members[keep] |= self.members.pop(drop)
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
) -> AgencyResolution:
    """``addressees``: review_id, rec_position, addressee_position, addressed_as.
    ``recommendations``: review_id, rec_position, recommendation (acronym evidence).
    ``review_csps``: review_id → canonical CSP name (for "Community Safety Partnership").
    ``registry``: keeps names and keys stable across runs; updated in place."""
    registry = registry or AgencyRegistry.empty()
    names = _distinct_names(addressees["addressed_as"])
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
    forbidden = {frozenset((match_key(core_name(a)), match_key(core_name(b)))) for a, b in must_not_merge()}
    clusters = _Clusters(by_key, forbidden)
    for printed, canonical, _ in curated_agency_aliases():
        clusters.union(match_key(core_name(printed)), match_key(core_name(canonical)), force=True)
    for key, members in by_key.items():
        if len({normalise_name(n.printed) for n in members}) > 1:
            for name in members:
                if name.method == "exact":
                    name.method = "rule"

    findings: list[dict] = [
        {"kind": "not matched: too long for a name", "addressed_as": name.printed,
         "detail": f"{len(name.printed):,} characters, over {MAX_MATCHED_CHARS}: kept as printed, as a body of its own"}
        for name in names.values() if not _matchable(name.key)]
    _join_run_together(clusters, by_key)
    ambiguous_sectors = _join_acronyms(clusters, by_key, addressees, recommendations, findings)
    _join_fuzzy(clusters, by_key, findings)

    agencies, key_of_root = _agencies(clusters, by_key, curated_name, curated_sector, registry, ambiguous_sectors)
    aliases = _aliases(names, clusters, key_of_root, dict(agencies.select("agency_key", "agency_name").iter_rows()))
    pairs, extra = _pairs_in_context(addressees, names, clusters, key_of_root, agencies, review_csps or {}, registry)
    if extra:
        agencies = pl.concat([agencies, pl.DataFrame(extra, schema=AGENCY_SCHEMA)])
    findings += _findings_for_humans(agencies, aliases, registry)
    registry.remember(agencies, aliases, {key: key_of_root[clusters.find(key)] for key in by_key})
    return AgencyResolution(
        agencies=agencies.sort("agency_key"),
        aliases=aliases,
        pairs=pairs,
        findings=_with_reviews(pl.DataFrame(findings, schema={k: v for k, v in FINDING_SCHEMA.items() if k != "review_ids"}),
                               addressees),
    )


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
                   recommendations: pl.DataFrame | None, findings: list[dict]) -> dict[str, set[str]]:
    """Join an acronym to the one body whose name it abbreviates; return the sectors that
    ambiguous acronyms could belong to."""
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
        if not acronym_names:
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
        for i, j in zip(*scores.nonzero()):
            if i >= j:
                continue
            a, b = block[i], block[j]
            if (a, b) in seen or clusters.find(a) == clusters.find(b):
                continue
            seen.add((a, b))
            score = float(scores[i, j])
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
              ambiguous_sectors: dict[str, set[str]]) -> tuple[pl.DataFrame, dict[str, int]]:
    rows, key_of_root = [], {}
    generic_keys = _generic_keys()
    bodies = {root: member_keys for root, member_keys in clusters.members.items()
              if any(by_key[k] or k in curated_name or k in registry.keys for k in member_keys)}
    for root, agency_key in sorted(registry.assign(bodies).items()):
        member_keys = bodies[root]
        members = [n for k in sorted(member_keys) for n in by_key[k]]
        curated = next((curated_name[k] for k in sorted(member_keys) if k in curated_name), None)
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
    return _with_successors(agencies, clusters, key_of_root), key_of_root


def _with_successors(agencies: pl.DataFrame, clusters: _Clusters, key_of_root: dict[str, int]) -> pl.DataFrame:
    """CCG → the ICB of the same place (rule), plus the curated renamings."""
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
    return agencies.with_columns(
        pl.col("agency_key").replace_strict(successor, default=None, return_dtype=pl.Int64).alias("successor_agency_key")
    )


def _capitalised(printed: str) -> bool:
    """"Greater Manchester Police", not "Greater Manchester police" or "ALL AGENCIES"."""
    words = [w for w in re.findall(r"[A-Za-z’']+", printed) if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words) and not printed.isupper()


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
                      key_of_root: dict[str, int], agencies: pl.DataFrame, review_csps: dict[str, str],
                      registry: AgencyRegistry) -> tuple[pl.DataFrame, list[dict]]:
    """The body meant by each (recommendation, addressee), reading generic names in their review."""
    generic = _generic_keys()
    info = {row["agency_key"]: row for row in agencies.iter_rows(named=True)}
    agency_of = {printed: key_of_root[clusters.find(n.key)] for printed, n in names.items()}
    csp_partnership_key = match_key(core_name("community safety partnership"))
    by_normalised = {row["normalised_name"]: key for key, row in reversed(info.items())}  # first wins, as a scan would
    partnership_of_csp: dict[str, int] = {}  # one lookup per CSP, not one per review and agency
    taken = set(info)  # keys the bodies of this run hold
    extra: dict[int, dict] = {}
    pairs = FrameBuilder(PAIR_SCHEMA)
    by_review: dict[str, list[tuple]] = defaultdict(list)
    for row in addressees.select("review_id", "rec_position", "addressee_position", "addressed_as").iter_rows():
        by_review[row[0]].append(row)
    for review_id, review_rows in by_review.items():
        in_review = {agency_of[row[3]] for row in review_rows}
        specific = [info[k] for k in in_review if not info[k]["is_generic"]]
        meaning: dict[int, tuple[int, str]] = {}
        for key in in_review:
            canonical = info[key]["normalised_name"]
            if canonical not in generic:
                continue
            if canonical == csp_partnership_key and review_id in review_csps:
                csp = review_csps[review_id]
                if csp not in partnership_of_csp:
                    partnership = f"{csp} Community Safety Partnership"
                    known = by_normalised.get(match_key(core_name(partnership)))
                    partnership_of_csp[csp] = known if known is not None else _csp_partnership(partnership, registry, extra, taken)
                meaning[key] = (partnership_of_csp[csp], "context")
                continue
            pattern = generic[canonical]
            matches = [row["agency_key"] for row in specific if pattern and pattern.search(row["normalised_name"])]
            if len(matches) == 1:
                meaning[key] = (matches[0], "context")
        for review, position, addressee_position, printed in review_rows:
            agency = agency_of[printed]
            target, how = meaning.get(agency, (agency, "name"))
            pairs.add((review, position, addressee_position, target, how))
    return pairs.frame(), list(extra.values())


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
