"""What the same-ask measures read as the ask: place names go, so that where an ask is made does
not make two wordings of one ask look like two asks; a body whose name holds a concept is read as
the same body however the sentence goes on."""

from __future__ import annotations

import polars as pl

from dhr_etl.transform.places import without_places
from dhr_etl.transform.repeats import REPEAT_THRESHOLD, same_ask_scores
from tests.transform.sample_corpus import sample_texts


def _scores(pairs: list[tuple[str, str]]) -> list[float]:
    corpus = sample_texts()
    n, k = len(corpus), len(pairs)
    texts = corpus + [a for a, _ in pairs] + [b for _, b in pairs]
    return same_ask_scores(texts, list(range(n, n + k)), list(range(n + k, n + 2 * k))).tolist()


def test_place_names_are_dropped_whole_and_everyday_words_that_name_places_are_kept() -> None:
    lowered = pl.Series(["tell friends across doncaster how to voice a concern",
                         "blackburn with darwen's adult social care should",
                         "north east lincolnshire council",
                         "reading the records before the meeting"])
    assert [" ".join(t.split()) for t in without_places(lowered).to_list()] == [
        "tell friends across how to voice a concern",
        "adult social care should",
        "council",  # the whole name, not "north east" left behind
        "reading the records before the meeting"]  # Reading is a borough, and a word


def test_one_ask_made_in_two_places_is_one_ask() -> None:
    same = [("Tell friends, family and neighbours across Doncaster how and where to voice concern about someone "
             "they fear is being hurt at home.",
             "Recommendation 3: Tell friends, family and neighbours across Barnsley how and where to voice concern "
             "about someone they fear is being hurt at home."),
            ("Torfaen County Borough Council should make its housing allocation policy give priority to victims of "
             "domestic abuse.",
             "Blaenau Gwent County Borough Council should make its housing allocation policy give priority to "
             "victims of domestic abuse.")]
    assert all(score >= REPEAT_THRESHOLD for score in _scores(same))


def test_one_ask_to_a_body_whose_name_holds_a_concept_is_one_ask_in_either_construction() -> None:
    """"ambulance service" is a concept with a gloss. With "... should ensure that ..." its gloss kept
    the body from being read as the actor, with "... to ensure ..." not, and the second wording lost
    its whole ask to the rule that cut a reason after "to ensure" (session 23)."""
    same = ("The ambulance service should ensure that crews make a safeguarding referral whenever domestic abuse "
            "is suspected.",
            "The ambulance service to ensure crews make a safeguarding referral in every case where domestic abuse "
            "is suspected.")
    different = ("The ambulance service should ensure that crews make a safeguarding referral whenever domestic "
                 "abuse is suspected.",
                 "The ambulance service should ensure that call handlers ask whether the abuser is still in the house.")
    same_score, different_score = _scores([same, different])
    # two asks of one body are still told apart
    assert same_score >= REPEAT_THRESHOLD and different_score < same_score - 0.3


def test_word_vectors_gathered_a_few_texts_at_a_time_are_the_same_to_the_bit(monkeypatch) -> None:  # noqa: ANN001
    """The same-ask measures gather their words' vectors TEXTS_PER_PASS texts at a time (memory);
    every number must be what one pass over the whole corpus gives, or a model fitted on one would
    score the other differently."""
    import numpy as np

    from dhr_etl.transform import same_ask
    from dhr_etl.transform.repeats import ask_words_of

    texts = pl.Series(sample_texts()[:300] + [  # a word met twice in one text, and two surface words of one term
        "Train staff, and train managers, in training on coercive control.", "GPs to ask; GP practices to record."])
    whole, _ = ask_words_of(texts)
    monkeypatch.setattr(same_ask, "TEXTS_PER_PASS", 7)
    in_passes, _ = ask_words_of(texts)
    for field in ("vector_table", "term_vector", "term_tokens", "meaning", "term_count", "term_keys"):
        assert np.array_equal(getattr(whole, field), getattr(in_passes, field)), field
