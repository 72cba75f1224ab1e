"""Chapter 6's models build, output one logit (or one per intent), expose weights that sum to one,
and refuse an unknown pooling; the traffic controllers follow their rule."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention.nn import applications as app
from elastic_attention.nn import traffic


def _sums_to_one(a):
    assert np.allclose(np.asarray(a).sum(axis=-1), 1, atol=1e-5)


def test_click_models():
    rng = np.random.default_rng(0)
    h, c = rng.integers(0, 30, (4, 6)), rng.integers(0, 30, 4)
    for pooling in app.POOLINGS["click"]:
        m = app.click_model(30, 6, pooling)
        assert m.model.predict([h, c], verbose=0).shape == (4, 1)
        assert (m.explainer is None) == (pooling == "mean")
    _sums_to_one(app.click_model(30, 6).explainer.predict([h, c], verbose=0))


def test_intent_model_masks_padding():
    m = app.intent_model(20, 7, "attention", sequence_length=5)
    ids = np.array([[3, 4, 0, 0, 0], [5, 6, 7, 8, 9]])
    assert m.model.predict(ids, verbose=0).shape == (2, 7)
    a = m.explainer.predict(ids, verbose=0)
    _sums_to_one(a)
    assert np.all(a[0, 2:] < 1e-6)
    assert app.intent_model(20, 7, "bow").model.predict(np.zeros((2, 20)), verbose=0).shape == (2, 7)


def test_fraud_mil_and_tabular_models():
    x = np.random.default_rng(1).normal(size=(3, 10, 5)).astype("float32")
    for pooling in app.POOLINGS["fraud"]:
        assert app.fraud_model(10, 5, pooling).model.predict(x, verbose=0).shape == (3, 1)
    bags = np.random.default_rng(2).random((3, 4, 8, 8)).astype("float32")
    for pooling in app.POOLINGS["mil"]:
        m = app.mil_model(4, pooling=pooling)
        assert m.model.predict(bags, verbose=0).shape == (3, 1)
        if m.explainer is not None:
            _sums_to_one(m.explainer.predict(bags, verbose=0))
    tab = app.feature_attention_model(6)
    _sums_to_one(tab.explainer.predict(np.ones((2, 6), "float32"), verbose=0))


def test_mil_attention_follows_its_formula():
    layer = app.MILAttention(hidden=3)
    h = np.random.default_rng(0).normal(size=(2, 4, 5)).astype("float32")
    z, a = layer(h)
    V, bV = layer.V.get_weights()
    (w,) = layer.w.get_weights()
    s = np.tanh(h @ V + bV) @ w[:, 0]
    expected = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(a), expected, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(z), np.einsum("bk,bkm->bm", expected, h), rtol=1e-5)


@pytest.mark.parametrize("build", [lambda: app.click_model(10, 3, "max"), lambda: app.fraud_model(5, 2, "first"),
                                   lambda: app.mil_model(4, pooling="median"), lambda: app.intent_model(10, 3, "cnn")])
def test_unknown_pooling_is_refused(build):
    with pytest.raises(ValueError, match="unknown pooling"):
        build()


def test_controllers():
    att = traffic.AttentionController(temperature=1.0, min_green=2)
    assert att(np.array([0, 0, 9, 9]), 0, 0) == 0  # minimum green not reached yet
    assert att(np.array([0, 0, 9, 9]), 0, 2) == 1
    assert att(np.array([5, 5, 1, 1]), 0, 5) == 0
    assert len(att.weights) == 3
    fixed = traffic.FixedTimeController((3, 1))
    assert fixed(None, 0, 2) == 0 and fixed(None, 0, 3) == 1 and fixed(None, 1, 1) == 0
    np.testing.assert_allclose(traffic.lane_attention([1, 1, 1, 1]), 0.25)
    with pytest.raises(ValueError, match="negative"):
        traffic.lane_attention([1, -1, 0, 0])
    with pytest.raises(ValueError, match="one per phase"):
        traffic.FixedTimeController((1, 2, 3))
