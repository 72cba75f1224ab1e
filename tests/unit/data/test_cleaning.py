"""The cleaning checks find what they define, plant_faults leaves its inputs alone, bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention.data import cleaning, hints


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    centres = rng.random((3, 8, 8))
    labels = np.repeat(np.arange(3), 20)
    images = np.clip(centres[labels] + rng.normal(0, 0.15, (60, 8, 8)), 0, 1)
    return images, labels


def test_find_corrupt_names_each_reason(digits):
    x = digits[0].copy()
    x[1], x[2], x[3] = np.nan, 0.5, 2.0
    found = cleaning.find_corrupt(x)
    assert sorted(found) == [1, 2, 3]
    assert "NaN" in found[1] and "contrast" in found[2] and "outside" in found[3]


def test_duplicates_exact_and_near(digits):
    x = digits[0].copy()
    x[5] = x[4]
    x[7] = np.clip(x[6] + 0.001, 0, 1)
    pairs = cleaning.find_duplicates(x)
    assert (4, 5, "exact") in pairs and (6, 7, "near") in pairs and len(pairs) == 2


def test_suspicious_labels_finds_a_flipped_label(digits):
    x, y = digits
    y = y.copy()
    y[3] = 2
    assert cleaning.suspicious_labels(x, y) == [3]
    assert cleaning.neighbour_votes(x, y, [3]).tolist() == [0]


def test_plant_faults_is_recovered_and_leaves_inputs_alone(digits):
    x, y = digits
    x0, y0 = x.copy(), y.copy()
    xb, yb, planted = cleaning.plant_faults(x, y, corrupt=3, duplicates=3, mislabels=3, seed=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    assert all(len(v) == 3 for v in planted.values())
    assert len(set(sum(planted.values(), []))) == 9
    rec = cleaning.recovery(cleaning.clean_report(xb, yb), planted)
    assert rec["corrupt"] == {"planted": 3, "found": 3, "flagged": 3}
    assert rec["duplicates"]["found"] == 3
    assert rec["mislabels"]["found"] == 3


def test_bad_input_gets_clear_errors(digits):
    x, y = digits
    with pytest.raises(ValueError, match="divide uint8"):
        cleaning.find_duplicates((x * 255).astype(np.uint8))
    with pytest.raises(ValueError, match="shape"):
        cleaning.find_corrupt(x[0])
    with pytest.raises(ValueError, match="one per image"):
        cleaning.suspicious_labels(x, y[:-1])
    with pytest.raises(ValueError, match="min_agree"):
        cleaning.suspicious_labels(x, y, k=3, min_agree=5)
    with pytest.raises(ValueError, match="plant fewer"):
        cleaning.plant_faults(x, y, corrupt=30, duplicates=20, mislabels=0)
    with pytest.raises(ValueError, match="NaN"):
        cleaning.suspicious_labels(np.full_like(x, np.nan), y)


def test_label_hints_flip_at_the_stated_rate():
    labels = np.arange(10).repeat(500)
    clean = hints.label_hints(labels, 0.0)
    assert (clean.argmax(axis=1) == labels).all() and clean.sum(axis=1).tolist() == [1.0] * len(labels)
    noisy = hints.label_hints(labels, 0.3, seed=2)
    assert abs((noisy.argmax(axis=1) != labels).mean() - 0.3) < 0.03
    with pytest.raises(ValueError, match="integers"):
        hints.label_hints(labels.astype(float), 0.1)
    with pytest.raises(ValueError, match="wrong"):
        hints.label_hints(labels, 1.5)
