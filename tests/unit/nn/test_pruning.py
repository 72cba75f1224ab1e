"""Magnitude pruning: exact sparsity, smallest weights first, the original model untouched."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.nn import models, pruning


def test_mask_zeroes_the_smallest_magnitudes():
    w = np.array([[0.1, -3.0], [-0.2, 2.0]])
    mask = pruning.magnitude_mask(w, 0.5)
    assert mask.tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert pruning.magnitude_mask(w, 0.0).sum() == 4 and pruning.magnitude_mask(w, 1.0).sum() == 0


def test_prune_model_reaches_the_sparsity_and_leaves_the_original():
    model = models.cluttered_classifier("attention")
    before = [w.copy() for w in model.get_weights()]
    pruned = pruning.prune_model(model, 0.8)
    assert pruning.kernel_sparsity(pruned) == pytest.approx(0.8, abs=0.01)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    x = np.random.default_rng(0).random((2, 40, 40, 1), dtype=np.float32)
    assert pruned(x).shape == (2, 10)


@pytest.mark.parametrize("sparsity", [-0.1, 1.5, True])
def test_bad_sparsity_is_refused(sparsity):
    with pytest.raises(ValueError, match="sparsity"):
        pruning.magnitude_mask(np.ones((2, 2)), sparsity)


def test_bad_model_is_refused():
    with pytest.raises(ValueError, match="keras.Model"):
        pruning.prune_model("model", 0.5)
    tiny = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no kernel"):
        pruning.kernel_sparsity(tiny)
