"""Texts read with concepts (text.with_concepts), whose last answer is given again for the same texts."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.text import ASK_CHARACTERS, asked, read_in_part, with_concepts


def words(series: pl.Series) -> list[list[str]]:
    return [text.split() for text in series.to_list()]


def test_concepts_and_the_actor_mark_replace_their_phrases() -> None:
    found = with_concepts(pl.Series("recommendation", ["Police should review the policy on DV", None]))
    assert words(found) == [["c_police", "c_actor", "review", "the", "c_policy", "on", "c_domestic_abuse"], []]


def test_the_same_texts_again_get_the_same_answer_under_their_own_name() -> None:
    texts = ["Review the policy on housing", "GPs should ask about domestic abuse"]
    first = with_concepts(pl.Series("recommendation", texts))
    again = with_concepts(pl.Series("text", texts))
    assert again.name == "text"
    assert again.to_list() == first.to_list()


def test_other_texts_of_the_same_length_get_their_own_answer() -> None:
    """The answer kept for the last texts is never given for others, even one word apart."""
    with_concepts(pl.Series("recommendation", ["Review the policy on housing", "Train staff"]))
    other = with_concepts(pl.Series("recommendation", ["Review the policy on firearms", "Train staff"]))
    assert "c_firearms" in words(other)[0]
    assert "c_housing" not in words(other)[0]
    assert words(with_concepts(pl.Series("recommendation", ["Review the policy on housing", "Train staff"])))[0][-1] == "c_housing"


LEAD_INS = [
    ("The Review Panel recommends that the Probation Service should tell the IDVA when licence conditions change.",
     "the Probation Service should tell the IDVA when licence conditions change."),
    ("Recommendation 4: That Ceredigion County Council audits its homelessness assessments.",
     "Ceredigion County Council audits its homelessness assessments."),
    ("It is recommended that GP practices record who attends with the patient.", "GP practices record who attends with the patient."),
    ("R3 - The DHR Panel recommends that Gwent Police revisit the DASH training.", "Gwent Police revisit the DASH training."),
    ("2.1) All agencies should check their safeguarding leads are named.", "All agencies should check their safeguarding leads are named."),
    ("(b) Housing should flag the tenancy.", "Housing should flag the tenancy."),
    ("iv. The ICB should commission a perpetrator programme.", "The ICB should commission a perpetrator programme."),
    ("The Independent Chair and Panel recommend that the Trust reviews its did-not-attend policy.",
     "the Trust reviews its did-not-attend policy."),
    ("We would recommend that the ICB shares the learning.", "the ICB shares the learning."),
    ("The Panel makes the following recommendation: schools should teach healthy relationships.",
     "schools should teach healthy relationships."),
]


def test_what_opens_a_recommendation_without_being_its_ask_is_taken_off() -> None:
    """A recommendation's number, heading and "the panel recommends that" are how a review prints
    it, not what it asks: the models read the ask (text.asked), so two reviews printing one ask
    differently read alike."""
    found = asked(pl.Series([text for text, _ in LEAD_INS])).to_list()
    assert found == [ask for _, ask in LEAD_INS]
    assert asked(pl.Series(found)).to_list() == found  # taking it off twice changes nothing


def test_openings_that_are_part_of_the_ask_are_kept() -> None:
    kept = ["Thatcham Town Council should fund a refuge space.", "Recommendations from earlier DHRs should be tracked to completion.",
            "The review of MARAC referrals should include self-referrals.", "I.T. systems should flag repeat victims.",
            "3.5 per cent of the budget should go to specialist services.", "Review its policy on home visits.",
            "The Community Safety Partnership should publish its action plan.", "e.g. police should ask."]
    assert asked(pl.Series(kept)).to_list() == kept


def test_the_models_read_a_recommendation_up_to_its_first_four_thousand_characters_after_its_lead_in():
    """A cell holding a whole report is read from its opening; a recommendation of any real length whole."""
    sentence = "the trust should audit how staff record disclosures of abuse. "
    report = "Recommendation 7: The Review Panel recommends that " + sentence * 200  # 12,600 characters of ask
    read = asked(pl.Series([report, sentence.strip()])).to_list()
    assert ASK_CHARACTERS == 4_000
    assert read[0] == (sentence * 200)[:4_000]
    assert read[1] == sentence.strip()
    assert asked(pl.Series(read)).to_list() == read


def test_a_text_is_read_in_part_only_when_its_ask_after_the_lead_in_is_longer_than_the_models_read():
    lead_in = "Recommendation 12: The Review Panel recommends that "
    ask = "the trust should audit " + "x" * (ASK_CHARACTERS - 23)  # exactly ASK_CHARACTERS
    texts = pl.Series([lead_in + ask, ask + "y", ask])
    assert len(lead_in + ask) > ASK_CHARACTERS  # longer as printed, yet read whole
    assert read_in_part(texts).to_list() == [False, True, False]
