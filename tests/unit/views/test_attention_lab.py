"""The attention lab's export: the weights a page embeds rebuild chapter 5.3's model exactly (the same
ops the page's TensorFlow.js code runs, here in TensorFlow), and bad input gets a clear error."""

from __future__ import annotations

import base64

import keras
import numpy as np
import pytest
import tensorflow as tf

from elastic_attention.nn import models
from elastic_attention.views import attention_lab as lab


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    m = models.cluttered_classifier("attention")
    # Non-trivial BatchNorm statistics and attention scores, so that a mix-up of their order shows.
    for i in (1, 2, 3):
        bn = m.get_layer(f"bn{i}")
        bn.moving_mean.assign(np.linspace(-0.2, 0.3, 32, dtype="float32"))
        bn.moving_variance.assign(np.linspace(0.5, 2.0, 32, dtype="float32"))
        bn.gamma.assign(np.linspace(0.8, 1.2, 32, dtype="float32"))
        bn.beta.assign(np.linspace(-0.1, 0.1, 32, dtype="float32"))
    m.get_layer("attention_pool").w.assign(np.linspace(-1, 1, 32, dtype="float32"))
    return m


def decode(entry) -> np.ndarray:
    return np.frombuffer(base64.b64decode(entry["data"]), dtype="<f4").reshape(entry["shape"])


def forward_like_the_page(W, images):
    """The page's forward pass (views/assets/attention_lab.js), op for op, in TensorFlow."""
    x = tf.constant(images, tf.float32)
    for i in (1, 2, 3):
        x = tf.nn.conv2d(x, decode(W[f"conv{i}"]), 1, "SAME")
        x = tf.nn.batch_normalization(x, decode(W[f"bn{i}/moving_mean"]), decode(W[f"bn{i}/moving_variance"]),
                                      decode(W[f"bn{i}/beta"]), decode(W[f"bn{i}/gamma"]), W[f"bn{i}/epsilon"])
        x = tf.nn.max_pool2d(tf.nn.relu(x), 2, 2, "VALID")
    H = tf.reshape(x, (len(images), 25, 32))
    s = (tf.einsum("bnf,f->bn", H, decode(W["attention/w"])) + decode(W["attention/b"])) / W["attention/temperature"]
    a = tf.nn.softmax(s)
    logits = tf.einsum("bn,bnf->bf", a, H) @ decode(W["logits/kernel"]) + decode(W["logits/bias"])
    return tf.nn.softmax(logits).numpy(), a.numpy()


def test_exported_weights_rebuild_the_model(model):
    images = np.random.default_rng(0).random((4, 40, 40, 1), dtype=np.float32)
    W = lab.export_weights(model)
    probs, weights = forward_like_the_page(W, images)
    logits, keras_weights = models.attention_explainer(model).predict(images, verbose=0)
    np.testing.assert_allclose(probs, tf.nn.softmax(logits).numpy(), atol=1e-5)
    np.testing.assert_allclose(weights, keras_weights.reshape(4, 25), atol=1e-5)


def test_a_wrong_order_of_batchnorm_parameters_is_caught(model):
    """Negative control: swapping the BatchNorm scale and offset in the export breaks the equality above."""
    images = np.random.default_rng(1).random((2, 40, 40, 1), dtype=np.float32)
    W = dict(lab.export_weights(model))
    W["bn1/gamma"], W["bn1/beta"] = W["bn1/beta"], W["bn1/gamma"]
    probs, _ = forward_like_the_page(W, images)
    logits, _ = models.attention_explainer(model).predict(images, verbose=0)
    assert np.abs(probs - tf.nn.softmax(logits).numpy()).max() > 1e-3


def test_lab_data_holds_digits_scene_and_keras_reference(model):
    digits = np.random.default_rng(2).integers(0, 256, (3, 8, 8)).astype(np.uint8)
    refs = np.random.default_rng(3).random((5, 40, 40, 1))
    data = lab.lab_data(model, digits, [1, 2, 3], refs)
    assert len(data["digits"]) == 3 and len(data["digits"][0]) == 256 and data["labels"] == [1, 2, 3]
    assert len(data["reference"]["probs"]) == 5 and len(data["reference"]["weights"][0]) == 25
    np.testing.assert_allclose(np.sum(data["reference"]["probs"], axis=1), 1, atol=1e-5)
    assert 0 < lab.weight_bytes(data) <= lab.LAB_MAX_WEIGHT_BYTES


def test_lab_html_loads_tfjs_from_the_given_folder_and_has_a_fallback(model):
    digits = np.zeros((2, 8, 8), dtype=np.uint8)
    e = lab.attention_lab(model, digits, [0, 1], np.zeros((4, 40, 40, 1)), script_base="../_static/tfjs/")
    for name in lab.TFJS_SCRIPTS:
        assert f'src="../_static/{name}"' in e.html
    assert 'data-ea-explorer="lab"' in e.html and "-fallback" in e.html and "data:image/png;base64," in e.html
    order = [e.html.index(s) for s in ("tf-core.min.js", "tf-backend-cpu.min.js", "tf-backend-webgl.min.js", "window.eaLab")]
    assert order == sorted(order), "TensorFlow.js must load (core, then backends) before the lab's script"


@pytest.mark.parametrize(("call", "match"), [
    (lambda m: lab.export_weights(models.cluttered_classifier("gap")), "lacks layers"),
    (lambda m: lab.lab_data(m, np.zeros((2, 7, 7)), [0, 1], np.zeros((1, 40, 40, 1))), r"\(N, 8, 8\)"),
    (lambda m: lab.lab_data(m, np.zeros((2, 8, 8)), [0], np.zeros((1, 40, 40, 1))), "labels must have shape"),
    (lambda m: lab.lab_data(m, np.zeros((2, 8, 8)), [0, 1], np.zeros((1, 40, 40))), r"\(N, 40, 40, 1\)"),
    (lambda m: lab.lab_data(m, np.zeros((2, 8, 8)), [0, 1], np.zeros((1, 40, 40, 1)), num_fragments=9), "at most 5"),
])
def test_bad_input(model, call, match):
    with pytest.raises(ValueError, match=match):
        call(model)
