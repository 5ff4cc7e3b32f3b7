"""Agency resolution: facts about UK bodies and how reviews name them."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import polars as pl
import pytest

from dhr_etl.transform.agencies import resolve_agencies
from dhr_etl.transform.registry import AgencyRegistry
from tests.transform.resolution_helpers import addressees, one_per_review, recommendations

LABELS = Path(__file__).parent / "fixtures" / "addressee_labels.csv"


def agency_of(names: list[str], **kwargs) -> dict[str, int]:
    resolution = resolve_agencies(one_per_review(names), **kwargs)
    return dict(resolution.aliases.select("addressed_as", "agency_key").iter_rows())


def pairwise_scores() -> tuple[float, float, float, float]:
    rows = list(csv.DictReader(LABELS.open(encoding="utf-8")))
    resolution = resolve_agencies(one_per_review([r["printed"] for r in rows]))
    agency = dict(resolution.aliases.select("addressed_as", "agency_key").iter_rows())
    sector = dict(resolution.agencies.select("agency_key", "agency_sector").iter_rows())
    tp = fp = fn = 0
    for a, b in itertools.combinations(rows, 2):
        truth, predicted = a["entity"] == b["entity"], agency[a["printed"]] == agency[b["printed"]]
        tp += truth and predicted
        fp += predicted and not truth
        fn += truth and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    sector_accuracy = sum(sector[agency[r["printed"]]] == r["sector"] for r in rows) / len(rows)
    return precision, recall, 2 * precision * recall / (precision + recall), sector_accuracy


def test_labelled_set_is_big_and_varied_enough_to_mean_something() -> None:
    rows = list(csv.DictReader(LABELS.open(encoding="utf-8")))
    assert len(rows) >= 150
    assert len({r["entity"] for r in rows}) >= 80
    assert len({r["sector"] for r in rows}) >= 10


def test_clustering_meets_the_bar_on_the_labelled_set() -> None:
    precision, recall, f1, sector_accuracy = pairwise_scores()
    print(f"\npairwise precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}; sector accuracy {sector_accuracy:.3f}")
    assert precision >= 0.98
    assert f1 >= 0.95
    assert sector_accuracy >= 0.95


@pytest.mark.parametrize("names", [
    ["Greater Manchester Police", "GMP", "Greater Manchester Police (GMP)", "greater manchester police"],
    ["West Midlands Ambulance Service", "WMAS", "West Midlands Ambulance Service NHS Foundation Trust"],
    ["George Eliot Hospital", "George Eliot Hospital NHS Trust"],
    ["Cardiff and Vale University Health Board", "Cardiff & Vale UHB"],
    ["NHS Birmingham and Solihull ICB", "Birmingham and Solihull Integrated Care Board"],
    ["Her Majesty's Prison and Probation Service", "HMPPS", "HM Prison and Probation Service"],
    ["Warwickshire Children's Services", "Warwickshire Children’s Service"],
    ["SafeLives", "Safe Lives"],
    ["National Probation Service", "NPS", "HM Probation Service"],  # renamed in 2021, when the CRCs joined it
    ["All agencies", "All partner agencies", "All agencies involved"],
])
def test_spellings_of_one_body_resolve_together(names: list[str]) -> None:
    assert len(set(agency_of(names).values())) == 1


@pytest.mark.parametrize("names", [
    ["Warwickshire Police", "West Mercia Police"],
    ["MARAC", "MARAC Steering Group"],
    ["All agencies", "All health agencies"],
    ["Kent Police", "Kent County Council"],
    ["Kent Police", "Kent Fire and Rescue Service"],
    ["Birmingham and Solihull CCG", "NHS Birmingham and Solihull ICB"],
    ["National Probation Service", "Kent Surrey and Sussex Community Rehabilitation Company"],
    ["Manchester University NHS Foundation Trust", "University of Manchester"],
    ["Safeguarding Adults Board", "Warwickshire Safeguarding Adults Board"],
])
def test_distinct_bodies_are_never_merged(names: list[str]) -> None:
    assert len(set(agency_of(names).values())) == len(names)


def test_an_acronym_shared_by_two_forces_is_not_guessed_but_reported() -> None:
    resolution = resolve_agencies(one_per_review(["West Midlands Police", "West Mercia Police", "WMP"]))
    assert resolution.agencies.height == 3
    (finding,) = resolution.findings.filter(pl.col("kind") == "ambiguous acronym").rows(named=True)
    assert finding["addressed_as"] == "WMP" and "West Mercia Police" in finding["detail"]
    wmp = resolution.agencies.filter(pl.col("agency_name") == "WMP").row(0, named=True)
    assert wmp["agency_sector"] == "police"  # both readings are police forces


def test_recommendation_text_settles_an_acronym_that_fits_two_bodies() -> None:
    frame = addressees(
        ("r1", [["Coventry and Warwickshire Partnership NHS Trust"], ["Coventry and Warwickshire Police Team"]]),
        ("r2", [["CWPT"]]),
    )
    texts = recommendations(("r1", ["That the CWPT serious incident review considers the risk.",
                                    "Officers to attend training."]), ("r2", ["CWPT to train staff."]))
    resolution = resolve_agencies(frame, texts)
    aliases = dict(resolution.aliases.select("addressed_as", "agency_key").iter_rows())
    assert aliases["CWPT"] == aliases["Coventry and Warwickshire Partnership NHS Trust"]
    assert aliases["CWPT"] != aliases["Coventry and Warwickshire Police Team"]


def test_a_near_miss_is_reported_not_merged() -> None:
    resolution = resolve_agencies(one_per_review(["Adult Social Care", "Kent Adult Social Care"]))
    assert resolution.agencies.height == 2
    assert "low-confidence match, not merged" in resolution.findings["kind"].to_list()


def test_a_typo_is_merged_with_its_confidence() -> None:
    # Warwickshire Police is in the catalogue: its misspelling is matched to it as a typo.
    resolution = resolve_agencies(one_per_review(["Warwickshire Police"] * 3 + ["Warwickshrie Police"]))
    assert resolution.agencies.height == 1
    typo = resolution.aliases.filter(pl.col("addressed_as") == "Warwickshrie Police").row(0, named=True)
    assert typo["match_method"] == "typo" and 0.9 <= typo["confidence"] < 1


def test_a_typo_of_a_body_outside_the_catalogue_is_merged_by_fuzzy_matching() -> None:
    names = ["Blackwater Valley Outreach Project"] * 3 + ["Blackwater Valley Outreach Projcet"]
    resolution = resolve_agencies(one_per_review(names))
    assert resolution.agencies.height == 1
    typo = resolution.aliases.filter(pl.col("addressed_as") == "Blackwater Valley Outreach Projcet").row(0, named=True)
    assert typo["match_method"] == "fuzzy" and 0.9 <= typo["confidence"] < 1


def test_generic_police_means_the_force_the_same_review_addresses() -> None:
    frame = addressees(("r1", [["Warwickshire Police"], ["Police", "CPS"]]), ("r2", [["Police"]]),
                       ("r3", [["Police"], ["Kent Police"], ["Sussex Police"]]))
    resolution = resolve_agencies(frame)
    name = dict(resolution.agencies.select("agency_key", "agency_name").iter_rows())
    meant = {(r["review_id"], r["rec_position"], r["addressee_position"]): (name[r["agency_key"]], r["resolved_by"])
             for r in resolution.pairs.iter_rows(named=True)}
    assert meant[("r1", 2, 1)] == ("Warwickshire Police", "context")
    assert meant[("r2", 1, 1)] == ("Police", "name")  # nothing in r2 says which force
    assert meant[("r3", 1, 1)] == ("Police", "name")  # two forces: context does not decide


def test_community_safety_partnership_means_the_reviews_own_csp() -> None:
    frame = addressees(("nb", [["Community Safety Partnership"]]), ("mcr", [["Community Safety Partnership"]]),
                       ("none", [["Community Safety Partnership"]]))
    resolution = resolve_agencies(frame, review_csps={"nb": "Nuneaton and Bedworth", "mcr": "Manchester"})
    name = dict(resolution.agencies.select("agency_key", "agency_name").iter_rows())
    meant = {r["review_id"]: name[r["agency_key"]] for r in resolution.pairs.iter_rows(named=True)}
    assert meant == {"nb": "Nuneaton and Bedworth Community Safety Partnership",
                     "mcr": "Manchester Community Safety Partnership", "none": "Community Safety Partnership"}


def test_groups_are_entities_of_their_own() -> None:
    resolution = resolve_agencies(one_per_review(["All agencies", "All health agencies", "GP practices",
                                                  "Housing Providers", "Refuge"]))
    groups = dict(resolution.agencies.select("agency_name", "is_group").iter_rows())
    assert groups == {"All agencies": True, "All health agencies": True, "GP practices": True,
                      "Housing Providers": True, "Refuge": False}


def test_a_ccg_is_linked_to_the_icb_that_replaced_it() -> None:
    resolution = resolve_agencies(one_per_review(["Birmingham and Solihull CCG", "NHS Birmingham and Solihull ICB",
                                                  "Coventry and Rugby CCG", "NHS Coventry and Warwickshire ICB"]))
    # Looked up by the printed spelling: catalogue bodies take their official names.
    agency = dict(resolution.aliases.select("addressed_as", "agency_key").iter_rows())
    by_key = {r["agency_key"]: r for r in resolution.agencies.iter_rows(named=True)}
    rows = {printed: by_key[key] for printed, key in agency.items()}
    assert rows["Birmingham and Solihull CCG"]["successor_agency_key"] == rows["NHS Birmingham and Solihull ICB"]["agency_key"]
    assert rows["Coventry and Rugby CCG"]["successor_agency_key"] == rows["NHS Coventry and Warwickshire ICB"]["agency_key"]
    assert rows["Birmingham and Solihull CCG"]["agency_sector"] == rows["NHS Birmingham and Solihull ICB"]["agency_sector"]


def test_curated_aliases_win_over_matching(monkeypatch: pytest.MonkeyPatch) -> None:
    from dhr_etl.transform import agencies

    monkeypatch.setattr(agencies, "curated_agency_aliases",
                        lambda: (("The Trust", "Coventry and Warwickshire Partnership NHS Trust", ""),))
    aliases = agency_of(["The Trust", "Coventry and Warwickshire Partnership NHS Trust", "George Eliot Hospital NHS Trust"])
    assert aliases["The Trust"] == aliases["Coventry and Warwickshire Partnership NHS Trust"]
    assert aliases["The Trust"] != aliases["George Eliot Hospital NHS Trust"]


def test_new_pages_never_rename_or_rekey_a_known_body(tmp_path: Path) -> None:
    registry_path = tmp_path / "registry.json"
    first_registry = AgencyRegistry.load(registry_path)
    first = resolve_agencies(one_per_review(["Kent Police", "Refuge"]), registry=first_registry)
    first_registry.save()
    # Later pages print another spelling of Kent Police far more often, and a new body appears.
    later_registry = AgencyRegistry.load(registry_path)
    later = resolve_agencies(one_per_review(["Kent Police"] + ["Kent Constabulary"] * 5 + ["Refuge", "Peabody"]),
                             registry=later_registry)
    before = dict(first.agencies.select("agency_key", "agency_name").iter_rows())
    after = dict(later.agencies.select("agency_key", "agency_name").iter_rows())
    assert all(after[key] == name for key, name in before.items())
    new_names = later.findings.filter(pl.col("kind") == "new name since the last run")["addressed_as"].to_list()
    assert sorted(new_names) == ["Kent Constabulary", "Peabody"]


def test_same_input_same_keys_and_names_in_any_order() -> None:
    names = ["Kent Police", "Kent County Council", "kent police", "CPS", "Crown Prosecution Service", "GMP"]
    first = resolve_agencies(one_per_review(names)).agencies
    second = resolve_agencies(one_per_review(list(reversed(names)))).agencies
    assert first.sort("agency_key").equals(second.sort("agency_key"))
