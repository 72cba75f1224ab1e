"""Tests for the hand-derived backward passes of chapter 4: scaled dot-product and multi-head
attention (nn.attention_grad), the pooling classifier and the seed's update rule."""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf

from elastic_attention.nn import attention_grad, dot_product, pooling_grad
from elastic_attention.nn import softmax as sm
from elastic_attention.train.loops import sgd_weight_decay_step
from elastic_attention.views import gradients as gradient_views
from elastic_attention.views import saturation as saturation_views

matplotlib.use("Agg")


@pytest.fixture(params=[0, 1])
def sdpa_problem(request):
    rng = np.random.default_rng(request.param)
    # Asymmetric on purpose: T != n and d != d_v, so a transpose or a swapped axis shows.
    return rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 6)), rng.standard_normal((3, 6))


def _sdpa_numeric(Q, K, V, dO, mask=None):
    def loss(q, k, v):
        return float(np.sum(dot_product.scaled_dot_product_attention(q, k, v, mask=mask)[0] * dO))

    return {"dQ": sm.numeric_gradient(lambda m: loss(m, K, V), Q),
            "dK": sm.numeric_gradient(lambda m: loss(Q, m, V), K),
            "dV": sm.numeric_gradient(lambda m: loss(Q, K, m), V)}


def test_sdpa_backward_matches_tape_and_finite_differences(sdpa_problem):
    Q, K, V, dO = sdpa_problem
    g = attention_grad.sdpa_backward(Q, K, V, dO)
    tape = attention_grad.sdpa_tape_gradients(Q, K, V, dO)
    numeric = _sdpa_numeric(Q, K, V, dO)
    for name in ("dQ", "dK", "dV"):
        assert sm.relative_error(g[name], tape[name]) < 1e-10, name
        assert sm.relative_error(g[name], numeric[name]) < 1e-6, name
    np.testing.assert_allclose(g["dS"].sum(axis=-1), 0.0, atol=1e-15)


def test_dropping_the_scale_is_caught(sdpa_problem):
    Q, K, V, dO = sdpa_problem
    g = attention_grad.sdpa_backward(Q, K, V, dO)
    numeric = _sdpa_numeric(Q, K, V, dO)
    assert sm.relative_error(g["dS"] @ K, numeric["dQ"]) > 0.4
    assert sm.relative_error(g["dS"].T @ Q, numeric["dK"]) > 0.4


def test_masked_entries_have_zero_weight_and_zero_gradient(sdpa_problem):
    Q, K, V, dO = sdpa_problem
    mask = np.ones((3, 5), dtype=bool)
    mask[:, 2] = False
    mask[1, 0] = False
    g = attention_grad.sdpa_backward(Q, K, V, dO, mask=mask)
    tape = attention_grad.sdpa_tape_gradients(Q, K, V, dO, mask=mask)
    assert np.all(g["A"][~mask] == 0.0) and np.all(g["dS"][~mask] == 0.0)
    assert np.all(g["dK"][2] == 0.0) and np.all(g["dV"][2] == 0.0)
    assert np.all(tape["dK"][2] == 0.0) and np.all(tape["dV"][2] == 0.0)
    numeric = _sdpa_numeric(Q, K, V, dO, mask)
    for name in ("dQ", "dK", "dV"):
        assert sm.relative_error(g[name], tape[name]) < 1e-10, name
        assert sm.relative_error(g[name], numeric[name]) < 1e-6, name


@pytest.mark.parametrize("with_key", [False, True])
def test_mha_backward_matches_keras_float64(with_key):
    rng = np.random.default_rng(5)
    # key_dim=4: Keras rounds 1/sqrt(key_dim) to float32, exact only for powers of 4.
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, dtype="float64")
    query, value = rng.standard_normal((2, 4, 5)), rng.standard_normal((2, 6, 7))
    key = rng.standard_normal((2, 6, 2)) if with_key else None
    out = layer(query, value, key=key)
    weights = dot_product.mha_weights_from_keras(layer)
    dout = rng.standard_normal(out.shape)
    mask = rng.random((2, 4, 6)) < 0.6
    mask[..., 0] = True
    derived = attention_grad.mha_backward(query, value, dout, weights, key=key, mask=mask)
    tape = attention_grad.mha_tape_gradients(layer, query, value, dout, key=key, mask=mask)
    assert set(tape) == set(derived)
    for name in tape:
        if name == "dbk":  # a shift shared by each row of scores: exactly zero, so compare absolutely
            assert np.abs(derived[name]).max() < 1e-13 and np.abs(tape[name]).max() < 1e-13
        else:
            assert sm.relative_error(derived[name], tape[name]) < 1e-10, name


def test_query_gradient_norms_starve_most_queries_without_scaling():
    scaled = attention_grad.query_gradient_norms(1024, True, num_queries=256, seed=0)
    raw = attention_grad.query_gradient_norms(1024, False, num_queries=256, seed=0)
    assert np.median(raw) < 0.05 * np.median(scaled)
    assert np.percentile(raw, 90) > 5 * np.percentile(scaled, 90)
    small = attention_grad.query_gradient_norms(4, True, num_queries=256, seed=0)
    assert 0.66 < np.median(small) / np.median(scaled) < 1.5


