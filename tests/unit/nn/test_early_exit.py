"""The early-exit model's exit position and its accuracy-compute curve (chapters 5.5 and 3.5)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.nn import early_exit as X
from elastic_attention.nn import glimpse as G


def test_exit_after_the_first_stage_moves_compute_to_the_late_part():
    keras.utils.set_random_seed(0)
    one, two = X.early_exit_classifier((16, 16, 1), exit_after=1), X.early_exit_classifier((16, 16, 1))
    assert G.count_flops(one.stem) < G.count_flops(two.stem) and G.count_flops(one.late) > G.count_flops(two.late)
    assert one.stem.output.shape[1:] == (8, 8, 32)
    with pytest.raises(ValueError, match="exit_after must be 1 or 2"):
        X.early_exit_classifier(exit_after=3)


def test_exit_curve_matches_predict_elastic():
    keras.utils.set_random_seed(0)
    parts = X.early_exit_classifier((16, 16, 1), exit_after=1)
    images = np.random.default_rng(0).uniform(size=(10, 16, 16, 1)).astype(np.float32)
    labels = np.arange(10)
    curve = X.exit_curve(parts, images, labels, (0.0, 0.105, 1.0))
    for row in curve:
        pred, late = X.predict_elastic(parts, images, row["threshold"])
        assert row["accuracy"] == pytest.approx((pred == labels).mean()) and row["late"] == pytest.approx(late / 10)
    cheap = G.count_flops(parts.stem) + G.count_flops(parts.early)
    assert curve[0]["flops"] == pytest.approx(cheap) and curve[-1]["flops"] == pytest.approx(cheap + G.count_flops(parts.late))
    with pytest.raises(ValueError, match="one length"):
        X.exit_curve(parts, images, labels[:3], (0.5,))
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, 1\]"):
        X.exit_curve(parts, images, labels, (1.5,))


def test_attached_exit_keeps_the_full_models_answers_and_freezes_them():
    from elastic_attention.nn.models import cluttered_classifier

    keras.utils.set_random_seed(0)
    full = cluttered_classifier("attention", input_shape=(16, 16, 1), filters=4)
    images = np.random.default_rng(0).random((6, 16, 16, 1)).astype(np.float32)
    parts = X.attach_early_exit(full)
    np.testing.assert_allclose(parts.late(parts.stem(images)), full(images), rtol=1e-5, atol=1e-6)
    assert parts.early.trainable_weights and not parts.stem.trainable_weights and not parts.late.trainable_weights
    one = X.attach_early_exit(full, exit_after=1)  # the same answers with the cut after stage 1
    np.testing.assert_allclose(one.late(one.stem(images)), full(images), rtol=1e-5, atol=1e-6)


def test_attach_early_exit_names_the_model_it_needs():
    from elastic_attention.nn.models import cluttered_classifier

    with pytest.raises(ValueError, match="has no layer 'conv1'"):
        X.attach_early_exit(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]))
    with pytest.raises(ValueError, match="has no layer 'attention_pool'"):
        X.attach_early_exit(cluttered_classifier("gap", input_shape=(16, 16, 1), filters=4))
