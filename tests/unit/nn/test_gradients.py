"""Tests for elastic_attention.nn (softmax, pooling_grad, dot_product) and the chapter-4 views (chapter 4)."""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf

from elastic_attention.nn import dot_product, pooling_grad
from elastic_attention.nn import softmax as sm
from elastic_attention.nn.layers import AttentionPooling, CustomGradientAttentionPooling
from elastic_attention.train.loops import train_losses
from elastic_attention.views import saturation as saturation_views
from elastic_attention.views import softmax as softmax_views

matplotlib.use("Agg")

TOL = 1e-6


@pytest.fixture(params=[0, 1])
def problem(request):
    rng = np.random.default_rng(request.param)
    B, N, F_in, H = 2, 5, 4, 3
    return {
        "x": rng.standard_normal((B, N, F_in)),
        "U": 0.5 * rng.standard_normal((F_in, H)),
        "c": 0.1 * rng.standard_normal(H),
        "w": rng.standard_normal(H),
        "b": np.array(0.3),
        "target": rng.standard_normal((B, H)),
    }


def _args(p):
    return p["x"], p["U"], p["c"], p["w"], p["b"]


def test_softmax_matches_tensorflow_and_is_shift_invariant():
    s = np.array([[1.0, 2.0, -3.0], [1000.0, 1001.0, 999.0]])
    np.testing.assert_allclose(sm.softmax(s), tf.nn.softmax(s).numpy(), rtol=1e-12)
    np.testing.assert_allclose(sm.softmax(s + 7.5), sm.softmax(s), rtol=1e-12)


def test_jacobian_matches_finite_differences_and_rows_sum_to_zero():
    s = np.array([0.3, -1.2, 2.0, 0.1])
    J = sm.softmax_jacobian(sm.softmax(s))
    numeric = np.stack([sm.numeric_gradient(lambda v, i=i: sm.softmax(v)[i], s) for i in range(4)])
    assert sm.relative_error(J, numeric) < TOL
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(J, J.T, atol=1e-15)


@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_derived_gradients_match_tape_and_finite_differences(problem, temperature):
    p = problem
    fwd = pooling_grad.pooling_forward(*_args(p), temperature)
    _, dy = pooling_grad.squared_error(fwd.y, p["target"])
    derived = pooling_grad.pooling_backward(*_args(p), dy, temperature)
    tape = pooling_grad.tape_gradients(*_args(p), p["target"], temperature)
    for name in ("x", "U", "c", "w"):

        def loss(v, name=name):
            q = dict(p, **{name: v})
            return pooling_grad.pooling_loss(*_args(q), q["target"], temperature)

        numeric = sm.numeric_gradient(loss, p[name])
        assert sm.relative_error(derived["d" + name], tape["d" + name]) < TOL, name
        assert sm.relative_error(derived["d" + name], numeric) < TOL, name


def test_bias_gradient_is_zero(problem):
    p = problem
    fwd = pooling_grad.pooling_forward(*_args(p))
    _, dy = pooling_grad.squared_error(fwd.y, p["target"])
    derived = pooling_grad.pooling_backward(*_args(p), dy)
    assert abs(float(derived["db"])) < 1e-12
    assert abs(float(pooling_grad.tape_gradients(*_args(p), p["target"])["db"])) < 1e-12
    numeric = sm.numeric_gradient(lambda v: pooling_grad.pooling_loss(p["x"], p["U"], p["c"], p["w"], v, p["target"]), p["b"])
    assert abs(float(numeric)) < 1e-9
    # ds sums to zero over positions for every example: the reason db vanishes.
    np.testing.assert_allclose(derived["ds"].sum(axis=1), 0.0, atol=1e-14)
    # ... while dw does not vanish, so the check above is not vacuous.
    assert np.linalg.norm(derived["dw"]) > 1e-3


def test_custom_gradient_matches_autodiff_float64():
    rng = np.random.default_rng(3)
    H = tf.constant(rng.standard_normal((3, 6, 4)))
    w = tf.constant(rng.standard_normal(4))
    b = tf.constant(0.7, dtype=tf.float64)
    r = tf.constant(rng.standard_normal((3, 4)))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([H, w, b])
        y_custom = pooling_grad.attention_pool_custom_gradient(H, w, b, temperature=0.7)
        a = tf.nn.softmax((tf.einsum("bnf,f->bn", H, w) + b) / 0.7)
        y_auto = tf.einsum("bn,bnf->bf", a, H)
        l_custom = tf.reduce_sum(y_custom * r)
        l_auto = tf.reduce_sum(y_auto * r)
    np.testing.assert_allclose(y_custom.numpy(), y_auto.numpy(), rtol=1e-12)
    for gc, ga in zip(tape.gradient(l_custom, [H, w]), tape.gradient(l_auto, [H, w]), strict=True):
        assert sm.relative_error(gc.numpy(), ga.numpy()) < 1e-12
    assert abs(float(tape.gradient(l_custom, b))) < 1e-12


def _pooling_model(layer_cls, seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8))
    h = keras.layers.Dense(6, activation="tanh")(inputs)
    y = layer_cls(score_initializer="random_normal")(h)
    return keras.Model(inputs, keras.layers.Dense(10)(y))


