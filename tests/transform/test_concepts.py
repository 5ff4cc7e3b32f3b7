"""The curated concepts of reference/ask_concepts.csv read as written: different words for one thing
become one concept, and a pattern does not swallow a different thing that shares a word."""

from __future__ import annotations

import re

import polars as pl
import pytest

from dhr_etl.transform import text, themes
from dhr_etl.transform.rules import ReferenceDataError, ask_concepts, concept_glosses
from dhr_etl.transform.text import with_concepts, with_glosses


def concepts_in(text: str) -> list[str]:
    """The concepts a text was read as, in order (``c_idva`` -> "idva")."""
    return [word[2:].replace("_", " ") for word in re.findall(r"\bc_[a-z_]+", with_concepts(pl.Series([text]))[0])
            if word not in ("c_actor", "c_purpose")]


def test_every_concept_is_named_in_letters_and_spaces_once_and_its_pattern_runs_in_polars():
    names = [name for name, _ in ask_concepts()]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+( [a-z]+)*", name) for name in names)
    for name, pattern in ask_concepts():
        # polars runs the patterns (Rust regular expressions); nothing compiles them ahead.
        assert pl.Series(["x"]).str.replace_all(pattern, "y").len() == 1, name


@pytest.mark.parametrize(("concept", "wordings"), [
    # spelt-out names that hold "domestic abuse" or "risk assessment": read whole, not as their parts
    ("idva", ["Refer her to the IDVA.", "Refer her to an independent domestic violence advocate."]),
    ("dvpn", ["Consider a DVPO.", "Consider a Domestic Abuse Protection Order."]),
    ("dvds", ["Tell the public about Clare's Law.", "Tell the public about the domestic violence disclosure scheme."]),
    ("marac", ["Refer to MARAC.", "Refer to the multi-agency risk assessment conference."]),
    ("sara", ["Complete a SARA.", "Complete a spousal assault risk assessment."]),
    ("isva", ["Offer an ISVA.", "Offer an independent sexual violence adviser."]),
    ("pnd", ["Upload records to the PND.", "Upload records to the Police National Database."]),
    ("camhs", ["CAMHS should ask parents.", "Child and adolescent mental health services should ask parents."]),
    ("childrens social care", ["Tell CSC.", "Tell children's services.", "Tell children's social care."]),
    ("icb", ["The ICB should fund it.", "The integrated care board should fund it."]),
    ("health board", ["Betsi Cadwaladr University Health Board should act.", "The LHB should act."]),
    ("case record system", ["Record it on WCCIS.", "Record it on the electronic patient record."]),
    ("safeguarding board", ["The SAB should seek assurance.", "The regional safeguarding board should seek assurance."]),
    ("cafcass", ["Cafcass Cymru should check.", "The family court adviser should check."]),
    ("perpetrator programme", ["Commission a perpetrator programme.", "Commission a behaviour change programme."]),
    ("missed appointments", ["Follow up a DNA.", "Follow up when a child was not brought.", "Follow up missed appointments."]),
    ("case closure", ["Before closing the case.", "Before stepping down.", "Before ending their involvement."]),
    ("faith group", ["Work with gurdwaras.", "Work with mosques.", "Work with churches.", "Work with places of worship."]),
    ("council", ["The local authority should act.", "The borough council should act."]),
    ("police", ["Durham Constabulary should act.", "The force should act.", "The police should act."]),
    ("dwp", ["Jobcentre work coaches should act.", "The DWP should act."]),
    ("information sharing", ["Notify the GP.", "Let the GP know.", "Pass it on to the GP."]),
    ("routine enquiry", ["Health visitors should use Ask and Act.", "Health visitors should ask about abuse."]),
])
def test_different_words_for_one_thing_read_as_one_concept(concept, wordings):
    for wording in wordings:
        assert concept in concepts_in(wording), wording


