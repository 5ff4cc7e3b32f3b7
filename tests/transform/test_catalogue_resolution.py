"""Resolution with the catalogue of bodies and the review's place, on a small catalogue and
geography written here (two counties, a city, a county-wide CSP), so each fact is checked alone."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest

from dhr_etl.transform.agencies import resolve_agencies
from dhr_etl.transform.catalogue import build_catalogue, load_catalogue
from dhr_etl.transform.geography import Csp
from dhr_etl.transform.rules import ReferenceDataError
from tests.transform.resolution_helpers import addressees, one_per_review


@dataclass(frozen=True)
class La:
    la_name: str
    council_name: str
    la_type: str
    county: str = ""
    status: str = "current"
    successor: str = ""
    welsh_name: str = ""
    former_names: str = ""


@dataclass(frozen=True)
class Placing:
    csp: Csp | None
    candidates: tuple[str, ...] = ()


class Geography:
    def __init__(self, las: list[La], csps: list[Csp]) -> None:
        self.local_authorities = {la.la_name: la for la in las}
        self.csps = {csp.csp_id: csp for csp in csps}

    def place(self, printed: str) -> Placing:
        return Placing(next((c for c in self.csps.values() if c.name == printed), None))


GEOGRAPHY = Geography(
    [La("Kent", "Kent County Council", "county"), La("Maidstone", "Maidstone Borough Council", "district", "Kent"),
     La("Ashford", "Ashford Borough Council", "district", "Kent"),
     La("Leicester", "Leicester City Council", "unitary"),
     La("Lincolnshire", "Lincolnshire County Council", "county"),
     La("Lincoln", "City of Lincoln Council", "district", "Lincolnshire")],
    [Csp("maidstone", "Maidstone", "South East", "Kent", ("Maidstone", "Kent"), "Kent and Medway",
         "Kent, Surrey and Sussex"),
     Csp("kent", "Kent", "South East", "Kent", ("Kent", "Maidstone", "Ashford"), "Kent and Medway",
         "Kent, Surrey and Sussex"),
     Csp("leicester", "Leicester", "East Midlands", "Leicestershire", ("Leicester",),
         "Leicester, Leicestershire and Rutland", "East Midlands"),
     Csp("lincoln", "Lincoln", "East Midlands", "Lincolnshire", ("Lincoln", "Lincolnshire"), "Lincolnshire",
         "East Midlands")])


def row(body_id: str, name: str, sector: str, level: str = "local", aliases: str = "", acronyms: str = "",
        areas: str = "") -> dict[str, str]:
    return {"body_id": body_id, "name": name, "sector": sector, "level": level, "aliases": aliases,
            "acronyms": acronyms, "areas": areas, "status": "current", "successor": "", "notes": ""}


FILES = {
    "police_forces.csv": [
        row("kent-police", "Kent Police", "police", aliases="Kent Constabulary", areas="pfa:Kent"),
        row("leicestershire-police", "Leicestershire Police", "police", aliases="Leics Police",
            areas="pfa:Leicestershire"),
        row("lincolnshire-police", "Lincolnshire Police", "police", aliases="Lincs Police", areas="pfa:Lincolnshire"),
        row("merseyside-police", "Merseyside Police", "police", areas="pfa:Merseyside"),
        row("btp", "British Transport Police", "police", "national", acronyms="BTP"),
    ],
    "nhs_trusts.csv": [
        row("lpt-leics", "Leicestershire Partnership NHS Trust", "health services", acronyms="LPT",
            areas="health:Leicester, Leicestershire and Rutland"),
        row("lpft", "Lincolnshire Partnership NHS Foundation Trust", "health services", acronyms="LPFT | LPT",
            areas="health:Lincolnshire"),
    ],
    "charities.csv": [
        row("westshire-wa", "Westshire Women's Aid", "IDVA or other domestic abuse support service",
            areas="la:Maidstone"),
        row("eastshire-wa", "Eastshire Women's Aid", "IDVA or other domestic abuse support service",
            areas="la:Ashford"),
        row("pankhurst", "Pankhurst Trust", "IDVA or other domestic abuse support service",
            aliases="Pankhurst Trust (incorporating Manchester Women's Aid)", areas="la:Manchester"),
    ],
    "national_bodies.csv": [row("dwp", "Department for Work and Pensions", "national government", "national",
                                acronyms="DWP")],
}


@pytest.fixture(scope="module")
def catalogue():
    return build_catalogue(FILES, GEOGRAPHY)


def meant(resolution) -> dict[tuple[str, int], tuple[str, str]]:
    """(review, recommendation) → (name of the body meant, how)."""
    name = dict(resolution.agencies.select("agency_key", "agency_name").iter_rows())
    return {(r["review_id"], r["rec_position"]): (name[r["agency_key"]], r["resolved_by"])
            for r in resolution.pairs.iter_rows(named=True)}


def test_generic_names_mean_the_bodies_of_the_reviews_place(catalogue) -> None:
    frame = addressees(("m1", [["Police"], ["Children's Social Care"], ["Housing"], ["the Local Authority"],
                               ["Adult Social Care"], ["the CSP"], ["MARAC"]]))
    got = meant(resolve_agencies(frame, review_csps={"m1": "Maidstone"}, catalogue=catalogue))
    assert got[("m1", 1)] == ("Kent Police", "place")
    assert got[("m1", 2)] == ("Kent County Council Children's Services", "place")  # the county has the duty
    assert got[("m1", 3)] == ("Maidstone Borough Council Housing", "place")  # the district has housing
    assert got[("m1", 4)] == ("Maidstone Borough Council", "place")
    assert got[("m1", 5)] == ("Kent County Council Adult Social Care", "place")
    assert got[("m1", 6)] == ("Maidstone Community Safety Partnership", "place")
    assert got[("m1", 7)] == ("Maidstone MARAC", "place")


def test_a_place_that_allows_two_bodies_leaves_the_name_generic_and_tells_a_human(catalogue) -> None:
    frame = addressees(("k1", [["Housing"], ["Police"]]), ("x1", [["Police"]]))
    resolution = resolve_agencies(frame, review_csps={"k1": "Kent", "x1": "Nowhere"}, catalogue=catalogue)
    got = meant(resolution)
    assert got[("k1", 1)] == ("Housing", "name")  # Kent CSP has two district councils
    assert got[("k1", 2)] == ("Kent Police", "place")
    assert got[("x1", 1)] == ("Police", "name")  # the CSP cannot be placed
    unsettled = resolution.findings.filter(pl.col("kind") == "generic name not settled by place")
    assert unsettled["addressed_as"].to_list() == ["Housing"]
    assert "Ashford" in unsettled["detail"][0] and "Maidstone" in unsettled["detail"][0]


def test_a_body_the_page_names_wins_over_the_place(catalogue) -> None:
    frame = addressees(("m1", [["Police"], ["British Transport Police"]]))
    got = meant(resolve_agencies(frame, review_csps={"m1": "Maidstone"}, catalogue=catalogue))
    assert got[("m1", 1)] == ("British Transport Police", "context")


def test_spellings_of_a_catalogue_body_take_its_key_name_sector_and_level(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Kent Constabulary", "KENT POLICE", "Kent Police."]),
                                  catalogue=catalogue)
    (body,) = resolution.agencies.rows(named=True)
    assert (body["agency_name"], body["agency_sector"], body["agency_level"]) == ("Kent Police", "police", "local")
    assert body["agency_key"] == catalogue.bodies["kent-police"].agency_key


def test_a_council_service_is_one_body_however_the_council_is_named(catalogue) -> None:
    names = ["Kent County Council Children's Services", "Kent Children's Services", "Kent Childrens Social Care"]
    resolution = resolve_agencies(one_per_review(names), catalogue=catalogue)
    assert resolution.agencies["agency_name"].to_list() == ["Kent County Council Children's Services"]
    assert resolution.agencies["agency_sector"].to_list() == ["social services"]


def test_a_sector_comes_from_the_catalogue_when_the_name_has_no_sector_word(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Pankhurst Trust"]), catalogue=catalogue)
    assert resolution.agencies["agency_sector"].to_list() == ["IDVA or other domestic abuse support service"]


def test_an_acronym_two_bodies_share_is_read_by_the_reviews_place(catalogue) -> None:
    frame = addressees(("leics", [["LPT"]]), ("lincs", [["LPT"]]), ("nowhere", [["LPT"]]))
    resolution = resolve_agencies(frame, review_csps={"leics": "Leicester", "lincs": "Lincoln"}, catalogue=catalogue)
    got = meant(resolution)
    assert got[("leics", 1)] == ("Leicestershire Partnership NHS Trust", "place")
    assert got[("lincs", 1)] == ("Lincolnshire Partnership NHS Foundation Trust", "place")
    assert got[("nowhere", 1)] == ("LPT", "name")  # no place: not guessed
    (finding,) = resolution.findings.filter(pl.col("kind") == "ambiguous acronym").rows(named=True)
    assert finding["addressed_as"] == "LPT" and "Leicestershire Partnership NHS Trust" in finding["detail"]


def test_an_acronym_every_page_reads_alike_is_matched_by_name(catalogue) -> None:
    frame = addressees(("leics", [["LPT"]]), ("leics2", [["LPT"], ["DWP"]]))
    resolution = resolve_agencies(frame, review_csps={"leics": "Leicester", "leics2": "Leicester"},
                                  catalogue=catalogue)
    aliases = {r["addressed_as"]: r for r in resolution.aliases.iter_rows(named=True)}
    assert aliases["LPT"]["agency_key"] == catalogue.bodies["lpt-leics"].agency_key
    assert aliases["LPT"]["match_method"] == "acronym"
    assert aliases["DWP"]["agency_key"] == catalogue.bodies["dwp"].agency_key  # national: anywhere


def test_a_one_letter_typo_of_a_catalogue_name_joins_its_body(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Merseyside Polcie", "Mersyside Police", "Lincolnshire Pollice"]),
                                  catalogue=catalogue)
    aliases = dict(resolution.aliases.select("addressed_as", "agency_key").iter_rows())
    assert aliases["Merseyside Polcie"] == aliases["Mersyside Police"] == catalogue.bodies["merseyside-police"].agency_key
    assert aliases["Lincolnshire Pollice"] == catalogue.bodies["lincolnshire-police"].agency_key


def test_a_typo_one_letter_from_two_bodies_is_reported_not_merged(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Wastshire Women's Aid"]), catalogue=catalogue)
    assert resolution.agencies["agency_key"].to_list() != [catalogue.bodies["westshire-wa"].agency_key]
    (finding,) = resolution.findings.filter(pl.col("kind") == "borderline typo").rows(named=True)
    assert "Westshire Women's Aid" in finding["detail"] and "Eastshire Women's Aid" in finding["detail"]


def test_two_catalogue_bodies_with_alike_names_are_never_merged(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Westshire Women's Aid", "Eastshire Women's Aid"]),
                                  catalogue=catalogue)
    assert resolution.agencies.height == 2


def test_a_body_outside_the_catalogue_is_resolved_by_the_rules_and_listed(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Blackwater Valley Outreach", "Kent Police", "All agencies"]),
                                  catalogue=catalogue)
    outside = resolution.findings.filter(pl.col("kind") == "not in the catalogue")["addressed_as"].to_list()
    assert outside == ["Blackwater Valley Outreach"]


def test_a_bad_catalogue_row_is_refused_with_the_file_and_what_is_accepted() -> None:
    with pytest.raises(ReferenceDataError, match=r"charities\.csv, row 1 \(x\): sector 'charity' is not one of"):
        build_catalogue({"charities.csv": [row("x", "X Aid", "charity")]})
    with pytest.raises(ReferenceDataError, match=r"area 'Kent' is not kind:value"):
        build_catalogue({"charities.csv": [row("x", "X Aid", "other", areas="Kent")]})


def test_the_reference_catalogue_loads() -> None:
    catalogue = load_catalogue()
    assert catalogue.bodies_named("kent police")[0].sector == "police"


def test_a_childrens_trust_is_the_childrens_services_of_its_place_and_not_the_councils() -> None:
    trust = row("kent-childrens-trust", "Kent Children's Trust", "social services", areas="la:Kent")
    catalogue = build_catalogue(FILES | {"childrens_trusts.csv": [trust]}, GEOGRAPHY)
    frame = addressees(("m1", [["Children's Social Care"]]),
                       ("m2", [["Kent Children's Trust"], ["Kent County Council Children's Services"]]))
    resolution = resolve_agencies(frame, review_csps={"m1": "Maidstone"}, catalogue=catalogue)
    got = meant(resolution)
    assert got[("m1", 1)] == ("Kent Children's Trust", "place")
    assert got[("m2", 1)][0] == "Kent Children's Trust"  # "Trust" and "Services" tell these two apart
    assert got[("m2", 2)][0] == "Kent County Council Children's Services"


def test_the_district_and_the_county_council_of_a_two_tier_page(catalogue) -> None:
    frame = addressees(("m1", [["the District Council"], ["the County Council"]]), ("m2", [["KCC"], ["MBC"]]))
    got = meant(resolve_agencies(frame, review_csps={"m1": "Maidstone", "m2": "Maidstone"}, catalogue=catalogue))
    assert got[("m1", 1)] == ("Maidstone Borough Council", "place")
    assert got[("m1", 2)] == ("Kent County Council", "place")
    assert got[("m2", 1)][0] == "Kent County Council"  # initials read in the place
    assert got[("m2", 2)][0] == "Maidstone Borough Council"


def test_a_council_as_a_whole_has_no_service_sector(catalogue) -> None:
    resolution = resolve_agencies(one_per_review(["Maidstone Borough Council", "Maidstone District Council"]),
                                  catalogue=catalogue)
    assert resolution.agencies.rows() == [(catalogue.bodies["council-maidstone"].agency_key, "Maidstone Borough Council",
                                           "maidstone borough council", "other", "local", False, False, None)]
    assert resolution.findings.filter(pl.col("kind") == "no sector").is_empty()


def test_short_place_names_pages_use_belong_to_one_council_only() -> None:
    from dhr_etl.transform.catalogue import _short_places

    las = [La("Kingston upon Hull", "Hull City Council", "unitary"),
           La("Kingston upon Thames", "Royal Borough of Kingston upon Thames", "london borough"),
           La("Southend-on-Sea", "Southend-on-Sea City Council", "unitary"),
           La("Newcastle upon Tyne", "Newcastle City Council", "metropolitan borough"),
           La("Newcastle-under-Lyme", "Newcastle-under-Lyme Borough Council", "district")]
    assert _short_places(las) == {"Kingston upon Hull": ["Hull"], "Southend-on-Sea": ["Southend"],
                                  "Newcastle upon Tyne": ["Newcastle"]}  # "Kingston" is two places


def test_the_crc_of_a_page_is_the_one_that_worked_in_its_place() -> None:
    crcs = [row("crc-kss", "Kent, Surrey and Sussex Community Rehabilitation Company", "probation services",
                "regional", acronyms="KSS CRC", areas="pfa:Kent | pfa:Surrey | pfa:Sussex"),
            row("crc-lincs", "Humberside, Lincolnshire and North Yorkshire Community Rehabilitation Company",
                "probation services", "regional", areas="pfa:Lincolnshire | pfa:Humberside")]
    catalogue = build_catalogue(FILES | {"probation.csv": crcs}, GEOGRAPHY)
    frame = addressees(("m1", [["CRC"]]), ("l1", [["the CRC"]]), ("x1", [["CRC"]]))
    got = meant(resolve_agencies(frame, review_csps={"m1": "Maidstone", "l1": "Lincoln"}, catalogue=catalogue))
    assert got[("m1", 1)] == ("Kent, Surrey and Sussex Community Rehabilitation Company", "place")
    assert got[("l1", 1)] == ("Humberside, Lincolnshire and North Yorkshire Community Rehabilitation Company", "place")
    assert got[("x1", 1)][1] == "name"  # no place: stays as printed


def test_a_page_naming_several_bodies_of_the_kind_takes_the_places_own_only_if_it_is_one_of_them(catalogue) -> None:
    frame = addressees(("m1", [["the police"], ["Kent Police"], ["British Transport Police"]]),
                       ("m2", [["the police"], ["Lincolnshire Police"], ["Merseyside Police"]]))
    got = meant(resolve_agencies(frame, review_csps={"m1": "Maidstone", "m2": "Maidstone"}, catalogue=catalogue))
    assert got[("m1", 1)] == ("Kent Police", "place")
    assert got[("m2", 1)] == ("the police", "name")


def test_letters_that_spell_a_generic_name_are_read_as_a_body_of_the_place_first() -> None:
    # "UHB" is a Welsh university health board (generic: the health board of the place), but in
    # an English city the same letters are a hospital trust's.
    files = FILES | {
        "health_areas.csv": [row("hb-kent", "Kent and Medway University Health Board", "health services", "regional")
                             | {"health_area": "Kent and Medway"}],
        "nhs_trusts.csv": FILES["nhs_trusts.csv"] + [row("uhl", "University Hospitals Lincolnshire", "health services",
                                                         acronyms="UHB", areas="health:Lincolnshire")]}
    catalogue = build_catalogue(files, GEOGRAPHY)
    frame = addressees(("m1", [["UHB"]]), ("l1", [["UHB"]]))
    got = meant(resolve_agencies(frame, review_csps={"m1": "Maidstone", "l1": "Lincoln"}, catalogue=catalogue))
    assert got[("m1", 1)] == ("Kent and Medway University Health Board", "place")
    assert got[("l1", 1)] == ("University Hospitals Lincolnshire", "place")


def test_a_csp_name_that_could_mean_several_csps_still_settles_what_they_all_agree_on() -> None:
    class Ambiguous(Geography):
        def place(self, printed: str):
            if printed == "Kent districts":
                return Placing(None, ("Maidstone", "Kent"))
            return super().place(printed)

    geography = Ambiguous(list(GEOGRAPHY.local_authorities.values()), list(GEOGRAPHY.csps.values()))
    catalogue = build_catalogue(FILES, geography)
    frame = addressees(("k1", [["Police"], ["Children's Social Care"], ["Housing"]]))
    got = meant(resolve_agencies(frame, review_csps={"k1": "Kent districts"}, catalogue=catalogue))
    assert got[("k1", 1)] == ("Kent Police", "place")
    assert got[("k1", 2)] == ("Kent County Council Children's Services", "place")
    assert got[("k1", 3)] == ("Housing", "name")  # Maidstone's, or one of Kent CSP's two districts
