"""The catalogue of bodies (dhr_etl/reference/bodies/*.csv) holds the facts resolution relies on,
in the shared vocabulary. Expected values are written here from the issue's shared vocabulary and
public facts, not read from the files under test."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import pytest

from dhr_etl.transform.names import normalise_name
from dhr_etl.transform.rules import REFERENCE_DIR, read_reference_csv
from tests.transform.library_vocabulary import LIBRARY_POLICE_FORCE_AREAS

BODY_FILES = ("police_forces.csv", "pcc.csv", "health_areas.csv", "ccgs.csv", "nhs_trusts.csv", "probation.csv",
              "national_bodies.csv", "charities.csv", "housing_associations.csv", "fire_and_rescue.csv",
              "childrens_trusts.csv", "prisons.csv", "universities.csv")
COLUMNS = ("body_id", "name", "sector", "level", "aliases", "acronyms", "areas", "status", "successor", "notes")
SECTORS = {"police", "health services", "social services", "housing services", "probation services",
           "IDVA or other domestic abuse support service", "community safety partnership", "school",
           "other educational institution", "employer", "military", "religious institution", "multi-agency groups",
           "national government", "courts and prosecution", "other"}
ICBS = {
    "Bath and North East Somerset, Swindon and Wiltshire", "Bedfordshire, Luton and Milton Keynes",
    "Birmingham and Solihull", "Black Country", "Bristol, North Somerset and South Gloucestershire",
    "Buckinghamshire, Oxfordshire and Berkshire West", "Cambridgeshire and Peterborough", "Cheshire and Merseyside",
    "Cornwall and the Isles of Scilly", "Coventry and Warwickshire", "Derby and Derbyshire", "Devon", "Dorset",
    "Frimley", "Gloucestershire", "Greater Manchester", "Hampshire and Isle of Wight", "Herefordshire and Worcestershire",
    "Hertfordshire and West Essex", "Humber and North Yorkshire", "Kent and Medway", "Lancashire and South Cumbria",
    "Leicester, Leicestershire and Rutland", "Lincolnshire", "Mid and South Essex", "Norfolk and Waveney",
    "North Central London", "North East and North Cumbria", "North East London", "North West London",
    "Northamptonshire", "Nottingham and Nottinghamshire", "Shropshire, Telford and Wrekin", "Somerset",
    "South East London", "South West London", "South Yorkshire", "Staffordshire and Stoke-on-Trent",
    "Suffolk and North East Essex", "Surrey Heartlands", "Sussex", "West Yorkshire"}
WELSH_HEALTH_BOARDS = {"Aneurin Bevan", "Betsi Cadwaladr", "Cardiff and Vale", "Cwm Taf Morgannwg", "Hywel Dda",
                       "Powys", "Swansea Bay"}
PROBATION_REGIONS = {"North East", "North West", "Yorkshire and the Humber", "Greater Manchester", "East Midlands",
                     "West Midlands", "East of England", "Kent, Surrey and Sussex", "London", "South West",
                     "South Central", "Wales"}
REGIONS = {"East", "East Midlands", "Greater London", "North East", "North West", "South East", "South West", "Wales",
           "West Midlands", "Yorkshire and Humber"}


@cache
def rows_of(file: str) -> tuple[dict[str, str], ...]:
    return tuple(read_reference_csv(f"bodies/{file}"))


def all_rows() -> list[tuple[str, dict[str, str]]]:
    return [(file, row) for file in BODY_FILES for row in rows_of(file)]


def split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def by_id() -> dict[str, dict[str, str]]:
    return {row["body_id"]: row for _, row in all_rows()}


def test_the_folder_holds_exactly_the_known_catalogue_files():
    on_disk = {path.name for path in (REFERENCE_DIR / "bodies").glob("*.csv")}
    assert on_disk == {*BODY_FILES, "must_not_merge_bodies.csv"}


@pytest.mark.parametrize("file", BODY_FILES)
def test_every_file_has_the_shared_columns(file):
    header = (REFERENCE_DIR / "bodies" / file).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(COLUMNS) <= set(header)
    assert rows_of(file), f"{file} has no rows"


def test_body_ids_are_unique_slugs_across_all_files():
    seen: dict[str, str] = {}
    for file, row in all_rows():
        body_id = row["body_id"]
        assert body_id == body_id.lower() and " " not in body_id, body_id
        assert body_id not in seen, f"{body_id} is in {seen.get(body_id)} and {file}"
        seen[body_id] = file


def test_sector_level_and_status_use_the_shared_vocabulary():
    for file, row in all_rows():
        assert row["sector"] in SECTORS, (file, row["body_id"], row["sector"])
        assert row["level"] in {"national", "regional", "local"}, (file, row["body_id"])
        assert row["status"] in {"current", "former"}, (file, row["body_id"])


def test_areas_name_only_places_of_the_shared_vocabulary():
    la_names = {row["la_name"] for row in read_reference_csv("geography/local_authorities.csv")}
    allowed = {"pfa": LIBRARY_POLICE_FORCE_AREAS, "health": ICBS | WELSH_HEALTH_BOARDS, "probation": PROBATION_REGIONS,
               "region": REGIONS, "la": la_names}
    for file, row in all_rows():
        for area in split(row["areas"]):
            kind, _, value = area.partition(":")
            assert kind in allowed and value in allowed[kind], (file, row["body_id"], area)


def test_bodies_acting_everywhere_have_no_areas_and_local_ones_have_some():
    for file, row in all_rows():
        areas = split(row["areas"])
        if row["level"] == "national":
            assert areas in ([], ["region:Wales"]), (file, row["body_id"], areas)
        elif row["status"] == "current":
            assert areas, (file, row["body_id"])


def test_former_bodies_name_a_real_successor_and_current_ones_none():
    bodies = by_id()
    for file, row in all_rows():
        if row["status"] == "current":
            assert not row["successor"], (file, row["body_id"])
        elif row["successor"]:
            assert row["successor"] in bodies, (file, row["body_id"], row["successor"])
            assert row["successor"] != row["body_id"]


def test_no_name_or_alias_means_two_bodies():
    owners: dict[str, set[str]] = defaultdict(set)
    for _, row in all_rows():
        for name in [row["name"], *split(row["aliases"])]:
            owners[normalise_name(name)].add(row["body_id"])
    shared = {name: ids for name, ids in owners.items() if len(ids) > 1}
    assert not shared


def test_the_44_forces_each_police_their_library_area():
    forces = rows_of("police_forces.csv")
    assert len(forces) == 44
    force_of_area: dict[str, list[str]] = defaultdict(list)
    for row in forces:
        assert row["sector"] == "police"
        for area in split(row["areas"]):
            force_of_area[area.removeprefix("pfa:")].append(row["name"])
    assert set(force_of_area) == LIBRARY_POLICE_FORCE_AREAS
    assert all(len(names) == 1 for names in force_of_area.values())
    assert force_of_area["North Devon"] == ["Devon and Cornwall Police"]
    assert force_of_area["Metropolitan Police"] == ["Metropolitan Police Service"]
    transport = next(row for row in forces if row["name"] == "British Transport Police")
    assert transport["level"] == "national" and "BTP" in split(transport["acronyms"])


@pytest.mark.parametrize(("force", "welsh_name"), [
    ("Gwent Police", "Heddlu Gwent"), ("South Wales Police", "Heddlu De Cymru"),
    ("Dyfed-Powys Police", "Heddlu Dyfed-Powys"), ("North Wales Police", "Heddlu Gogledd Cymru")])
def test_welsh_forces_carry_their_welsh_names(force, welsh_name):
    row = next(row for row in rows_of("police_forces.csv") if row["name"] == force)
    assert welsh_name in split(row["aliases"])


@pytest.mark.parametrize(("acronym", "force"), [
    ("WMP", "West Midlands Police"), ("TVP", "Thames Valley Police"), ("GMP", "Greater Manchester Police"),
    ("SWP", "South Wales Police"), ("SYP", "South Yorkshire Police"), ("WYP", "West Yorkshire Police"),
    ("NYP", "North Yorkshire Police"), ("MPS", "Metropolitan Police Service")])
def test_force_acronyms_belong_to_one_force(acronym, force):
    holders = [row["name"] for row in rows_of("police_forces.csv") if acronym in split(row["acronyms"])]
    assert holders == [force]


@pytest.mark.parametrize(("printed", "force"), [
    ("Herts Police", "Hertfordshire Constabulary"), ("Lincs Police", "Lincolnshire Police"),
    ("Avon and Somerset Constabulary", "Avon and Somerset Police"),
    ("Hampshire Constabulary", "Hampshire and Isle of Wight Constabulary"),
    ("West Mercia Constabulary", "West Mercia Police")])
def test_informal_and_former_force_names_are_aliases(printed, force):
    row = next(row for row in rows_of("police_forces.csv") if row["name"] == force)
    assert printed in split(row["aliases"])


def test_health_areas_are_the_42_icbs_and_7_welsh_boards():
    rows = rows_of("health_areas.csv")
    assert {row["health_area"] for row in rows} == ICBS | WELSH_HEALTH_BOARDS
    assert len(rows) == 49
    for row in rows:
        if row["health_area"] in ICBS:
            assert row["name"] == f"NHS {row['health_area']} Integrated Care Board"
            assert f"{row['health_area']} ICB" in split(row["aliases"])


@pytest.mark.parametrize(("board", "former_name"), [
    ("Swansea Bay", "Abertawe Bro Morgannwg University Health Board"),
    ("Cwm Taf Morgannwg", "Cwm Taf University Health Board")])
def test_welsh_boards_keep_their_former_names(board, former_name):
    row = next(row for row in rows_of("health_areas.csv") if row["health_area"] == board)
    assert former_name in split(row["aliases"])


def test_every_ccg_leads_to_an_icb():
    bodies = by_id()
    icb_ids = {row["body_id"] for row in rows_of("health_areas.csv")}
    ccgs = rows_of("ccgs.csv")
    assert len(ccgs) >= 200
    for ccg in ccgs:
        assert ccg["status"] == "former"
        step, seen = ccg["body_id"], set()
        while step not in icb_ids:
            assert step not in seen, f"successor loop at {step}"
            seen.add(step)
            step = bodies[step]["successor"]
            assert step, f"{ccg['body_id']} does not reach an ICB"
        assert any(area.startswith("la:") for area in split(ccg["areas"])), ccg["body_id"]


@pytest.mark.parametrize(("ccg", "icb"), [
    ("NHS Leeds North Clinical Commissioning Group", "NHS West Yorkshire Integrated Care Board"),
    ("NHS Thanet Clinical Commissioning Group", "NHS Kent and Medway Integrated Care Board"),
    ("NHS Solihull Clinical Commissioning Group", "NHS Birmingham and Solihull Integrated Care Board"),
    ("NHS Bassetlaw Clinical Commissioning Group", "NHS Nottingham and Nottinghamshire Integrated Care Board")])
def test_known_ccgs_end_at_their_icb(ccg, icb):
    bodies = by_id()
    row = next(row for row in rows_of("ccgs.csv") if row["name"] == ccg)
    while row["successor"]:
        row = bodies[row["successor"]]
    assert row["name"] == icb


def test_probation_has_its_12_regions_and_21_former_crcs():
    rows = rows_of("probation.csv")
    regions = [row for row in rows if row["level"] == "regional" and row["status"] == "current"]
    assert {area.removeprefix("probation:") for row in regions for area in split(row["areas"])
            if area.startswith("probation:")} == PROBATION_REGIONS
    assert len(regions) == 12
    crcs = [row for row in rows if row["name"].endswith("Community Rehabilitation Company")]
    assert len(crcs) == 21
    region_ids = {row["body_id"] for row in regions}
    assert all(row["status"] == "former" and row["successor"] in region_ids for row in crcs)


def test_must_not_merge_pairs_keep_different_bodies_apart():
    pairs = [(row["name_a"], row["name_b"]) for row in read_reference_csv("bodies/must_not_merge_bodies.csv")]
    assert len(pairs) >= 60
    owners: dict[str, set[str]] = defaultdict(set)
    for _, row in all_rows():
        for name in [row["name"], *split(row["aliases"])]:
            owners[normalise_name(name)].add(row["body_id"])
    for name_a, name_b in pairs:
        assert normalise_name(name_a) != normalise_name(name_b)
        assert not owners[normalise_name(name_a)] & owners[normalise_name(name_b)], (name_a, name_b)
    assert ("West Midlands Police", "West Mercia Police") in pairs