@pytest.mark.parametrize(("text", "concept", "not_concept"), [
    # a pseudonymised victim's name is not an assessment tool or a programme
    ("Sara should have been seen alone.", None, "sara"),
    ("Iris was not asked about abuse.", None, "iris"),
    # a police referral form is not a protection notice, nor noticing the signs
    ("The public protection notice was late.", "ppn", "dvpn"),
    ("The public protection notice was late.", "ppn", "recognise signs"),
    # the national police database is not a force's own records
    ("Check the police national database.", "pnd", "police records"),
    # a food bank is not a bank; the College of Policing is not a college
    ("Food banks should display posters.", "food bank", "bank"),
    ("The College of Policing should update its guidance.", "college of policing", "university"),
    # child protection and child in need are different plans; a board is not an enquiry
    ("Convene a child protection conference.", "child protection", "child in need"),
    ("The safeguarding adults board should audit section 42 enquiries.", "safeguarding board", None),
    ("The safeguarding adults board should audit section 42 enquiries.", "adult safeguarding enquiry", None),
    # spot checks are an audit, not spotting the signs
    ("Managers should carry out spot checks.", None, "recognise signs"),
    # split for over-merging (concepts19b): two different things that used to read as one concept
    ("Probation should tell her when he is recalled to prison.", "recall to prison", "licence conditions"),
    ("Review his licence conditions.", "licence conditions", "recall to prison"),
    ("Recognise the escalation of abuse.", "abuse escalation", "escalation"),
    ("Staff should escalate concerns to a manager.", "escalation", "abuse escalation"),
    ("The Royal College of GPs should update its guidance.", "royal college", "college of policing"),
    ("The College of Policing should update its guidance.", "college of policing", "royal college"),
    ("Refer her to the sexual assault referral centre.", "sarc", "sexual violence"),
    ("Ask about sexual violence.", "sexual violence", "sarc"),
    ("Commission the Drive project.", "drive", "matac"),
    ("Refer him to MATAC.", "matac", "drive"),
    ("Share the mental health homicide review.", "mental health homicide review", "safeguarding review"),
    ("Share the safeguarding adults review.", "safeguarding review", "mental health homicide review"),
    ("Bars should promote Ask for Angela.", "ask for angela", "codeword scheme"),
    ("Pharmacies should promote Ask for ANI.", "codeword scheme", "ask for angela"),
    ("Train domestic abuse champions.", "domestic abuse champion", "safeguarding lead"),
    ("Ask the named safeguarding lead.", "safeguarding lead", "domestic abuse champion"),
    ("Signpost her to the helpline.", "signposting", "referral"),
    ("Refer her to the IDVA.", "referral", "signposting"),
    ("He applied for a prohibited steps order.", "family court", "protective order"),
    ("She applied for a non-molestation order.", "protective order", "family court"),
    ("Police response times were too slow.", "response time", "call grading"),
    ("The call was downgraded.", "call grading", "response time"),
])
def test_a_pattern_does_not_swallow_a_different_thing(text, concept, not_concept):
    found = concepts_in(text)
    if concept:
        assert concept in found, found
    if not_concept:
        assert not_concept not in found, found


def test_acronyms_are_read_in_plain_words_for_the_meaning_vectors():
    glossed = [" ".join(text.split()) for text in with_glosses(pl.Series(["Refer to MATAC.", "Add it to the PND.", "Use WCCIS."]))]
    assert glossed == ["referral to serial perpetrator tasking .", "add it to the national police intelligence .",
                       "use electronic case files ."]


def test_an_acronym_and_its_spelt_out_name_have_one_gloss():
    # The meaning vectors of two wordings agree only if both read the same words.
    glossed = with_glosses(pl.Series(["the IDVA", "the independent domestic violence advocate", "a DAPO",
                                      "a domestic abuse protection order"])).to_list()
    assert [" ".join(text.split()) for text in glossed] == ["the independent advocate", "the independent advocate",
                                                            "a protection notice", "a protection notice"]
    assert concept_glosses()["idva"] == "independent advocate"


@pytest.mark.parametrize("read", ["concepts", "glosses", "theme rules"])
def test_a_pattern_polars_refuses_is_named_by_its_file_and_rule_before_any_text_is_read(monkeypatch, read):
    # A look-behind: Python's own regular expressions accept it, polars' (Rust's) do not.
    refused = r"(?<=routine )enquiry"
    if read == "theme rules":
        monkeypatch.setattr(themes, "theme_rules", lambda: (("training", r"\btrain", 1.0), ("policy", refused, 1.0)))
        file, run = "theme_rules.csv", lambda texts: themes._rule_hits(texts)
    else:
        monkeypatch.setattr(text, "ask_concepts", lambda: (("gp", r"\bgps?\b"), ("routine enquiry", refused)))
        monkeypatch.setattr(text, "concept_glosses", lambda: {"gp": "doctor", "routine enquiry": "ask"})
        file, run = "ask_concepts.csv", text.with_concepts if read == "concepts" else text.with_glosses
    with pytest.raises(ReferenceDataError, match=rf"{file.replace('.', '[.]')}, rule 2: bad pattern '\(\?<=routine \)enquiry' "
                                                 r"\(error: look-around.*is not supported\); patterns are Rust regular"):
        run(pl.Series(["GPs should make routine enquiry"]))
