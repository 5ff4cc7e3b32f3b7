"""The geography of England and Wales as reviews name it: councils, Community Safety Partnerships,
and the placing of a printed CSP name on one canonical CSP.

The facts live in ``dhr_etl/reference/geography/`` (``local_authorities.csv``, ``csps.csv``: curated,
with their sources in their comment lines). Placing never guesses between two real partnerships:
a printed name that fits two (``Kingston`` → upon Thames or upon Hull) is reported ``ambiguous``
with its candidates, and one that fits none is ``unplaced``, so a human can add the spelling.

Placing, strongest first (the method says which step placed it):

``exact``       the CSP's canonical name, as written;
``variant``     a spelling the library uses for it, or a name it is known by, once case, white space,
                punctuation, ``&``/``and``, ``St``/``Saint``, diacritics and county short forms
                (``Notts``, ``Herts`` …) are folded away;
``normalised``  the same after wrappers that do not change the place are stripped (``Safer``,
                ``Community Safety Partnership``, ``Borough Council``, ``City of``, ``MBC`` …) and
                word order is ignored; else a council the CSP covers (``Gravesham`` → Dartford and
                Gravesham; a council newer than the library's list through the councils it
                replaced); else the first words of exactly one CSP's name (``Stockton``);
``typo``        one edit or transposition in one word of six letters or more, when exactly one
                CSP is that close.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from dhr_etl.transform.names import deletions, normalise_name, one_edit_apart, slugify
from dhr_etl.transform.rules import ReferenceDataError, read_reference_csv, split_cell

LA_FILE = "geography/local_authorities.csv"
CSP_FILE = "geography/csps.csv"
REGIONS = frozenset({"East", "East Midlands", "Greater London", "North East", "North West", "South East", "South West",
                     "Wales", "West Midlands", "Yorkshire and Humber"})
"""The Home Office library's ten regions, spelled as it spells them."""
PROBATION_REGIONS = frozenset({"North East", "North West", "Yorkshire and the Humber", "Greater Manchester",
                               "East Midlands", "West Midlands", "East of England", "Kent, Surrey and Sussex",
                               "London", "South West", "South Central", "Wales"})
"""The Probation Service's twelve regions since June 2021."""
LA_TYPES = frozenset({"county", "district", "unitary", "metropolitan borough", "london borough",
                      "welsh principal area", "city of london"})
PLACING_METHODS = ("exact", "variant", "normalised", "typo", "unplaced", "ambiguous")


@dataclass(frozen=True)
class LocalAuthority:
    la_name: str
    council_name: str
    la_type: str
    county: str
    """The upper tier of a district (for an abolished district, the county it was in); else empty."""
    region: str
    police_force_area: str
    health_area: str
    probation_region: str
    welsh_name: str
    status: str
    """current | abolished"""
    successor: str
    """The la_name that took over an abolished council (``A | B`` where it was split in two)."""
    former_names: tuple[str, ...]


@dataclass(frozen=True)
class Csp:
    csp_id: str
    """Slug of the canonical name: stable, the CSP's natural key."""
    name: str
    """The canonical name: the library's own spelling."""
    region: str
    police_force_area: str
    """One of the library's 44 police force areas."""
    local_authorities: tuple[str, ...]
    """la_name values: the councils covered, and the county where they are districts."""
    health_area: str
    probation_region: str
    library_spellings: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    replaced_by: str = ""
    """The canonical name of the CSP that took over, for a partnership that no longer exists."""


@dataclass(frozen=True)
class CspPlacing:
    printed: str
    csp: Csp | None
    """None when the name cannot be placed (method 'unplaced' or 'ambiguous')."""
    method: str
    candidates: tuple[str, ...] = ()
    """The names of the CSPs the printed name fits equally, when ambiguous."""


# --- normalising printed place names -------------------------------------------------------------

