"""Adaptation helpers: drift statistic, BatchNorm statistics, few labels, pseudo-labels (chapter 3.6)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.train import adapt as A


def small_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(3, 3, padding="same", name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def test_adapt_batchnorm_sets_the_statistics_of_the_new_data_and_leaves_the_model_alone():
    model = small_model()
    x = np.random.default_rng(0).normal(3.0, 2.0, (64, 6, 6, 1)).astype(np.float32)
    adapted = A.adapt_batchnorm(model, x)
    feats = np.asarray(keras.Model(model.inputs[0], model.get_layer("conv").output)(x))
    np.testing.assert_allclose(adapted.get_layer("bn").moving_mean.numpy(), feats.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(adapted.get_layer("bn").moving_variance.numpy(), feats.var(axis=(0, 1, 2)), rtol=1e-4)
    np.testing.assert_array_equal(model.get_layer("bn").moving_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(adapted.get_layer("conv").kernel.numpy(), model.get_layer("conv").kernel.numpy())
    with pytest.raises(ValueError, match="at least two"):
        A.adapt_batchnorm(model, x[:1])


def test_drift_statistic_and_threshold():
    conf = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]])
    assert A.confidence_drift(conf, 0.9) == pytest.approx(0.9 - 0.75)
    reference, threshold = A.drift_threshold(conf, batch_size=2, quantile=0.99, seed=0)
    assert reference == pytest.approx(0.75) and threshold == pytest.approx(0.1, abs=1e-9)
    with pytest.raises(ValueError, match="larger than the 4 reference rows"):
        A.drift_threshold(conf, batch_size=5)
    with pytest.raises(ValueError, match="reference_confidence must lie in"):
        A.confidence_drift(conf, 1.5)


def test_few_labels_and_pseudo_labels():
    labels = np.array([0, 1, 0, 1, 1, 0, 2, 2])
    idx = A.few_labels(labels, 2, seed=1)
    assert np.bincount(labels[idx]).tolist() == [2, 2, 2]
    with pytest.raises(ValueError, match="class 2 has only 2"):
        A.few_labels(labels, 3)
    keep, lab = A.pseudo_labels(np.array([[0.95, 0.05], [0.5, 0.5], [0.08, 0.92]]), 0.9)
    assert keep.tolist() == [0, 2] and lab.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, 1\]"):
        A.pseudo_labels(np.array([[1.0, 0.0]]), 1.1)


def test_fine_tune_returns_a_trained_copy_with_frozen_batchnorm():
    model = small_model()
    x = np.random.default_rng(0).normal(size=(32, 6, 6, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(int)
    tuned, cost = A.fine_tune(model, x, y, epochs=2, batch_size=16)
    assert cost["steps"] == 4 and cost["examples"] == 32
    assert not np.array_equal(tuned.get_layer("conv").kernel.numpy(), model.get_layer("conv").kernel.numpy())
    np.testing.assert_array_equal(tuned.get_layer("bn").moving_mean.numpy(), model.get_layer("bn").moving_mean.numpy())
    with pytest.raises(ValueError, match="equal length"):
        A.fine_tune(model, x, y[:3])
