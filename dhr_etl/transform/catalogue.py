"""The catalogue of real bodies reviews address, and how a printed name finds its body.

Bodies come from two places:

* ``reference/bodies/*.csv``: police forces, ICBs and Welsh health boards, CCGs, NHS trusts,
  probation, national bodies, charities, housing associations (one row per body, with its aliases,
  acronyms and the areas it acts in);
* the geography (``reference/geography/``): every council, and its children's services, adult
  social care and housing, is derived from ``local_authorities.csv``; local multi-agency bodies
  named after their place (``<CSP> Community Safety Partnership``, ``<CSP> MARAC``,
  ``<council> Safeguarding Adults Board``, ``<council> Safeguarding Children Partnership``,
  ``<police force area> MAPPA``) from ``csps.csv`` and ``local_authorities.csv``.

Every name and alias is reduced to the match key the resolver uses for printed names
(:func:`~dhr_etl.transform.names.core_name` then :func:`~dhr_etl.transform.names.match_key`), so
one lookup finds a body however its name is spelled. A key or acronym shared by bodies in different
places is not settled here: :mod:`dhr_etl.transform.context` settles it with the review's place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from dhr_etl.transform.keys import stable_key
from dhr_etl.transform.names import core_name, deletions, initialisms, match_key, normalise_name, one_edit_apart, slugify
from dhr_etl.transform.rules import REFERENCE_DIR, ReferenceDataError, read_reference_csv

BODIES_DIR = "bodies"
MUST_NOT_MERGE_FILE = "must_not_merge_bodies.csv"
SECTORS = frozenset({
    "police", "health services", "social services", "housing services", "probation services",
    "IDVA or other domestic abuse support service", "community safety partnership", "school",
    "other educational institution", "employer", "military", "religious institution", "multi-agency groups",
    "national government", "courts and prosecution", "other"})
LEVELS = frozenset({"national", "regional", "local"})
AREA_KINDS = frozenset({"pfa", "health", "la", "probation", "region"})

# Councils with the social-care duties (children's and adults' services, safeguarding boards) and
# those with the housing duty: in two-tier areas the county has the first, the district the second.
UPPER_TIER = frozenset({"county", "unitary", "metropolitan borough", "london borough", "welsh principal area",
                        "city of london"})
HOUSING_TIER = frozenset({"district", "unitary", "metropolitan borough", "london borough", "welsh principal area",
                          "city of london"})

# A council as a whole is sector "other": it runs many services and its name alone does not say
# which one a recommendation addresses (the dev set's rule, tests/transform/fixtures/resolution_dev).
# How pages print a council's services after the council's or the place's name
# (reference/bodies/README.md lists the printed forms); the first is the body's own name.
CHILDRENS_SERVICES = ("Children's Services", "Children's Social Care", "Children's Social Services",
                      "Children and Families Service", "Children's Services Department", "Children's Social Work",
                      "Children's Social Work Services", "Early Help", "MASH", "Multi-Agency Safeguarding Hub",
                      "Family Services", "CSC")
ADULT_SOCIAL_CARE = ("Adult Social Care", "Adult Social Services", "Adult Services", "Adults' Services",
                     "Adult Social Care Services", "Adults Social Care", "Adult and Health Services",
                     "Adults and Health", "ASC")
# How a council itself is printed besides its official name, by its type ("Sandwell MBC",
# "Colchester Borough Council" for a district that has since become a city).
COUNCIL_FORMS = {
    "county": ("County Council", "CC"),
    "district": ("District Council", "Borough Council", "City Council", "DC", "BC"),
    "unitary": ("Borough Council", "City Council", "County Council", "Unitary Authority"),
    "metropolitan borough": ("Metropolitan Borough Council", "Borough Council", "City Council", "MBC"),
    "london borough": ("London Borough Council", "LBC"),
    "welsh principal area": ("County Council", "County Borough Council", "City Council", "CBC"),
}
HOUSING = ("Housing", "Housing Services", "Housing Options", "Housing Department", "Homelessness Service",
           "Housing Solutions", "Housing Options Team")


@dataclass(frozen=True, slots=True)
class Body:
    body_id: str
    name: str
    sector: str
    level: str
    areas: frozenset[str] = frozenset()
    """``kind:value`` places it acts in (``pfa:Kent``, ``la:Leeds``…); empty for a national body."""
    status: str = "current"
    successor: str = ""
    source: str = ""
    """The file it comes from, or ``geography`` for derived bodies."""
    kind: str = ""
    """What sort of body, where its file says ("mental health and community trust")."""

    agency_key: int = field(init=False, compare=False)
    """Every spelling of one body gets this one key, whatever else the data holds."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "agency_key", stable_key("agency", "body", self.body_id))

    @property
    def is_national(self) -> bool:
        return not self.areas