def test_custom_gradient_layer_trains_like_autodiff():
    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8)).astype("float32")
    labels = rng.integers(0, 10, 64)
    auto = _pooling_model(AttentionPooling, 0)
    custom = _pooling_model(CustomGradientAttentionPooling, 1)
    custom.set_weights(auto.get_weights())
    la = train_losses(auto, x, labels, steps=6, batch_size=32, learning_rate=0.5)
    lc = train_losses(custom, x, labels, steps=6, batch_size=32, learning_rate=0.5)
    np.testing.assert_allclose(lc, la, rtol=1e-5)
    assert la[-1] < la[0]
    for wa, wc in zip(auto.get_weights(), custom.get_weights(), strict=True):
        np.testing.assert_allclose(wc, wa, rtol=1e-4, atol=1e-6)
    # The layer round-trips through its config.
    layer = custom.layers[2]
    clone = CustomGradientAttentionPooling.from_config(layer.get_config())
    assert clone.temperature == layer.temperature


@pytest.mark.parametrize("use_mask", [False, True])
def test_mha_from_scratch_equals_keras(use_mask):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    layer = keras.layers.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=5)
    query = rng.standard_normal((2, 5, 6)).astype("float32")
    value = rng.standard_normal((2, 7, 8)).astype("float32")
    mask = None
    if use_mask:
        mask = rng.random((2, 5, 7)) > 0.4
        mask[..., 0] = True
    out_k, attn_k = layer(query, value, attention_mask=mask, return_attention_scores=True)
    out, attn = dot_product.multi_head_attention(query, value, weights=dot_product.mha_weights_from_keras(layer), mask=mask)
    assert sm.relative_error(out, out_k.numpy()) < 1e-5
    assert sm.relative_error(attn, attn_k.numpy()) < 1e-5
    np.testing.assert_allclose(attn.sum(-1), 1.0, atol=1e-12)


def test_scaled_dot_product_attention_on_identity():
    # Orthogonal, strongly scaled keys: each query picks out its own value.
    Q = K = 50 * np.eye(3)
    V = np.arange(6.0).reshape(3, 2)
    out, weights = dot_product.scaled_dot_product_attention(Q, K, V)
    np.testing.assert_allclose(weights, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(out, V, atol=1e-9)


def test_saturation_stats_show_the_sqrt_d_effect():
    raw = dot_product.saturation_stats([4, 256], num_samples=300, scaled=False)
    scaled = dot_product.saturation_stats([4, 256], num_samples=300, scaled=True)
    np.testing.assert_allclose(raw["score_std"] / np.sqrt([4, 256]), 1.0, rtol=0.1)
    np.testing.assert_allclose(scaled["score_std"], 1.0, rtol=0.1)
    assert raw["max_weight"][1] > 0.8 > scaled["max_weight"][1]
    assert raw["jacobian_norm"][1] < 0.5 * scaled["jacobian_norm"][1]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sm.softmax(np.array([1.0, np.nan])), "NaN"),
        (lambda: sm.softmax(3.0), "scalar"),
        (lambda: sm.softmax_jacobian([0.5, 0.7]), "softmax weights"),
        (lambda: sm.relative_error(np.ones(3), np.ones(4)), "same shape"),
        (lambda: sm.numeric_gradient(lambda v: v.sum(), np.ones(2), eps=0), "eps"),
        (lambda: sm.numeric_gradient(lambda v: v, np.ones(2)), "scalar"),
        (lambda: pooling_grad.pooling_forward(np.ones((2, 3)), np.ones((3, 2)), np.ones(2), np.ones(2), 0.0), "rank 3"),
        (lambda: pooling_grad.pooling_forward(np.ones((1, 2, 3)), np.ones((4, 2)), np.ones(2), np.ones(2), 0.0), "in_features"),
        (lambda: pooling_grad.pooling_forward(np.ones((1, 2, 3)), np.ones((3, 2)), np.ones(2), np.ones(2), 0.0, -1.0),
         "temperature"),
        (lambda: pooling_grad.pooling_backward(np.ones((1, 2, 3)), np.ones((3, 2)), np.ones(2), np.ones(2), 0.0, np.ones((1, 3))),
         "shape of y"),
        (lambda: dot_product.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4))), "d_k"),
        (lambda: dot_product.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((3, 4))), "positions"),
        (lambda: dot_product.scaled_dot_product_attention(np.ones((1, 2)), np.ones((2, 2)), np.ones((2, 2)), mask=[[False, False]]),
         "at least one True"),
        (lambda: dot_product.multi_head_attention(np.ones((1, 2, 3)), np.ones((1, 2, 3))), "weights is required"),
        (lambda: dot_product.mha_weights_from_keras(keras.layers.MultiHeadAttention(2, 2)), "not built"),
        (lambda: pooling_grad.attention_pool_custom_gradient(np.ones((2, 3)), np.ones(3), 0.0), "batch, positions"),
        (lambda: pooling_grad.attention_pool_custom_gradient(np.ones((1, 2, 3)), np.ones(4), 0.0), "match the features"),
        (lambda: dot_product.saturation_stats([0, 4]), "positive integers"),
        (lambda: softmax_views.softmax_temperature_figure([1.0]), "at least two"),
    ],
)
def test_bad_input_raises_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_figures_are_drawn():
    import matplotlib.pyplot as plt

    for fig in (
        softmax_views.softmax_temperature_figure(),
        softmax_views.temperature_sweep_figure(),
        saturation_views.saturation_figure(dims=(2, 8, 32), num_samples=20),
        saturation_views.dot_product_weights_figure(dims=(4, 16)),
    ):
        assert fig.axes and all(ax.has_data() for ax in fig.axes)
        plt.close(fig)


def test_widgets_build():
    pytest.importorskip("ipywidgets")
    box = softmax_views.softmax_viewer()
    assert len(box.children) == 2
    sliders = box.children[0].children[0].children
    sliders[0].value = -2.0  # triggers a redraw without error
    box2 = saturation_views.saturation_viewer()
    box2.children[0].children[1].value = True