# County short forms as reviews write them.
_SHORT_FORMS = {
    "lincs": "lincolnshire", "notts": "nottinghamshire", "herts": "hertfordshire", "hants": "hampshire",
    "glos": "gloucestershire", "gloucs": "gloucestershire", "worcs": "worcestershire",
    "northants": "northamptonshire", "cambs": "cambridgeshire", "beds": "bedfordshire", "bucks": "buckinghamshire",
    "wilts": "wiltshire", "oxon": "oxfordshire", "staffs": "staffordshire", "lancs": "lancashire",
    "yorks": "yorkshire", "leics": "leicestershire", "derbys": "derbyshire", "berks": "berkshire",
    "warks": "warwickshire", "salop": "shropshire", "saint": "st",
    "ne": "north east", "nw": "north west", "se": "south east", "sw": "south west",  # "Bath and NE Somerset"
}
# One-letter compass points, read as such only at the start of a name: "N Yorkshire", "W Berkshire".
_LEADING_COMPASS = {"n": "north", "s": "south", "e": "east", "w": "west"}
# Words around a place's name that do not change the place, stripped one word at a time from
# either end ("City and County of Swansea", "Safer Stockton Partnership", "Leeds Safer and Stronger
# Communities Partnership Board", "Dudley MBC", "LB Tower Hamlets", "Community Safety Partnership
# (Manchester)"), never down to nothing. No
# CSP's own name ends in one of them, and those it begins with ("City of York", "County Durham")
# are other spellings of the same CSP. "Crime and Disorder Reduction Partnership" (CDRP) is what
# CSPs were called before 2010; "Crime and Drugs Partnership" what some still are (Nottingham).
_COUNCIL_ABBREVIATIONS = frozenset({"mbc", "lbc", "lb", "rb", "rbc", "cc", "bc", "dc", "cbc", "mdc", "dbc"})
_LEADING_WRAPPERS = frozenset({"safer", "safe", "stronger", "the", "city", "royal", "london", "borough", "county",
                               "metropolitan", "of", "and", "community", "communities", "safety", "partnership",
                               "csp", "cdrp"}) | _COUNCIL_ABBREVIATIONS
_TRAILING_WRAPPERS = frozenset({"community", "communities", "safety", "safer", "stronger", "partnership", "board",
                                "csp", "cdrp", "crime", "disorder", "reduction", "drugs", "council", "borough",
                                "county", "city", "district", "metropolitan", "and"}) | _COUNCIL_ABBREVIATIONS
_WHOLE_NAMES = frozenset({"city of london"})
"""Names whose wrapper words are the name: the City of London is not London."""
_TYPO_MIN_LETTERS = 6