@dataclass(slots=True)
class Catalogue:
    bodies: dict[str, Body] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """match key of a name or alias → body ids"""
    by_core: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """core name (before trailing filler is dropped) → body ids: tells apart bodies whose match
    keys agree ("Sandwell Children's Trust" and "Sandwell Children's Services")"""
    by_acronym: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """lower-case letters → body ids"""
    local: dict[tuple[str, str], str] = field(default_factory=dict)
    """(role, place) → body id: ("police", pfa), ("childrens services", la_name), ("csp", csp_id)…"""
    must_not_merge: list[tuple[str, str]] = field(default_factory=list)
    geography: Any = None
    vocabulary: set[str] = field(default_factory=set)
    """Every word of every catalogue name and alias, as normalised (before synonyms)."""
    _typo_index: dict[str, set[str]] | None = None

    def add(self, body: Body, names: Iterable[str] = (), acronyms: Iterable[str] = ()) -> None:
        self.bodies[body.body_id] = body
        for name in (body.name, *names):
            if name.strip():
                core = core_name(name)
                self.by_key[match_key(core)].add(body.body_id)
                self.by_core[core].add(body.body_id)
                self.vocabulary.update(normalise_name(name).split())
        for letters in acronyms:
            if letters.strip():
                self.by_acronym[letters_of(letters)].add(body.body_id)
        self._typo_index = None

    def own_key(self, core: str, key: str) -> str | None:
        """A key of its own for a name whose match key several catalogue bodies share but whose
        core name only one body has: the name keeps its filler words."""
        return core if len(self.by_key.get(key, ())) > 1 and core in self.by_key else None

    def _keep_filler_where_it_tells_bodies_apart(self) -> None:
        for core, body_ids in self.by_core.items():
            if len(body_ids) == 1 and core not in self.by_key and len(self.by_key.get(match_key(core), ())) > 1:
                self.by_key[core] = set(body_ids)

    def bodies_named(self, key: str) -> list[Body]:
        return [self.bodies[b] for b in sorted(self.by_key.get(key, ()))]

    def bodies_abbreviated(self, printed: str) -> list[Body]:
        return [self.bodies[b] for b in sorted(self.by_acronym.get(letters_of(printed), ()))]

    def typo_bodies(self, printed: str) -> set[str]:
        """Bodies whose name the printed one misspells: one word of six or more letters, not a
        word of any catalogue name, is one edit or one transposition from a word that is, and with
        that word put right the name is a catalogue name ("Norfolk Constabularly", "Merseyside
        Polcie"). Every other word must already be as the catalogue writes it."""
        words = normalise_name(printed).split()
        found: set[str] = set()
        for position, word in enumerate(words):
            if len(word) < 5 or word in self.vocabulary:
                continue
            for right in self._near_words(word):
                corrected = " ".join(words[:position] + [right] + words[position + 1:])
                found |= self.by_key.get(key_of(corrected), set())
        return found

    def _near_words(self, word: str) -> set[str]:
        index = self.typo_index()
        near = {other for variant in {word, *deletions(word)} for other in index.get(variant, ())}
        return {other for other in near if max(len(other), len(word)) >= 6 and one_edit_apart(other, word)}

    def typo_index(self) -> dict[str, set[str]]:
        """Every catalogue word of five or more letters under itself and each of its one-letter
        deletions: two words one edit apart share an entry. Built on first use, or with the
        catalogue by :func:`catalogue_from_reference`."""
        if self._typo_index is None:
            index: dict[str, set[str]] = defaultdict(set)
            for word in self.vocabulary:
                if len(word) >= 5:
                    for variant in {word, *deletions(word)}:
                        index[variant].add(word)
            self._typo_index = index
        return self._typo_index


