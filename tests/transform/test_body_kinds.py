"""Named bodies in a recommendation's words are read as their kind before repeat grouping compares
two asks (dhr_etl/transform/body_kinds.py, reference/body_kinds.csv)."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.body_kinds import with_body_kinds
from dhr_etl.transform.repeats import same_ask_scores


def read(*texts: str | None) -> list[str]:
    return with_body_kinds(pl.Series(texts, dtype=pl.String)).to_list()


def test_a_trust_named_by_its_letters_or_its_name_reads_as_its_kind() -> None:
    # East Midlands Ambulance Service NHS Trust (EMAS) is an ambulance trust, Essex Partnership
    # University NHS Foundation Trust (EPUT) a mental health and community trust (bodies/nhs_trusts.csv).
    assert read("EMAS crews should record who was present.",
                "The East Midlands Ambulance Service NHS Trust should record who was present.",
                "EPUT's clinicians to ask about abuse.") == [
        "ambulance service crews should record who was present.",
        "the ambulance service should record who was present.",
        "mental health trust clinicians to ask about abuse."]


def test_police_forces_and_health_boards_read_as_their_kind() -> None:
    assert read("Thames Valley Police to refer to MARAC.", "TVP to refer to MARAC.",
                "Swansea Bay University Health Board should fund an IDVA.") == [
        "police to refer to marac.", "police to refer to marac.", "health board should fund an idva."]


def test_letters_are_read_as_printed_so_a_word_that_spells_them_is_kept() -> None:
    # "Met" is the Metropolitan Police Service; "met" is a verb.
    assert read("The Met should make sure the victim's needs are met.") == [
        "the police should make sure the victim's needs are met."]


def test_letters_that_mean_something_else_and_letters_two_kinds_share_are_kept() -> None:
    # BCU: a police force's basic command unit (acronym_not_body). UHB: University Hospitals
    # Birmingham (an acute trust) and "university health board" of Wales: two kinds.
    assert read("The Met's North West BCU must refer to MARAC.", "The UHB should audit its records.", None, "") == [
        "the police north west bcu must refer to marac.", "the uhb should audit its records.", "", ""]


def test_two_wordings_that_differ_only_in_how_they_name_one_body_are_one_ask() -> None:
    # Read as their kind, the two are one wording: the same-ask model gives two copies of one
    # wording probability 1. Read by their names, "eput" and the trust's name are words the other lacks.
    texts = ["EPUT should ask every patient in crisis about abuse at home.",
             "Essex Partnership University NHS Foundation Trust should ask every patient in crisis about abuse at home."]
    assert same_ask_scores(texts, [0], [1])[0] == 1.0
