"""The softmax classifier behind FAQ matching: what it learns and what it refuses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understanding.softmax import Sample, SoftmaxRegression


def _toy() -> list[Sample]:
    """Three classes told apart by one word each, with a word they all share."""
    samples = []
    for label, word in enumerate(["fine", "price", "weather"]):
        for extra in ("a", "b", "c"):
            samples.append(Sample({word: 1.0, "insurance": 1.0, extra: 0.5}, label))
    return samples


def test_it_learns_which_word_marks_which_class():
    model = SoftmaxRegression.fit(_toy(), 3, c=10.0)
    for label, word in enumerate(["fine", "price", "weather"]):
        probs = model.probabilities({word: 1.0, "insurance": 1.0})
        assert int(np.argmax(probs)) == label
        assert probs[label] > 0.8


def test_a_shared_word_alone_says_nothing():
    model = SoftmaxRegression.fit(_toy(), 3, c=10.0)
    probs = model.probabilities({"insurance": 1.0})
    assert max(probs) - min(probs) < 0.05


def test_unknown_features_leave_only_the_prior():
    model = SoftmaxRegression.fit(_toy(), 3, c=10.0)
    assert np.allclose(model.probabilities({"never seen": 1.0}), model.probabilities({}))


def test_stronger_regularisation_is_less_sure():
    sure = SoftmaxRegression.fit(_toy(), 3, c=100.0).probabilities({"fine": 1.0})
    unsure = SoftmaxRegression.fit(_toy(), 3, c=0.01).probabilities({"fine": 1.0})
    assert sure[0] > unsure[0] > 1 / 3


def test_a_sample_weight_counts_like_repeating_the_sample():
    once = [Sample({"x": 1.0}, 0, 2.0), Sample({"y": 1.0}, 1)]
    twice = [Sample({"x": 1.0}, 0), Sample({"x": 1.0}, 0), Sample({"y": 1.0}, 1)]
    a = SoftmaxRegression.fit(once, 2, c=1.0).probabilities({"x": 1.0})
    b = SoftmaxRegression.fit(twice, 2, c=1.0).probabilities({"x": 1.0})
    assert np.allclose(a, b, atol=1e-4)


def test_a_feature_below_the_minimum_count_is_not_learned():
    samples = [Sample({"common": 1.0, "rare": 1.0}, 0), Sample({"common": 1.0}, 0), Sample({"other": 1.0}, 1),
               Sample({"other": 1.0}, 1)]
    model = SoftmaxRegression.fit(samples, 2, c=10.0, min_count=2)
    assert np.allclose(model.probabilities({"rare": 1.0}), model.probabilities({}))
    assert model.probabilities({"common": 1.0})[0] > 0.8


def test_a_class_without_samples_is_never_the_answer():
    model = SoftmaxRegression.fit(_toy(), 4, c=1.0)
    for word in ("fine", "price", "weather", "anything"):
        assert int(np.argmax(model.probabilities({word: 1.0}))) != 3


@pytest.mark.parametrize(
    "samples, n_classes, c, message",
    [
        ([], 2, 1.0, "no training samples"),
        ([Sample({"x": 1.0}, 2)], 2, 1.0, "label 2"),
        ([Sample({"x": 1.0}, 0)], 2, 0.0, "positive"),
    ],
)
def test_bad_training_input_is_refused(samples, n_classes, c, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxRegression.fit(samples, n_classes, c)


def test_training_is_deterministic():
    a = SoftmaxRegression.fit(_toy(), 3, c=1.0).probabilities({"price": 1.0, "a": 0.5})
    b = SoftmaxRegression.fit(_toy(), 3, c=1.0).probabilities({"price": 1.0, "a": 0.5})
    assert np.array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["fine", "price", "weather", "a", "b", "zzz"]),
                       st.floats(min_value=0.0, max_value=50.0), max_size=6))
def test_probabilities_are_a_distribution_for_any_features(features):
    probs = SoftmaxRegression.fit(_toy(), 3, c=1.0).probabilities(features)
    assert probs.shape == (3,)
    assert all(0.0 <= p <= 1.0 for p in probs) and math.isclose(float(probs.sum()), 1.0, rel_tol=1e-9)