def key_of(name: str) -> str:
    """The match key a printed name and a catalogue name share."""
    return match_key(core_name(name))


def letters_of(acronym: str) -> str:
    return normalise_name(acronym).replace(" ", "")


def _split(cell: str | Iterable[str] | None) -> list[str]:
    """A ``|``-separated cell (or a sequence the geography already split) as its parts."""
    parts = (cell or "").split("|") if isinstance(cell, str) or cell is None else cell
    return [part.strip() for part in parts if part.strip()]


def body_from_row(file: str, line: int, row: dict[str, str]) -> tuple[Body, list[str], list[str]]:
    """A body, its other names and its acronyms from one catalogue row; a bad row raises
    :class:`ReferenceDataError` naming the file, the row and what is accepted."""
    body_id, name = (row.get("body_id") or "").strip(), (row.get("name") or "").strip()
    if not body_id or not name:
        raise ReferenceDataError(f"{file}, row {line}: every body needs a body_id and a name, "
                                 f"got {body_id!r} and {name!r}.")
    sector, level = (row.get("sector") or "").strip(), (row.get("level") or "").strip()
    if sector not in SECTORS:
        raise ReferenceDataError(f"{file}, row {line} ({body_id}): sector {sector!r} is not one of: "
                                 f"{', '.join(sorted(SECTORS))}.")
    if level not in LEVELS:
        raise ReferenceDataError(f"{file}, row {line} ({body_id}): level {level!r} is not one of: "
                                 "national, regional, local.")
    areas = frozenset(_split(row.get("areas")))
    if row.get("health_area"):
        areas |= {f"health:{row['health_area'].strip()}"}
    bad = sorted(a for a in areas if a.partition(":")[0] not in AREA_KINDS or not a.partition(":")[2])
    if bad:
        raise ReferenceDataError(f"{file}, row {line} ({body_id}): area {bad[0]!r} is not kind:value with kind one of "
                                 f"{', '.join(sorted(AREA_KINDS))}.")
    body = Body(body_id, name, sector, level, areas, (row.get("status") or "current").strip(),
                (row.get("successor") or "").strip(), file, (row.get("notes") or "").split(".")[0].strip().lower())
    return body, _split(row.get("aliases")), _split(row.get("acronyms"))


def build_catalogue(files: dict[str, list[dict[str, str]]], geography: Any = None,
                    must_not_merge: Iterable[tuple[str, str]] = ()) -> Catalogue:
    """``files``: file name → rows (as :func:`read_reference_csv` gives them); ``geography``: a
    :class:`dhr_etl.transform.geography.Geography` (or None: no councils or local bodies)."""
    catalogue = Catalogue(geography=geography, must_not_merge=list(must_not_merge))
    for file, rows in sorted(files.items()):
        for line, row in enumerate(rows, start=1):
            body, names, acronyms = body_from_row(file, line, row)
            if body.body_id in catalogue.bodies:
                raise ReferenceDataError(f"{file}, row {line}: body_id {body.body_id!r} is used twice; "
                                         "each body needs its own.")
            catalogue.add(body, names, acronyms)
            for area in body.areas:
                kind, _, place = area.partition(":")
                if file == "police_forces.csv" and kind == "pfa":
                    catalogue.local.setdefault(("police", place), body.body_id)
                if file == "health_areas.csv" and kind == "health":
                    catalogue.local.setdefault(("health", place), body.body_id)
    if geography is not None:
        _add_councils(catalogue, geography)
        _add_local_partnerships(catalogue, geography)
    catalogue._keep_filler_where_it_tells_bodies_apart()
    return catalogue


_COUNCIL_WORDS = re.compile(r"^(royal borough of|london borough of|city of|the)\s+"
                            r"|\s+(metropolitan borough|city|borough|county borough|county|district)?\s*council$",
                            re.IGNORECASE)
_TOWN_PART = re.compile(r"(-on-|-upon-| upon | on ).*$", re.IGNORECASE)