def test_classifier_gradients_match_tape_and_sgd_matches_keras():
    rng = np.random.default_rng(0)
    x, labels = rng.random((16, 8, 8)), rng.integers(0, 10, 16)
    theta = pooling_grad.init_classifier(8, 5, 10, seed=1)
    loss, grads = pooling_grad.classifier_loss_grads(theta, x, labels)
    tensors = {k: tf.constant(v) for k, v in theta.items()}
    with tf.GradientTape() as g:
        g.watch(list(tensors.values()))
        loss_tf = pooling_grad.classifier_loss_tf(tensors, x, labels)
    tape = dict(zip(tensors, g.gradient(loss_tf, list(tensors.values())), strict=True))
    assert abs(loss - float(loss_tf)) < 1e-12
    for k in theta:
        if k == "b":
            assert abs(float(grads["db"])) < 1e-15
        else:
            assert sm.relative_error(grads["d" + k], tape[k].numpy()) < 1e-10, k
    # Two steps of the seed's rule equal keras.optimizers.SGD(weight_decay=...) with float32 eta, lambda.
    eta, lam = 0.3, 0.01
    variables = {k: keras.Variable(v, dtype="float64") for k, v in theta.items()}
    opt = keras.optimizers.SGD(learning_rate=eta, weight_decay=lam)
    hand = dict(theta)
    for _ in range(2):
        with tf.GradientTape() as g:
            loss_tf = pooling_grad.classifier_loss_tf(variables, x, labels)
        opt.apply(g.gradient(loss_tf, list(variables.values())), list(variables.values()))
        hand = sgd_weight_decay_step(hand, pooling_grad.classifier_loss_grads(hand, x, labels)[1],
                                     float(np.float32(eta)), float(np.float32(lam)))
    assert max(np.abs(hand[k] - variables[k].numpy()).max() for k in hand) < 1e-13


def test_per_position_bias_learns_and_its_sum_vanishes():
    rng = np.random.default_rng(2)
    x, U, c, w = rng.standard_normal((3, 4, 2)), rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal(3)
    b, target = rng.standard_normal(4), rng.standard_normal((3, 3))
    fwd = pooling_grad.pooling_forward(x, U, c, w, b)
    db = pooling_grad.pooling_backward(x, U, c, w, b, pooling_grad.squared_error(fwd.y, target)[1])["db"]
    numeric = sm.numeric_gradient(lambda v: pooling_grad.pooling_loss(x, U, c, w, v, target), b)
    assert db.shape == (4,) and sm.relative_error(db, numeric) < 1e-6
    assert np.abs(db).max() > 1e-3 and abs(db.sum()) < 1e-14
    assert sm.relative_error(db, pooling_grad.tape_gradients(x, U, c, w, b, target)["db"]) < 1e-10


def test_dropping_the_score_path_changes_dh_only():
    rng = np.random.default_rng(4)
    H = tf.constant(rng.standard_normal((2, 5, 3)))
    w, b, r = tf.constant(rng.standard_normal(3)), tf.constant(0.0, tf.float64), tf.constant(rng.standard_normal((2, 3)))
    grads = {}
    for drop in (False, True):
        with tf.GradientTape() as g:
            g.watch([H, w])
            loss = tf.reduce_sum(pooling_grad.attention_pool_custom_gradient(H, w, b, drop_score_path=drop) * r)
        grads[drop] = [v.numpy() for v in g.gradient(loss, [H, w])]
    assert sm.relative_error(grads[True][0], grads[False][0]) > 1e-2
    assert np.array_equal(grads[True][1], grads[False][1])


def test_new_figures_draw_and_reject_bad_input():
    norms = {(d, sc): attention_grad.query_gradient_norms(d, sc, num_queries=32) for d in (4, 64) for sc in (True, False)}
    fig = saturation_views.query_gradient_figure(norms)
    assert len(fig.axes) == 2 and all(ax.has_data() for ax in fig.axes)
    fig = gradient_views.loss_curve_figure({"run": [2.0, 1.5, 1.0]})
    assert fig.axes[0].has_data()
    with pytest.raises(ValueError, match="empty"):
        gradient_views.loss_curve_figure({})
    with pytest.raises(ValueError, match="query_gradient_norms"):
        saturation_views.query_gradient_figure({(4, True): np.ones(3)})


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: attention_grad.sdpa_backward(np.ones((2, 3)), np.ones((4, 3)), np.ones((4, 2)), np.ones((3, 2))), "dO"),
        (lambda: attention_grad.mha_backward(np.ones((1, 2, 3)), np.ones((1, 2, 3)), np.ones((1, 2, 3)), {}), "weights"),
        (lambda: attention_grad.query_gradient_norms(0, True), "d"),
        (lambda: pooling_grad.pooling_forward(np.ones((1, 2, 3)), np.ones((3, 2)), np.ones(2), np.ones(2), np.ones(3)),
         "one bias per position"),
        (lambda: pooling_grad.classifier_loss_grads(pooling_grad.init_classifier(3, 2, 4), np.ones((2, 5, 3)), [0, 7]),
         "class indices"),
        (lambda: sgd_weight_decay_step({"w": np.ones(2)}, {"dw": np.ones(2)}, 0.1, -1.0), "weight_decay"),
        (lambda: sgd_weight_decay_step({"w": np.ones(2)}, {}, 0.1), "dw"),
    ],
)
def test_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
