"""The same-ask model's per-dimension products (dhr_etl/transform/same_ask.py, PRODUCTS): scored
without their (pairs x features) matrix, they must give the probability the trained weights say."""

from __future__ import annotations

import numpy as np
import polars as pl

from dhr_etl.transform.repeats import ask_words_of
from dhr_etl.transform.same_ask import DIFFERENCE_DIMENSIONS, FEATURES, MEASURES, PRODUCTS, SameAskModel, features, same_ask_model

TEXTS = ["The police should review its policy on DVPNs.",
         "Police to look again at how officers use domestic violence protection notices.",
         "The police should review its policy on firearms licensing.",
         "GP practices should ask every patient about domestic abuse.",
         "Surgeries must make routine enquiry about abuse at each consultation.",
         "Children's social care should hear the voice of the child."]
A, B = np.array([0, 0, 1, 3, 3, 5]), np.array([1, 2, 2, 4, 5, 0])


def test_the_products_are_one_weight_per_dimension_of_each_pair_of_vectors() -> None:
    """A model that weighs one meaning dimension and one dimension of what differs, and nothing
    else: its logit is those two products, standardised and weighed, computed here by hand."""
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    centre, scale, weights = np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES))
    meaning_k, difference_k = FEATURES.index("meaning_7"), FEATURES.index("difference_3")
    centre[[meaning_k, difference_k]] = 0.01, -0.02
    scale[[meaning_k, difference_k]] = 0.5, 0.25
    weights[[meaning_k, difference_k]] = 3.0, -2.0
    model = SameAskModel(centre, scale, weights, 0.1)
    found = features(words, A, B)
    by_hand = (3.0 * (words.meaning[A, 7] * words.meaning[B, 7] - 0.01) / 0.5
               - 2.0 * (found[:, difference_k] + 0.02) / 0.25 + 0.1)
    assert np.allclose(model.probability_of(words, A, B), 1 / (1 + np.exp(-by_hand)), atol=1e-9)
    assert np.any(found[:, difference_k] != 0)  # some pair differs in its words, so that term counts


def test_the_trained_model_scores_the_same_with_or_without_the_matrix() -> None:
    words, _ = ask_words_of(pl.Series(TEXTS, dtype=pl.String))
    model = same_ask_model()
    assert len(model.weights) == len(MEASURES) + len(PRODUCTS)
    assert np.allclose(model.probability_of(words, A, B), model.probability(features(words, A, B)), atol=1e-9)


def test_the_difference_products_are_zero_when_one_text_has_nothing_the_other_lacks() -> None:
    """"The police should review its policy on DVPNs" against itself reworded with nothing added:
    no word differs on one side, so the difference products are zero."""
    words, _ = ask_words_of(pl.Series(["Review the policy on DVPNs.", "Review the DVPN policy urgently.",
                                       "Review the policy on firearms."], dtype=pl.String))
    found = features(words, np.array([0, 0]), np.array([1, 2]))
    differs = found[:, len(FEATURES) - DIFFERENCE_DIMENSIONS:]
    assert np.allclose(differs[0], 0.0)  # "urgently" differs on one side only
    assert differs[1].sum() != 0  # "DVPNs" / "firearms"