def _short_places(authorities: Iterable[Any]) -> dict[str, list[str]]:
    """la_name → the shorter names pages use for the place, where no other council shares them:
    "Hull" (Hull City Council), "Southend" (Southend-on-Sea), "Newcastle" (Newcastle upon Tyne)."""
    def shorter(la: Any) -> set[str]:
        full = normalise_name(la.la_name)
        found = {_COUNCIL_WORDS.sub("", la.council_name).strip(), _TOWN_PART.sub("", la.la_name).strip()}
        return {short for short in found if (key := normalise_name(short)) and key != full
                and (full.startswith(key + " ") or full.endswith(" " + key))}

    authorities = list(authorities)
    owners: dict[str, set[str]] = defaultdict(set)
    for la in authorities:
        for short in shorter(la):
            owners[normalise_name(short)].add(la.la_name)
    taken = {normalise_name(la.la_name) for la in authorities}
    short_of = {la.la_name: sorted(short for short in shorter(la) if owners[normalise_name(short)] == {la.la_name}
                                   and normalise_name(short) not in taken)
                for la in authorities}
    return {la_name: shorts for la_name, shorts in short_of.items() if shorts}


def _add_councils(catalogue: Catalogue, geography: Any) -> None:
    short_of = _short_places(geography.local_authorities.values())
    for la in geography.local_authorities.values():
        slug = slugify(la.la_name)
        places = [la.la_name, *_split(getattr(la, "former_names", "")), *short_of.get(la.la_name, ())]
        status = "current" if (la.status or "current") == "current" else "former"
        successor = f"council-{slugify(la.successor)}" if getattr(la, "successor", "") else ""
        areas = frozenset({f"la:{la.la_name}"})
        council_names = [la.council_name, *(f"{p} {form}" for p in places
                                            for form in ("Council", *COUNCIL_FORMS.get(la.la_type, ())))]
        if la.la_type == "london borough":
            council_names += [f"London Borough of {p}" for p in places]
        if getattr(la, "welsh_name", ""):
            council_names.append(la.welsh_name)
        council = Body(f"council-{slug}", la.council_name, "other", "local", areas, status, successor,
                       "geography")
        # "LCC", "KCC", "SMBC": read on a page by its place, as Leeds, Lancashire and Lincolnshire share them.
        catalogue.add(council, council_names, {a for name in council_names for a in initialisms(normalise_name(name))
                                              if len(a) >= 3})
        catalogue.local[("council", la.la_name)] = council.body_id
        services = []
        if la.la_type in UPPER_TIER:
            services += [("childrens services", "childrens-services", CHILDRENS_SERVICES, "social services"),
                         ("adult social care", "adult-social-care", ADULT_SOCIAL_CARE, "social services")]
        if la.la_type in HOUSING_TIER:
            services.append(("housing", "housing", HOUSING, "housing services"))
        for role, prefix, forms, sector in services:
            bases = [la.council_name, *places, *(p + " Council" for p in places)]
            if la.la_type == "county":
                bases += [p + " County Council" for p in places]
            body = Body(f"{prefix}-{slug}", f"{la.council_name} {forms[0]}", sector, "local", areas, status,
                        f"{prefix}-{slugify(la.successor)}" if successor else "", "geography")
            names = [f"{base} {form}" for base in bases for form in forms]
            if role == "housing":  # the brand of a council's housing service: "Housing Leeds"
                names += [f"Housing {place}" for place in places]
            catalogue.add(body, names)
            catalogue.local[(role, la.la_name)] = body.body_id
        if la.la_type in UPPER_TIER:
            for role, prefix, forms in (
                    ("safeguarding adults board", "sab", ("Safeguarding Adults Board", "Safeguarding Adult Board",
                                                         "SAB", "Safeguarding Adults Partnership")),
                    ("safeguarding children partnership", "lscp",
                     ("Safeguarding Children Partnership", "Safeguarding Children's Partnership",
                      "Safeguarding Children Board", "Safeguarding Children's Board", "LSCP", "LSCB",
                      "Local Safeguarding Children Board", "Safeguarding Children Partnership Board"))):
                body = Body(f"{prefix}-{slug}", f"{la.la_name} {forms[0]}", "multi-agency groups", "local", areas,
                            status, "", "geography")
                catalogue.add(body, [f"{base} {form}" for base in [*places, la.council_name] for form in forms])
                catalogue.local[(role, la.la_name)] = body.body_id


_PARTNERSHIP_BRAND = re.compile(r"\b(partnership|safer|safe|community safety)\b", re.IGNORECASE)
"""A CSP's other name that is the partnership's own brand ("Safe Durham Partnership"), not a place."""


