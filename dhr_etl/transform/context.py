"""Reading a name by the review's place: the body a generic name or a shared acronym means on a
page from a given Community Safety Partnership.

Every CSP lies in a known police force area, council or councils (county and district in two-tier
areas), ICB area (or Welsh health board) and probation region, so "Police" on a Leeds page is West
Yorkshire Police, "Children's Social Care" on a Maidstone page is Kent County Council's and
"Housing" there is Maidstone Borough Council's. Nothing is guessed: when the place allows two
bodies (the housing of a county-wide CSP with many districts), the name stays generic and a human
is told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from dhr_etl.transform.catalogue import HOUSING_TIER, UPPER_TIER, Body, Catalogue, csp_areas

PLACE_RULES = frozenset({"police", "childrens services", "adult social care", "housing", "council", "district council",
                         "county council", "ccg", "health", "csp", "marac", "mappa", "safeguarding adults board",
                         "safeguarding children partnership", "crc", "mental health trust", "ambulance trust",
                         "catalogue:fire_and_rescue", "catalogue:pcc", "itself"})
"""What a generic name means in a place (column ``place_rule`` of ``reference/generic_addressees.csv``)."""


class ReviewPlaces:
    """The CSP each review belongs to, placed once per CSP name, and the bodies of that place."""

    def __init__(self, catalogue: Catalogue, review_csps: dict[str, str]) -> None:
        self.catalogue = catalogue
        self.review_csps = review_csps
        self._placed: dict[str, Any] = {}
        self._ccgs_by_la: dict[str, list[Body]] | None = None
        self._meant: dict[tuple[str, str], tuple[Body | None, str]] = {}
        self._bodies_of: dict[str, list[Body]] = {}

    def csp(self, review_id: str) -> Any:
        """The review's :class:`~dhr_etl.transform.geography.Csp`, or None when it cannot be placed."""
        found = self.csps_of(review_id)
        return found[0] if len(found) == 1 else None

    def csps_of(self, review_id: str) -> tuple[Any, ...]:
        """The review's CSP, or the CSPs its name could mean when the geography cannot tell
        ("Nottinghamshire": its district partnerships), or none."""
        name = self.review_csps.get(review_id)
        geography = self.catalogue.geography
        if name is None or geography is None:
            return ()
        if name not in self._placed:
            placing = geography.place(name)
            by_name = {csp.name: csp for csp in geography.csps.values()}
            self._placed[name] = ((placing.csp,) if placing.csp is not None
                                  else tuple(by_name[c] for c in placing.candidates if c in by_name))
        return self._placed[name]

    def body_for(self, role: str, review_id: str) -> tuple[Body | None, str]:
        """The body a generic name means on the review's page: the one its place implies, also
        when the CSP's name could mean several CSPs that all imply that one body ("Police" on a
        "Nottinghamshire" page)."""
        found = self.csps_of(review_id)
        if not found:
            return None, "the review's CSP is not placed"
        meant = [self.body_for_role(role, csp) for csp in found]
        bodies = {body.body_id for body, _ in meant if body is not None}
        if len(bodies) == 1 and all(body is not None for body, _ in meant):
            return meant[0][0], ""
        return None, meant[0][1] if len(found) == 1 else f"the CSP could be {len(found)} CSPs that differ here"

    def settle_for(self, candidates: list[Body], review_id: str) -> tuple[Body | None, list[Body]]:
        """:meth:`settle` on the review's page, whichever of its possible CSPs it is."""
        found = self.csps_of(review_id)
        if not found:
            return None, candidates
        settled = [self.settle(candidates, csp) for csp in found]
        bodies = {body.body_id for body, _ in settled if body is not None}
        if len(bodies) == 1 and all(body is not None for body, _ in settled):
            return settled[0][0], [settled[0][0]]
        return None, list({b.body_id: b for _, here in settled for b in here}.values())

    def settle(self, candidates: Iterable[Body], csp: Any) -> tuple[Body | None, list[Body]]:
        """The one candidate acting where the CSP lies (a national body acts everywhere), and the
        candidates that do; (None, all candidates) when the review has no place: a local body's
        letters are not read without a place, however few bodies share them."""
        candidates = list(candidates)
        if csp is None:
            return None, candidates
        areas = csp_areas(csp)
        here = [body for body in candidates if body.is_national or body.areas & areas]
        if len(here) > 1:  # a body still acting beats one that has been replaced
            current = [body for body in here if body.status == "current"]
            here = current or here
        return (here[0] if len(here) == 1 else None), here

    def body_for_role(self, role: str, csp: Any) -> tuple[Body | None, str]:
        """The body a generic name means in the CSP's place, or (None, why not); worked out once
        per CSP."""
        if csp is None:
            return None, "the review's CSP is not placed"
        if (role, csp.csp_id) not in self._meant:
            self._meant[(role, csp.csp_id)] = self._body_for_role(role, csp)
        return self._meant[(role, csp.csp_id)]

    def _body_for_role(self, role: str, csp: Any) -> tuple[Body | None, str]:
        catalogue, local = self.catalogue, self.catalogue.local
        key: tuple[str, str] | None = None
        if role == "police":
            key = ("police", csp.police_force_area)
        elif role == "health":
            key = ("health", csp.health_area)
        elif role in ("csp", "marac"):
            key = (role, csp.csp_id)
        elif role == "mappa":
            key = ("mappa", csp.police_force_area)
        elif role in ("childrens services", "adult social care", "safeguarding adults board",
                      "safeguarding children partnership"):
            councils = self._councils(csp, UPPER_TIER)
            if len(councils) != 1:
                return None, _several("councils with social care duties", councils)
            if role == "childrens services" and (trust := self._childrens_trust(councils[0])) is not None:
                return trust, ""
            key = (role, councils[0])
        elif role == "housing":
            councils = self._councils(csp, HOUSING_TIER)
            if len(councils) != 1:
                return None, _several("housing councils", councils)
            key = ("housing", councils[0])
        elif role in ("council", "district council", "county council"):
            tiers = {"council": HOUSING_TIER, "district council": HOUSING_TIER, "county council": UPPER_TIER}[role]
            councils = self._councils(csp, tiers) or (self._councils(csp, UPPER_TIER) if role == "council" else [])
            if len(councils) != 1:
                return None, _several("councils", councils)
            key = ("council", councils[0])
        elif role == "ccg":
            return self._ccg(csp)
        elif role in ("crc", "mental health trust", "ambulance trust") or role.startswith("catalogue:"):
            candidates = self._bodies("crc" if role == "crc" else role.removesuffix(" trust"))
            _, here = self.settle(candidates, csp)
            if len(here) != 1:
                return None, _several(f"{role}s", sorted(b.name for b in here))
            return here[0], ""
        body_id = local.get(key) if key else None
        if body_id is None:
            return None, f"the catalogue has no {role} for {key[1] if key else csp.name}"
        return catalogue.bodies[body_id], ""

    def _bodies(self, what: str) -> list[Body]:
        """Catalogue bodies of one sort, listed once: current children's trusts, current mental
        health or ambulance trusts (by their description), the former CRCs."""
        if what not in self._bodies_of:
            bodies = self.catalogue.bodies.values()
            if what == "childrens trust":
                found = [b for b in bodies if b.source == "childrens_trusts.csv" and b.status == "current"]
            elif what.startswith("catalogue:"):  # every current body of one catalogue file
                file = f"{what.removeprefix('catalogue:')}.csv"
                found = [b for b in bodies if b.source == file and b.status == "current"]
            elif what == "crc":
                found = [b for b in bodies if b.source == "probation.csv"
                         and "community rehabilitation company" in b.name.lower()]
            else:
                found = [b for b in bodies if b.source == "nhs_trusts.csv" and b.status == "current" and what in b.kind]
            self._bodies_of[what] = found
        return self._bodies_of[what]

    def _childrens_trust(self, la_name: str) -> Body | None:
        """The trust or company running the council's children's services today, if one does."""
        trusts = [body for body in self._bodies("childrens trust") if f"la:{la_name}" in body.areas]
        return trusts[0] if len(trusts) == 1 else None

    def _councils(self, csp: Any, tiers: frozenset[str]) -> list[str]:
        authorities = self.catalogue.geography.local_authorities
        las = [authorities[name] for name in csp.local_authorities if name in authorities]
        las = [la for la in las if la.la_type in tiers]
        current = [la for la in las if (la.status or "current") == "current"]
        return sorted(la.la_name for la in (current or las))

    def _ccg(self, csp: Any) -> tuple[Body | None, str]:
        """The CCG of the CSP's council area: the last of the line when CCGs merged over the years."""
        if self._ccgs_by_la is None:
            self._ccgs_by_la = defaultdict(list)
            for body in self.catalogue.bodies.values():
                if body.source == "ccgs.csv":
                    for area in body.areas:
                        if area.startswith("la:"):
                            self._ccgs_by_la[area[3:]].append(body)
        councils = self._councils(csp, HOUSING_TIER) or self._councils(csp, UPPER_TIER)
        found = {body.body_id: body for la in councils for body in self._ccgs_by_la.get(la, ())}
        latest = [body for body in found.values() if body.successor not in found]
        if len(latest) == 1:
            return latest[0], ""
        return None, _several("CCGs", sorted(body.name for body in latest))


def _several(what: str, names: list[str]) -> str:
    if not names:
        return f"the catalogue knows no {what} for this CSP"
    return f"the CSP has {len(names)} {what}: " + " | ".join(names)
