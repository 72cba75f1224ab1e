"""Calibration, ECE and the abstain rule (chapter 3.4)."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention.nn import calibration as cal


def test_ece_of_a_hand_worked_example():
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.8, 0.2]])
    labels = np.array([0, 1, 0])
    r = cal.reliability(probs, labels, bins=2)
    assert r.counts.tolist() == [0, 3]
    assert cal.expected_calibration_error(probs, labels, bins=2) == pytest.approx(2.3 / 3 - 2 / 3)


def test_perfectly_calibrated_samples_have_small_ece():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1.0, 20000)
    right = rng.uniform(size=conf.size) < conf
    probs = np.stack([conf, 1 - conf], axis=1)
    labels = np.where(right, 0, 1)
    assert cal.expected_calibration_error(probs, labels) < 0.02


def test_temperature_recovers_the_scale_of_overconfident_logits():
    rng = np.random.default_rng(1)
    true_logits = rng.normal(0, 2, (5000, 5))
    labels = np.array([rng.choice(5, p=p) for p in cal.scaled_probs(true_logits)])
    t = cal.fit_temperature(3.0 * true_logits, labels)
    assert t == pytest.approx(3.0, rel=0.1)
    assert cal.nll(3.0 * true_logits, labels, t) < cal.nll(3.0 * true_logits, labels)


def test_decision_costs_and_best_threshold():
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.8, 0.2]])
    labels = np.array([0, 1, 0])
    np.testing.assert_allclose(cal.decision_costs(probs, labels, [0.0, 0.7, 1.0]), [1 / 3, 0.2 / 3, 0.2])
    assert 0.6 < cal.best_threshold(probs, labels) <= 0.8


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan")])
def test_threshold_outside_unit_interval_is_refused(threshold):
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, 1\]"):
        cal.decision_costs(np.array([[0.5, 0.5]]), np.array([0]), [threshold])


def test_bad_probabilities_and_labels_are_refused():
    with pytest.raises(ValueError, match="apply a softmax"):
        cal.reliability(np.array([[2.0, 1.0]]), np.array([0]))
    with pytest.raises(ValueError, match="integer class indices"):
        cal.reliability(np.array([[0.5, 0.5]]), np.array([0.0]))
    with pytest.raises(ValueError, match="low < high"):
        cal.fit_temperature(np.zeros((2, 2)), np.array([0, 1]), bounds=(2.0, 1.0))
    with pytest.raises(ValueError, match="temperature"):
        cal.nll(np.zeros((2, 2)), np.array([0, 1]), temperature=0.0)
