import keras
import numpy as np
import pytest

from elastic_attention.nn.layers import AttentionPooling


def _layer_with(w, b=0.0, **kwargs):
    layer = AttentionPooling(**kwargs)
    layer.build((None, None, len(w)))
    layer.set_weights([np.asarray(w, dtype="float32"), np.asarray(b, dtype="float32")])
    return layer


def test_shapes_rank3_and_rank4():
    rng = np.random.default_rng(0)
    layer = AttentionPooling()
    y, a = layer(rng.normal(size=(2, 7, 4)).astype("float32"), return_attention_scores=True)
    assert tuple(y.shape) == (2, 4) and tuple(a.shape) == (2, 7)
    y, a = layer(rng.normal(size=(3, 5, 6, 4)).astype("float32"), return_attention_scores=True)
    assert tuple(y.shape) == (3, 4) and tuple(a.shape) == (3, 5, 6)
    assert tuple(layer(rng.normal(size=(3, 5, 6, 4)).astype("float32")).shape) == (3, 4)


def test_weights_sum_to_one_and_match_formula():
    rng = np.random.default_rng(1)
    H = rng.normal(size=(4, 9, 3)).astype("float32")
    w = rng.normal(size=3).astype("float32")
    y, a = _layer_with(w, 0.7)(H, return_attention_scores=True)
    a = np.asarray(a)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-6)
    s = H @ w + 0.7
    expected_a = np.exp(s - s.max(1, keepdims=True))
    expected_a /= expected_a.sum(1, keepdims=True)
    np.testing.assert_allclose(a, expected_a, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.asarray(y), np.einsum("bn,bnf->bf", expected_a, H), rtol=1e-5, atol=1e-6)


def test_dominant_position_takes_the_weight():
    H = np.zeros((1, 6, 2), dtype="float32")
    H[0, 4] = [10.0, 10.0]
    y, a = _layer_with([1.0, 1.0])(H, return_attention_scores=True)
    a = np.asarray(a)[0]
    assert a.argmax() == 4 and a[4] > 0.999
    np.testing.assert_allclose(np.asarray(y)[0], H[0, 4], rtol=1e-3)


def test_zero_init_is_average_pooling():
    H = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")
    y = AttentionPooling()(H)
    np.testing.assert_allclose(np.asarray(y), H.mean(axis=1), rtol=1e-5, atol=1e-6)


def test_config_round_trip_and_saving(tmp_path):
    layer = AttentionPooling(temperature=0.5, name="pool")
    clone = AttentionPooling.from_config(layer.get_config())
    assert clone.temperature == 0.5 and clone.name == "pool"
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, keras.layers.Dense(2)(AttentionPooling(name="pool")(inputs)))
    x = np.random.default_rng(3).normal(size=(2, 4, 4, 3)).astype("float32")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 4, 5, 6)])
def test_bad_rank_is_a_clear_error(shape):
    with pytest.raises(ValueError, match="expects .*rank"):
        AttentionPooling()(np.zeros(shape, dtype="float32"))


def test_bad_temperature():
    with pytest.raises(ValueError, match="temperature must be a positive"):
        AttentionPooling(temperature=0)


def test_bias_has_zero_gradient():
    import tensorflow as tf

    layer = AttentionPooling()
    H = tf.constant(np.random.default_rng(4).normal(size=(3, 5, 2)).astype("float32"))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(H) ** 2)
    grad_w, grad_b = tape.gradient(loss, [layer.w, layer.b])
    assert float(tf.abs(grad_b)) < 1e-5 and float(tf.reduce_max(tf.abs(grad_w))) > 1e-3
