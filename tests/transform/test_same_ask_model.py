"""The same-ask model (dhr_etl/transform/same_ask.py, SameAskModel): a network over the measures and
the per-dimension products (PRODUCTS). Scored without the (pairs x features) matrix, it must give
the probability its weights say; read back from its file, the same; trained, the probability
scikit-learn's network gives."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from dhr_etl.transform import same_ask, text
from dhr_etl.transform.repeats import ask_words_of
from dhr_etl.transform.same_ask import (DIFFERENCE_DIMENSIONS, FEATURES, SameAskModel, features, model_rows, read_model,
                                        same_ask_model)

TEXTS = ["The police should review its policy on DVPNs.",
         "Police to look again at how officers use domestic violence protection notices.",
         "The police should review its policy on firearms licensing.",
         "GP practices should ask every patient about domestic abuse.",
         "Surgeries must make routine enquiry about abuse at each consultation.",
         "Children's social care should hear the voice of the child."]
A, B = np.array([0, 0, 1, 3, 3, 5]), np.array([1, 2, 2, 4, 5, 0])


def _two_unit_model() -> SameAskModel:
    """Unit 0 reads meaning dimension 7's product, unit 1 difference dimension 3's, each
    standardised; the output weighs them 3 and -2."""
    centre, scale, hidden = np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros((len(FEATURES), 2))
    meaning_k, difference_k = FEATURES.index("meaning_7"), FEATURES.index("difference_3")
    centre[[meaning_k, difference_k]] = 0.01, -0.02
    scale[[meaning_k, difference_k]] = 0.5, 0.25
    hidden[meaning_k, 0], hidden[difference_k, 1] = 1.0, 1.0
    return SameAskModel(centre, scale, hidden, np.array([0.2, 0.1]), np.array([3.0, -2.0]), 0.1)


def test_the_network_is_its_hidden_units_rectified_then_weighed_computed_by_hand() -> None:
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    found = features(words, A, B)
    difference = found[:, FEATURES.index("difference_3")]
    unit_0 = np.maximum((words.meaning[A, 7] * words.meaning[B, 7] - 0.01) / 0.5 + 0.2, 0.0)
    unit_1 = np.maximum((difference + 0.02) / 0.25 + 0.1, 0.0)
    by_hand = 1 / (1 + np.exp(-(3.0 * unit_0 - 2.0 * unit_1 + 0.1)))
    model = _two_unit_model()
    assert np.allclose(model.probability_and_overlap(words, A, B)[0], by_hand, atol=1e-6)  # its products in float32
    assert np.allclose(model.probability(found), by_hand, atol=1e-12)
    assert np.any(unit_1 > 0) and np.any(unit_0 > 0)  # both units count for some pair


def test_the_trained_model_scores_the_same_with_or_without_the_matrix() -> None:
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    model = same_ask_model()
    assert model.hidden.shape[0] == len(FEATURES)
    assert np.allclose(model.probability_and_overlap(words, A, B)[0], model.probability(features(words, A, B)), atol=1e-6)


def test_the_products_meet_no_subnormal_weight_and_score_as_the_weights_say() -> None:
    """Training leaves weights of ~1e-300 that a CPU multiplies in microcode (a matrix product six
    times slower): the products read them as 0, which changes no probability."""
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    model = _two_unit_model()
    hidden = model.hidden.copy()
    hidden[FEATURES.index("meaning_9"), 0] = 1e-320  # subnormal in float64
    hidden[FEATURES.index("difference_5"), 1] = 1e-40  # normal in float64, subnormal once in float32
    tiny = SameAskModel(model.centre, model.scale, hidden, model.hidden_bias, model.output, model.output_bias)
    for block in tiny._folded[:3]:
        assert not np.any((block != 0) & (np.abs(block) < np.finfo(block.dtype).tiny))
    assert np.allclose(tiny.probability_and_overlap(words, A, B)[0], tiny.probability(features(words, A, B)), atol=1e-6)
    trained = same_ask_model()
    assert np.any((trained.hidden != 0) & (np.abs(trained.hidden) < np.finfo(np.float32).tiny))  # the file holds such weights
    for block in trained._folded[:3]:
        assert not np.any((block != 0) & (np.abs(block) < np.finfo(block.dtype).tiny))


def test_a_model_read_back_from_its_file_scores_as_the_one_written() -> None:
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    model = _two_unit_model()
    header, rows = model_rows(model)
    read = read_model([header + "\n", "# a comment\n"] + [",".join(row) + "\n" for row in rows])
    assert np.array_equal(read.probability_and_overlap(words, A, B)[0], model.probability_and_overlap(words, A, B)[0])
    with pytest.raises(ValueError, match="lacks the rows .*retrain it with `make themes-model`"):
        read_model([header + "\n"] + [",".join(row) + "\n" for row in rows[5:]])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # fit() silences it too: EPOCHS is the budget
def test_training_gives_the_mean_log_odds_of_scikit_learns_networks() -> None:
    """fit() copies the NETWORKS networks scikit-learn trained (seeds 0, 1, ...) into one; scored by
    the project's numpy, the pairs get the mean of the log-odds their own predict_proba gives."""
    from sklearn.neural_network import MLPClassifier

    from dhr_etl.transform import train_repeats

    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    a, b = np.repeat(np.arange(len(TEXTS)), len(TEXTS)), np.tile(np.arange(len(TEXTS)), len(TEXTS))
    a, b = a[a != b], b[a != b]  # a text with itself is one ask by rule (the last test), not by the networks
    found, same = features(words, a, b), (a // 3 == b // 3)  # a toy labelling: texts 0-2 alike, 3-5 alike
    model = train_repeats.fit(found, same)
    standard = (found - found.mean(axis=0)) / np.maximum(found.std(axis=0), 1e-6)
    theirs = [MLPClassifier(hidden_layer_sizes=(train_repeats.UNITS,), alpha=train_repeats.ALPHA,
                            max_iter=train_repeats.EPOCHS, random_state=seed).fit(standard, same).predict_proba(standard)[:, 1]
              for seed in range(train_repeats.NETWORKS)]
    mean_log_odds = np.mean([np.log(p / (1 - p)) for p in theirs], axis=0)
    assert train_repeats.NETWORKS >= 2 and not np.allclose(theirs[0], theirs[1])  # the seeds differ, so the mean counts
    assert np.allclose(model.probability(found), 1 / (1 + np.exp(-mean_log_odds)), atol=1e-9)
    assert np.allclose(model.probability_and_overlap(words, a, b)[0], model.probability(found), atol=1e-6)


def test_the_difference_products_are_zero_when_one_text_has_nothing_the_other_lacks() -> None:
    """"The police should review its policy on DVPNs" against itself reworded with nothing added:
    no word differs on one side, so the difference products are zero."""
    words, _ = ask_words_of(pl.Series(["Review the policy on DVPNs.", "Review the DVPN policy urgently.",
                                       "Review the policy on firearms."], dtype=pl.String))
    found = features(words, np.array([0, 0]), np.array([1, 2]))
    differs = found[:, len(FEATURES) - DIFFERENCE_DIMENSIONS:]
    assert np.allclose(differs[0], 0.0)  # "urgently" differs on one side only
    assert differs[1].sum() != 0  # "DVPNs" / "firearms"


def test_two_copies_of_one_wording_are_one_ask_and_are_grouped() -> None:
    """Action plans copy earlier reviews word for word: the same content words, with no actor of
    another sector, are one ask whatever the network makes of a pair it never saw the like of
    (every measure at its end of the scale). Another sector's body with the same words is not."""
    from dhr_etl.transform.repeats import group_repeats, same_ask_scores

    copied = ["West Mercia Police to work with partner agencies so that information about risk is shared with the agencies that need it.",
              "Adult social care should ensure carers' assessments ask about domestic abuse."]
    other_body = "The ICB should ensure carers' assessments ask about domestic abuse."
    scores = same_ask_scores(TEXTS + copied + copied + [other_body], [6, 7, 7], [8, 9, 10])
    assert scores[0] == 1.0 and scores[1] == 1.0 and scores[2] < 1.0
    recs = pl.DataFrame({"review_id": ["r1", "r2", "r1", "r2"], "rec_position": [1, 1, 2, 2],
                         "recommendation": [copied[0], copied[0], copied[1], copied[1]]})
    groups = group_repeats(recs.cast({"rec_position": pl.Int32}))
    assert groups.group_by("repeat_group_key").len()["len"].sort().to_list() == [2, 2]


def test_the_alignment_steps_take_every_pair_once_in_order_and_stay_within_their_bound() -> None:
    rng = np.random.default_rng(3)
    count_a, count_b = rng.integers(1, 40, 7_000), rng.integers(1, 40, 7_000)
    order = np.argsort(count_a, kind="stable")
    # Recommendation-length texts: steps of ALIGNMENT_CHUNK consecutive pairs, as before the bound.
    steps = list(same_ask._alignment_steps(order, count_a, count_b))
    assert [s.tolist() for s in steps] == [order[i:i + same_ask.ALIGNMENT_CHUNK].tolist()
                                          for i in range(0, len(order), same_ask.ALIGNMENT_CHUNK)]
    # A few texts thousands of words long (capped at ALIGNMENT_LONGEST by the caller) among them.
    count_a[order[-40:]] = same_ask.ALIGNMENT_LONGEST
    count_b[rng.choice(len(count_b), 25, replace=False)] = same_ask.ALIGNMENT_LONGEST
    steps = list(same_ask._alignment_steps(order, count_a, count_b))
    assert np.concatenate(steps).tolist() == order.tolist()
    bound = same_ask.ALIGNMENT_CHUNK * same_ask.ALIGNMENT_WORDS ** 2
    for step in steps:
        longest = max(count_a[step].max(), count_b[step].max())
        assert len(step) <= same_ask.ALIGNMENT_CHUNK
        assert len(step) == 1 or len(step) * longest ** 2 <= bound


def test_each_word_is_matched_with_its_nearest_real_word_of_the_other_text_never_a_padding_one() -> None:
    """The alignment's nearest words: each word of one text against the other text's words, the
    padding after a shorter text's last word left out. Padding that scores highest (all the real
    similarities below zero) must not be taken. Checked against a plain loop over each pair's words."""
    rng = np.random.default_rng(11)
    pairs, longest = 40, 9
    similarity = rng.uniform(-1, 1, (pairs, longest, longest)).astype(np.float32)
    count_a, count_b = rng.integers(1, longest + 1, pairs), rng.integers(1, longest + 1, pairs)
    count_a[0], count_b[0] = 4, 3  # the first pair padded on both sides
    mask_a, mask_b = np.arange(longest) < count_a[:, None], np.arange(longest) < count_b[:, None]
    similarity[0, :, :] = -0.5  # every real similarity of the first pair negative ...
    similarity[0, :, count_b[0]:] = 0.9  # ... and its padding the highest: never the nearest
    similarity[0, count_a[0]:, :] = 0.9
    nearest_in_b, nearest_in_a = same_ask._nearest_words(similarity, mask_a, mask_b)
    for p in range(pairs):
        for i in range(count_a[p]):
            assert nearest_in_b[p, i] == max(similarity[p, i, j] for j in range(count_b[p]))
        for j in range(count_b[p]):
            assert nearest_in_a[p, j] == max(similarity[p, i, j] for i in range(count_a[p]))
    assert (nearest_in_b[0, :count_a[0]] == np.float32(-0.5)).all()


def test_a_recommendation_holding_a_whole_reports_words_is_compared_within_the_bound(monkeypatch) -> None:
    """A page whose recommendation cell holds a report (thousands of distinct words): each step of
    the alignment holds at most ALIGNMENT_LONGEST of its words, and few pairs beside it. The models
    read at most a text's first ASK_CHARACTERS; lifted here, so that the alignment's own bound is
    what is measured (a caller that reads texts whole has it too)."""
    monkeypatch.setattr(text, "ASK_CHARACTERS", 10 ** 7)
    rng = np.random.default_rng(5)
    report = " ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 8)) for _ in range(3_000))
    texts = [*TEXTS, f"The police should review its policy on DVPNs. {report}"]
    padded_shapes = []
    real_padded = same_ask._padded

    def recording(*args):
        vectors, mask = real_padded(*args)
        padded_shapes.append(vectors.shape[:2])
        return vectors, mask

    monkeypatch.setattr(same_ask, "_padded", recording)
    prepared, _ = ask_words_of(pl.Series(texts))
    assert prepared.term_count[-1] > 3_000  # the report's words are all read
    report_row = len(texts) - 1
    a = np.array([report_row] * (len(texts) - 1) + [0, 3])
    b = np.array([*range(len(texts) - 1), 1, 4])
    probability = same_ask.same_ask_probability(prepared, a, b)
    assert np.isfinite(probability).all() and ((probability >= 0) & (probability <= 1)).all()
    assert padded_shapes and max(longest for _, longest in padded_shapes) == same_ask.ALIGNMENT_LONGEST
    bound = same_ask.ALIGNMENT_CHUNK * same_ask.ALIGNMENT_WORDS ** 2
    assert all(pairs == 1 or pairs * longest ** 2 <= bound for pairs, longest in padded_shapes)


def test_pairs_sharing_much_wording_but_not_copies_have_their_log_odds_lowered() -> None:
    """Overlap 0.5 to 0.75: the whole penalty (1 in log-odds); 0.45 and 0.8: half of it; under 0.4
    and from 0.85: none (a paraphrase in other words, a near copy). Expected values by hand: a
    probability of 0.6 is log-odds 0.405465; less 1 is -0.594535, a probability of 0.355595."""
    assert same_ask.SHARED_WORDING_PENALTY == 1.0 and same_ask.SHARED_WORDING_BAND == (0.4, 0.5, 0.75, 0.85)
    overlap = np.array([0.0, 0.3, 0.4, 0.45, 0.5, 0.6, 0.75, 0.8, 0.85, 0.95])
    corrected = same_ask.shared_wording_corrected(np.full(len(overlap), 0.6), overlap)
    half = 1 / (1 + np.exp(-(0.405465 - 0.5)))
    assert np.allclose(corrected, [0.6, 0.6, 0.6, half, 0.355595, 0.355595, 0.355595, half, 0.6, 0.6], atol=1e-6)
    # The penalty is in log-odds, not a factor: 0.9 (log-odds 2.197225) becomes 0.768031 (1.197225).
    assert np.isclose(same_ask.shared_wording_corrected(np.array([0.9]), np.array([0.6]))[0], 0.768031, atol=1e-6)
    # The ends of the scale stay where they are: a probability of 1 (one wording) and of 0.
    assert same_ask.shared_wording_corrected(np.array([1.0, 0.0]), np.array([0.6, 0.6])).tolist() == [1.0, 0.0]
    # Outside the band the probability is kept exactly, not read back from its log-odds.
    kept = np.array([0.123456789, 0.35, 0.987654321])
    assert np.array_equal(same_ask.shared_wording_corrected(kept, np.array([0.2, 0.39, 0.9])), kept)


def test_asks_that_open_alike_but_share_under_half_their_words_have_their_log_odds_lowered() -> None:
    """Opening alike (at least the first content word of the ask the same) and overlap under 0.6:
    the penalty, in log-odds, larger when the first two words agree (0.6 is log-odds 0.405465; less
    1.0 is -0.594535, a probability of 0.355595; less 2.5 is -2.094535, 0.109629: by hand); not
    opening alike, or sharing 0.6 of the words or more (a near copy): kept exactly; a probability of
    1 (one wording) stays 1."""
    assert same_ask.ALIKE_OPENING_PENALTY == (1.0, 2.5) and same_ask.ALIKE_OPENING_OVERLAP == 0.6
    probability = np.array([0.6, 0.6, 0.6, 0.6, 0.6, 0.123456789, 1.0])
    overlap = np.array([0.2, 0.59, 0.2, 0.6, 0.9, 0.3, 0.3])
    opening = np.array([1, 2, 0, 2, 2, 0, 2])
    corrected = same_ask.alike_opening_corrected(probability, overlap, opening)
    assert np.allclose(corrected[:2], [0.355595, 0.109629], atol=1e-6)
    assert corrected[2:].tolist() == [0.6, 0.6, 0.6, 0.123456789, 1.0]


def test_the_opening_of_an_ask_is_read_after_the_body_that_must_act() -> None:
    """Two asks of one frame that part after their first words open alike; a paraphrase in its
    own words does not; the body and its modal ("Housing officers should") are not the opening,
    and an imperative's verb is."""
    texts = ["Housing officers should refer victims to the IDVA service with consent.",
             "Housing officers should refer victims to the sanctuary scheme with consent.",
             "Officers must not rely on family members to translate for a victim.",
             "Police should always use a professional interpreter when speaking to a victim.",
             "GP practices should register refuge residents without proof of address.",
             "Surgeries should register refuge residents under a confidential address.",
             "Review the policy on DVPNs.",
             "Review the use of firearms licensing.",
             "Housing officers should tell victims about the sanctuary scheme."]
    words, _ = ask_words_of(pl.Series(texts, dtype=pl.String))
    shared = same_ask.shared_opening(words, np.array([0, 2, 4, 6, 0]), np.array([1, 3, 5, 7, 8]))
    assert shared.tolist() == [2, 0, 2, 1, 0]


def test_grouping_reads_the_network_with_the_shared_wording_and_alike_opening_corrections() -> None:
    """same_ask_probability (what grouping scores pairs by) is the network's probability, lowered
    by hand here by the pairs' own overlap of content words, then where the asks open alike and
    share under 0.6 of their words (by 1.0 when their first word agrees, 2.5 when their first two
    do); some pair of TEXTS falls in the band, and one opens alike."""
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    model = same_ask_model()
    found = features(words, A, B)
    overlap = found[:, FEATURES.index("overlap")]
    share = np.clip((overlap - 0.4) / 0.1, 0, 1) * np.clip((0.85 - overlap) / 0.1, 0, 1)
    opening = same_ask.shared_opening(words, A, B)
    alike = (opening >= 1) & (overlap < 0.6)
    penalty = np.where(opening >= 2, 2.5, 1.0) * alike
    raw = model.probability(found)
    by_hand = 1 / (1 + np.exp(-(np.log(raw / (1 - raw)) - share - penalty)))
    assert np.any(share > 0) and np.any(share == 0) and np.any(alike)
    assert np.allclose(same_ask.same_ask_probability(words, A, B), by_hand, atol=1e-6)


def test_batches_measured_on_two_threads_give_the_bits_of_one_thread(monkeypatch) -> None:
    """The batches of pairs are the same however many threads measure them, so a library's groups do
    not depend on the machine's cores: every pair of the texts, three to a batch, on one thread and
    on two, gives the same probabilities bit for bit, and the same as each batch measured alone."""
    monkeypatch.setattr(same_ask, "PAIRS_PER_BATCH", 3)
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    a, b = (np.array(side) for side in zip(*[(i, j) for i in range(len(TEXTS)) for j in range(i + 1, len(TEXTS))]))
    model = same_ask_model()
    one = model.probability_and_overlap(words, a, b, threads=1)
    two = model.probability_and_overlap(words, a, b, threads=2)
    alone = [model.probability_and_overlap(words, a[k:k + 3], b[k:k + 3], threads=1) for k in range(0, len(a), 3)]
    assert len(a) == 15 and np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    assert np.array_equal(one[0], np.concatenate([p for p, _ in alone]))
    assert model.probability_and_overlap(words, a[:0], b[:0], threads=2)[0].shape == (0,)


def test_the_wording_cosine_is_the_sum_of_the_shared_terms_weights() -> None:
    """The TF-IDF cosine each pair is measured by: the products of the weights of the terms both
    texts have (each text's weights at unit length), added by hand here from the weights' table; 1 for
    a text with itself, 0 for two texts with no term in common."""
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    weights: dict[int, dict[int, float]] = {}
    for doc, term, weight in words.tfidf.iter_rows():
        weights.setdefault(doc, {})[term] = weight
    a, b = np.array([0, 0, 3, 1, 2, 5]), np.array([2, 3, 4, 1, 0, 3])
    by_hand = [sum(w * weights.get(y, {}).get(t, 0.0) for t, w in weights.get(x, {}).items()) for x, y in zip(a.tolist(), b.tolist())]
    cosine = same_ask._tfidf_cosine(words, a, b)
    assert np.allclose(cosine, by_hand, rtol=0, atol=1e-12)
    assert cosine[3] == pytest.approx(1.0) and cosine[1] == 0.0 < cosine[0]  # DVPNs / firearms share "police review policy"