def _add_local_partnerships(catalogue: Catalogue, geography: Any) -> None:
    short_of = _short_places(geography.local_authorities.values())
    for csp in geography.csps.values():
        areas = csp_areas(csp)
        partnership = Body(f"csp-{csp.csp_id}", f"{csp.name} Community Safety Partnership",
                           "community safety partnership", "local", areas, "current", "", "geography")
        spellings = [csp.name, *getattr(csp, "library_spellings", ())]
        brands = [other for other in getattr(csp, "other_names", ()) if _PARTNERSHIP_BRAND.search(other)]
        catalogue.add(partnership, [f"{spelling} {form}" for spelling in spellings
                                    for form in ("Community Safety Partnership", "CSP")]
                      + [f"Safer {spelling}" for spelling in spellings] + brands)
        catalogue.local[("csp", csp.csp_id)] = partnership.body_id
        marac = Body(f"marac-{csp.csp_id}", f"{csp.name} MARAC", "multi-agency groups", "local", areas, "current", "",
                     "geography")
        authorities = geography.local_authorities
        places = {csp.name, *(la for la in csp.local_authorities
                              if la in authorities and authorities[la].la_type != "county"),
                  *(short for la in csp.local_authorities for short in short_of.get(la, ()))}
        catalogue.add(marac, [f"{place} {form}" for place in sorted(places)
                              for form in ("MARAC", "Multi-Agency Risk Assessment Conference")])
        catalogue.local[("marac", csp.csp_id)] = marac.body_id
    for pfa in sorted({csp.police_force_area for csp in geography.csps.values() if csp.police_force_area}):
        mappa = Body(f"mappa-{slugify(pfa)}", f"{pfa} MAPPA", "multi-agency groups", "local",
                     frozenset({f"pfa:{pfa}"}), "current", "", "geography")
        catalogue.add(mappa, [f"{pfa} Multi-Agency Public Protection Arrangements"])
        catalogue.local[("mappa", pfa)] = mappa.body_id


def csp_areas(csp: Any) -> frozenset[str]:
    """Every ``kind:value`` place a CSP lies in."""
    areas = {f"pfa:{csp.police_force_area}", f"health:{csp.health_area}", f"probation:{csp.probation_region}",
             f"region:{csp.region}", *(f"la:{la}" for la in csp.local_authorities)}
    return frozenset(a for a in areas if a.partition(":")[2])


@cache
def load_catalogue(cache_dir: Path | None = None) -> Catalogue:
    """The catalogue from ``reference/bodies/*.csv`` and the geography (either may be absent: then
    resolution runs on its rules alone). With ``cache_dir`` (DHR_CACHE_DIR), a new
    process reads the catalogue an earlier one built from the same reference files and code
    (:mod:`dhr_etl.transform.catalogue_cache`) instead of building it."""
    if cache_dir is None:
        return catalogue_from_reference()
    from dhr_etl.transform.catalogue_cache import cached_catalogue  # it imports this module

    return cached_catalogue(cache_dir, REFERENCE_DIR, catalogue_from_reference)


def catalogue_from_reference() -> Catalogue:
    """Build the catalogue from the reference files."""
    folder = REFERENCE_DIR / BODIES_DIR
    files = {path.name: read_reference_csv(f"{BODIES_DIR}/{path.name}")
             for path in sorted(folder.glob("*.csv")) if path.name != MUST_NOT_MERGE_FILE}
    pairs = []
    if (folder / MUST_NOT_MERGE_FILE).exists():
        pairs = [(row["name_a"].strip(), row["name_b"].strip())
                 for row in read_reference_csv(f"{BODIES_DIR}/{MUST_NOT_MERGE_FILE}") if row.get("name_a")]
    try:
        from dhr_etl.transform.geography import load_geography
    except ImportError:  # the geography reference is not installed: no councils or local bodies
        geography = None
    else:
        geography = load_geography()
    catalogue = build_catalogue(files, geography, pairs)
    # Built now, so that the catalogue kept on disk carries it: building it cost every process
    # that met a misspelt name ~50 ms (the benchmark's library has four), reading it costs ~4 ms.
    catalogue.typo_index()
    return catalogue
