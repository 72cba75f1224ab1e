"""Look, then glimpse: crops, attention centres, FLOP counts and the elastic pipeline (chapter 3.5)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.nn import glimpse as G
from elastic_attention.nn import models


def test_downsample_averages_blocks():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_allclose(G.downsample(x)[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    with pytest.raises(ValueError, match="not divisible"):
        G.downsample(np.zeros((1, 5, 5, 1)))


def test_attention_centres_follow_the_peak_and_the_runner_up():
    w = np.zeros((1, 10, 10))
    w[0, 2, 7] = 0.6
    w[0, 8, 1] = 0.3
    w[0, 2, 8] = 0.1
    peak = G.attention_centres(w, (40, 40))[0]
    # weighted mean of columns 7 (0.6) and 8 (0.1) in row 2, cells of 4 pixels
    np.testing.assert_allclose(peak, [2.5 * 4, (7 + 0.1 / 0.7 + 0.5) * 4])
    np.testing.assert_allclose(G.attention_centres(w, (40, 40), rank=1)[0], [8.5 * 4, 1.5 * 4])
    with pytest.raises(ValueError, match="rank"):
        G.attention_centres(w, (40, 40), rank=2)


def test_extract_crops_centres_and_clamps():
    images = np.arange(2 * 10 * 10, dtype=np.float32).reshape(2, 10, 10, 1)
    crops = G.extract_crops(images, np.array([[5.0, 5.0], [0.0, 10.0]]), 4)
    np.testing.assert_array_equal(crops[0], images[0, 3:7, 3:7])
    np.testing.assert_array_equal(crops[1], images[1, 0:4, 6:10])  # moved inside the canvas
    with pytest.raises(ValueError, match="larger than the 10x10 canvas"):
        G.extract_crops(images, np.zeros((2, 2)), 11)
    with pytest.raises(ValueError, match="centres must be"):
        G.extract_crops(images, np.zeros((3, 2)), 4)


def test_count_flops_matches_a_hand_count():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.ReLU()(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(3)(x))
    conv = 2 * 8 * 8 * 9 * 1 * 4
    assert G.count_flops(model) == conv + 8 * 8 * 4 + 8 * 8 * 4 + 2 * 4 * 3


def test_count_flops_refuses_unknown_layers():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.LayerNormalization()(inputs))
    with pytest.raises(ValueError, match="does not know layer"):
        G.count_flops(model)


def test_locator_is_a_small_share_of_the_full_model():
    full = models.cluttered_classifier("attention")
    share = G.count_flops(G.locator_classifier()) / G.count_flops(full)
    assert 0.05 < share < 0.10


def test_look_then_glimpse_runs_and_validates():
    keras.utils.set_random_seed(0)
    loc, gl = G.locator_classifier(), G.glimpse_classifier(16)
    images = np.random.default_rng(0).uniform(size=(6, 40, 40, 1)).astype(np.float32)
    # untrained: uniform-ish softmax, so threshold 1 sends every canvas to the glimpse
    out = G.look_then_glimpse(loc, gl, images, threshold=1.0, second_below=1.0)
    assert out.glimpsed.all() and out.second.all() and out.predictions.shape == (6,)
    assert out.flops == pytest.approx(40 * 40 + G.count_flops(loc) + 2 * G.count_flops(gl))
    alone = G.look_then_glimpse(loc, gl, images, threshold=0.0)
    assert not alone.glimpsed.any() and alone.flops == pytest.approx(40 * 40 + G.count_flops(loc))
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, 1\]"):
        G.look_then_glimpse(loc, gl, images, threshold=1.2)


def test_vote_sums_the_glimpses_and_the_weighted_locator():
    loc = np.array([[0.1, 0.9, 0.0], [0.2, 0.8, 0.0]])
    first = np.array([[0.6, 0.4, 0.0], [0.0, 0.55, 0.45]])
    second = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.6]])
    np.testing.assert_array_equal(G.vote(loc, first, second), [0, 2])  # the second glimpse outvotes the first
    np.testing.assert_array_equal(G.vote(loc, first, second, locator_weight=1.0), [1, 1])
    with pytest.raises(ValueError, match="one shape"):
        G.vote(loc, first, second[:1])
    with pytest.raises(ValueError, match=r"locator_weight must lie in \[0, 1\]"):
        G.vote(loc, first, second, locator_weight=2.0)


def test_combine_matches_look_then_glimpse():
    keras.utils.set_random_seed(1)
    loc, gl = G.locator_classifier(), G.glimpse_classifier(16)
    images = np.random.default_rng(1).uniform(size=(8, 40, 40, 1)).astype(np.float32)
    out = G.all_outputs(loc, gl, images)
    for rule in ((1.0, 1.0, 0.0), (1.0, 0.15, 0.5), (0.11, 0.2, 1.0)):
        pred, flops = G.combine(out, *rule)
        run = G.look_then_glimpse(loc, gl, images, *rule)
        np.testing.assert_array_equal(pred, run.predictions)
        assert flops == pytest.approx(run.flops)