def _fold_diacritics(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(printed: str) -> str:
    """Case, white space, punctuation, ``&``/``and``, diacritics, ``Saint`` and county short forms
    folded: ``Safer Notts.`` → ``safer nottinghamshire``; ``Ynys Môn`` → ``ynys mon``."""
    words = normalise_name(_fold_diacritics(printed)).replace("_", " ").split()
    if len(words) > 1 and words[0] in _LEADING_COMPASS:
        words[0] = _LEADING_COMPASS[words[0]]
    return " ".join(_SHORT_FORMS.get(word, word) for word in words)


def stripped(key: str) -> str:
    """A folded name without the wrappers that do not change the place: ``safer stockton
    partnership`` → ``stockton``; ``city of bradford metropolitan district council`` → ``bradford``."""
    words = key.split()
    while len(words) > 1 and words[-1] in _TRAILING_WRAPPERS and " ".join(words) not in _WHOLE_NAMES:
        words = words[:-1]
    while len(words) > 1 and words[0] in _LEADING_WRAPPERS and " ".join(words) not in _WHOLE_NAMES:
        words = words[1:]
    return " ".join(words)


def _word_set(key: str) -> str:
    """Word order and "and" ignored: ``mid and east devon`` = ``east and mid devon``."""
    return " ".join(sorted(set(key.split()) - {"and"}))


# --- the reference -------------------------------------------------------------------------------

def _require(condition: bool, file: str, row_number: int, message: str) -> None:
    if not condition:
        raise ReferenceDataError(f"dhr_etl/reference/{file}, row {row_number}: {message}")


def _read_local_authorities() -> dict[str, LocalAuthority]:
    councils: dict[str, LocalAuthority] = {}
    for number, row in enumerate(read_reference_csv(LA_FILE), 1):
        la = LocalAuthority(
            la_name=row["la_name"].strip(), council_name=row["council_name"].strip(), la_type=row["la_type"].strip(),
            county=row["county"].strip(), region=row["region"].strip(),
            police_force_area=row["police_force_area"].strip(), health_area=row["health_area"].strip(),
            probation_region=row["probation_region"].strip(), welsh_name=row["welsh_name"].strip(),
            status=row["status"].strip(), successor=row["successor"].strip(), former_names=split_cell(row["former_names"]))
        _require(la.la_name not in councils, LA_FILE, number, f"{la.la_name!r} is listed twice; each la_name once")
        _require(la.la_type in LA_TYPES, LA_FILE, number,
                 f"la_type {la.la_type!r} is not one of {', '.join(sorted(LA_TYPES))}")
        _require(la.region in REGIONS, LA_FILE, number, f"region {la.region!r} is not one of {', '.join(sorted(REGIONS))}")
        _require(la.probation_region in PROBATION_REGIONS, LA_FILE, number,
                 f"probation_region {la.probation_region!r} is not one of {', '.join(sorted(PROBATION_REGIONS))}")
        _require(la.status in ("current", "abolished"), LA_FILE, number,
                 f"status {la.status!r} is neither 'current' nor 'abolished'")
        _require(la.status == "current" or bool(la.successor), LA_FILE, number,
                 f"abolished council {la.la_name!r} has no successor; name the la_name that took over")
        councils[la.la_name] = la
    for number, la in enumerate(councils.values(), 1):
        for named in (la.county, *split_cell(la.successor)):
            _require(not named or named in councils, LA_FILE, number,
                     f"{la.la_name!r} names {named!r}, which is not an la_name in the file")
    return councils


def _read_csps(councils: dict[str, LocalAuthority]) -> dict[str, Csp]:
    forces = {la.police_force_area for la in councils.values()}
    csps: dict[str, Csp] = {}
    for number, row in enumerate(read_reference_csv(CSP_FILE), 1):
        csp = Csp(
            csp_id=row["csp_id"].strip(), name=row["csp_name"].strip(), region=row["region"].strip(),
            police_force_area=row["police_force_area"].strip(), local_authorities=split_cell(row["local_authorities"]),
            health_area=row["health_area"].strip(), probation_region=row["probation_region"].strip(),
            library_spellings=split_cell(row["library_spellings"]), other_names=split_cell(row["other_names"]),
            replaced_by=(row["replaced_by"] or "").strip())
        _require(csp.csp_id == slugify(csp.name), CSP_FILE, number,
                 f"csp_id {csp.csp_id!r} is not the slug of {csp.name!r} ({slugify(csp.name)!r})")
        _require(csp.csp_id not in csps, CSP_FILE, number, f"csp_id {csp.csp_id!r} is listed twice")
        _require(csp.region in REGIONS, CSP_FILE, number,
                 f"region {csp.region!r} is not one of {', '.join(sorted(REGIONS))}")
        _require(csp.probation_region in PROBATION_REGIONS, CSP_FILE, number,
                 f"probation_region {csp.probation_region!r} is not one of {', '.join(sorted(PROBATION_REGIONS))}")
        _require(csp.police_force_area in forces, CSP_FILE, number,
                 f"police_force_area {csp.police_force_area!r} is not one used in {LA_FILE}")
        unknown = [name for name in csp.local_authorities if name not in councils]
        _require(bool(csp.local_authorities) and not unknown, CSP_FILE, number,
                 f"local_authorities must be la_name values of {LA_FILE}; unknown: {unknown or 'none given'}")
        csps[csp.csp_id] = csp
    names = {csp.name for csp in csps.values()}
    for number, csp in enumerate(csps.values(), 1):
        _require(not csp.replaced_by or csp.replaced_by in names, CSP_FILE, number,
                 f"replaced_by {csp.replaced_by!r} is not a csp_name in the file")
    return csps


class _KeyIndex:
    """Key → the CSPs it names; a key naming two is kept, so that placing reports them both."""

    def __init__(self) -> None:
        self.csps: dict[str, set[str]] = defaultdict(set)

    def add(self, key: str, csp_id: str) -> None:
        if key:
            self.csps[key].add(csp_id)

    def get(self, key: str) -> set[str]:
        return self.csps.get(key, set())


@dataclass
class Geography:
    csps: dict[str, Csp]
    """by csp_id"""
    local_authorities: dict[str, LocalAuthority]
    """by la_name"""
    _by_name: dict[str, str] = field(init=False, repr=False)
    _variants: _KeyIndex = field(init=False, repr=False)
    _word_sets: _KeyIndex = field(init=False, repr=False)
    _leading_words: _KeyIndex = field(init=False, repr=False)
    _councils: dict[str, set[str]] = field(init=False, repr=False)
    _csps_of_council: dict[str, set[str]] = field(init=False, repr=False)
    _typos: dict[tuple[tuple[str, ...], tuple[str, ...], str], set[tuple[str, str]]] = field(init=False, repr=False)
    _placed: dict[str, tuple[str, str | None, tuple[str, ...]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {csp.name: csp.csp_id for csp in self.csps.values()}
        self._variants, self._word_sets, self._leading_words = _KeyIndex(), _KeyIndex(), _KeyIndex()
        self._typos = defaultdict(set)
        self._placed = {}
        for csp in self.csps.values():
            for name in (csp.name, *csp.library_spellings, *csp.other_names):
                key = folded(name)
                self._variants.add(key, csp.csp_id)
                core = stripped(key)
                self._word_sets.add(_word_set(core), csp.csp_id)
                self._index_typos(core.split(), csp.csp_id)
                words = core.split()
                for end in range(1, len(words)):
                    self._leading_words.add(" ".join(words[:end]), csp.csp_id)
        self._councils = defaultdict(set)
        for la in self.local_authorities.values():
            for name in (la.la_name, *la.former_names):
                self._councils[stripped(folded(name))].add(la.la_name)
            # The council's own names only whole: "Newcastle City Council" is Newcastle upon Tyne's,
            # but "Newcastle" alone may be Newcastle-under-Lyme.
            for name in (la.council_name, la.welsh_name):
                if name:
                    self._councils[folded(name)].add(la.la_name)
        self._csps_of_council = defaultdict(set)
        for csp in self.csps.values():
            for la_name in csp.local_authorities:
                self._csps_of_council[la_name].add(csp.csp_id)
        # A council created since the library's list was made (Cumberland, West Northamptonshire)
        # is covered by the partnerships of the councils it replaced.
        for la in self.local_authorities.values():
            if la.la_type == "county":  # its districts say which partnerships covered which part
                continue
            for successor in split_cell(la.successor):
                if not any(successor in csp.local_authorities for csp in self.csps.values()):
                    self._csps_of_council[successor] |= {
                        c for c in self._csps_of_council[la.la_name] if self.csps[c].name != la.county}

    def _index_typos(self, words: list[str], csp_id: str) -> None:
        for i, word in enumerate(words):
            if len(word) >= _TYPO_MIN_LETTERS:
                for variant in deletions(word) | {word}:
                    self._typos[(tuple(words[:i]), tuple(words[i + 1:]), variant)].add((csp_id, word))

    def place(self, printed: str) -> CspPlacing:
        """The one CSP a printed name means, or why there is none (see the module's docstring)."""
        if not isinstance(printed, str):
            raise TypeError(f"place() takes a CSP name as printed (a str), not {type(printed).__name__}")
        key = folded(printed)
        if key not in self._placed:
            self._placed[key] = self._place_folded(key)
        method, csp_id, candidates = self._placed[key]
        if method == "variant" and self._by_name.get(printed.strip()) == csp_id:
            method = "exact"
        return CspPlacing(printed, self.csps[csp_id] if csp_id else None, method,
                          tuple(sorted(self.csps[c].name for c in candidates)))

    def _place_folded(self, key: str) -> tuple[str, str | None, tuple[str, ...]]:
        if not key:
            return "unplaced", None, ()
        core = stripped(key)
        steps = (("variant", lambda: self._variants.get(key)),
                 ("normalised", lambda: self._word_sets.get(_word_set(core))),
                 ("normalised", lambda: self._by_council(key) or self._by_council(core)),
                 ("normalised", lambda: self._leading_words.get(core) if len(core) >= 4 else set()),
                 ("typo", lambda: self._by_typo(core)))
        for method, search in steps:
            found = search()
            if len(found) == 1:
                return method, next(iter(found)), ()
            if len(found) > 1:
                return "ambiguous", None, tuple(found)
        return "unplaced", None, ()

    def _by_council(self, name_key: str) -> set[str]:
        """The partnerships covering the council so named; where a district is also in its
        county-wide CSP, the district's own partnership (Gravesham → Dartford and Gravesham, not Kent)."""
        found: set[str] = set()
        for la_name in self._councils.get(name_key, ()):
            covering = set(self._csps_of_council.get(la_name, ()))
            county = self.local_authorities[la_name].county
            local = {c for c in covering if self.csps[c].name != county}
            found |= local or covering
        return found

    def _by_typo(self, core: str) -> set[str]:
        words = core.split()
        found: set[str] = set()
        for i, word in enumerate(words):
            if len(word) < _TYPO_MIN_LETTERS - 1:
                continue
            before, after = tuple(words[:i]), tuple(words[i + 1:])
            for variant in deletions(word) | {word}:
                for csp_id, reference_word in self._typos.get((before, after, variant), ()):
                    if one_edit_apart(word, reference_word):
                        found.add(csp_id)
        return found

    def place_all(self, printed: Iterable[str]) -> dict[str, CspPlacing]:
        return {name: self.place(name) for name in printed}


def read_geography() -> Geography:
    """The reference as ``dhr_etl/reference/geography/`` holds it now; raises ReferenceDataError
    (one sentence naming the file, row and what is accepted) on a malformed row."""
    councils = _read_local_authorities()
    return Geography(_read_csps(councils), councils)


@cache
def load_geography() -> Geography:
    """The reference, read once per process."""
    return read_geography()
