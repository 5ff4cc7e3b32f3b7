"""Named bodies in a recommendation's words are read as their kind before repeat grouping compares
two asks (dhr_etl/transform/body_kinds.py, reference/body_kinds.csv)."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.body_kinds import with_body_kinds
from dhr_etl.transform.repeats import same_ask_scores, tfidf_weights


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
    assert read("Officers of the Met should make sure the victim's needs are met.", "Met officers to refer.") == [
        "officers of police should make sure the victim's needs are met.", "police officers to refer."]


def test_letters_that_mean_something_else_and_letters_two_kinds_share_are_kept() -> None:
    # "The Met's" is read whole ("the Met" is one of the force's names). BCU: a police force's basic
    # command unit (acronym_not_body). UHB: University Hospitals
    # Birmingham (an acute trust) and "university health board" of Wales: two kinds.
    assert read("The Met's North West BCU must refer to MARAC.", "The UHB should audit its records.", None, "") == [
        "police north west bcu must refer to marac.", "the uhb should audit its records.", "", ""]


def test_two_wordings_that_differ_only_in_how_they_name_one_body_are_one_ask() -> None:
    # Read as their kind, the two are one wording: the same-ask model gives two copies of one
    # wording probability 1. Read by their names, "eput" and the trust's name are words the other lacks.
    texts = ["EPUT should ask every patient in crisis about abuse at home.",
             "Essex Partnership University NHS Foundation Trust should ask every patient in crisis about abuse at home."]
    assert same_ask_scores(texts, [0], [1])[0] == 1.0


def test_a_full_name_goes_whole_though_a_shorter_spelling_is_inside_it() -> None:
    # "Oxleas" is an alias of Oxleas NHS Foundation Trust; "Frimley Health" (a hospital trust) opens
    # "Frimley Health and Care ICB" (an integrated care board); "HIOW" (the ICB) opens "HIOW CRC".
    assert read("Oxleas NHS Foundation Trust should audit its records.",
                "Frimley Health and Frimley Health and Care ICB to agree a protocol.",
                "HIOW and HIOW CRC to share risk information.") == [
        "mental health trust should audit its records.",
        "hospital trust and integrated care board to agree a protocol.",
        "integrated care board and probation service to share risk information."]


def test_a_name_that_ends_with_a_bracket_and_a_possessive_in_capitals_are_read() -> None:
    assert read("Probation Service (North East) should check police call-outs.", "EPUT'S crisis team to ask.") == [
        "probation service should check police call-outs.", "mental health trust crisis team to ask."]


def test_recommendations_is_a_frame_word_as_recommendation_is() -> None:
    # "... progress against DHR recommendations" and "... the recommendations of the report" share
    # the frame of a recommendation, not an ask.
    _, terms, _ = tfidf_weights(pl.Series(["Publish a report on progress against the recommendations."]))
    assert "report" in terms and not any(term.startswith("recommend") for term in terms)
