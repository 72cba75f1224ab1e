"""FLOP counts checked against hand counts, and the timing helper's input checks (chapter 8.1)."""

import keras
import numpy as np
import pytest

from elastic_attention.nn import cost, models
from elastic_attention.nn.layers import AttentionPooling


def _model(*stack, shape=(8, 8, 3)):
    inputs = keras.Input(shape=shape)
    x = inputs
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x)


def test_conv_dense_pool_by_hand():
    conv = keras.layers.Conv2D(4, 3, padding="same")          # 8*8*4 outputs, each 2*3*3*3 + 1
    pool = keras.layers.MaxPooling2D(2)                       # 4*4*4 outputs, each 3 comparisons
    gap = keras.layers.GlobalAveragePooling2D()               # 64 additions... of 4*4*4 values, 4 divisions
    dense = keras.layers.Dense(5)                             # 5 outputs, each 2*4 + 1
    model = _model(conv, pool, gap, dense)
    rows = {r["type"]: r["flops"] for r in cost.flop_table(model)}
    assert rows["Conv2D"] == 8 * 8 * 4 * (2 * 27 + 1)
    assert rows["MaxPooling2D"] == 4 * 4 * 4 * 3
    assert rows["GlobalAveragePooling2D"] == 4 * 4 * 4 + 4
    assert rows["Dense"] == 5 * (2 * 4 + 1)
    assert cost.count_flops(model) == sum(rows.values())


def test_conv_without_bias_and_strides():
    model = _model(keras.layers.Conv2D(2, 3, strides=2, use_bias=False), shape=(9, 9, 1))
    assert cost.count_flops(model) == 4 * 4 * 2 * (2 * 9)


def test_attention_pooling_by_hand():
    model = _model(AttentionPooling(), shape=(5, 5, 6))
    n, f = 25, 6
    assert cost.count_flops(model) == 2 * n * f + n + 3 * n + 2 * n * f


def test_heads_share_the_trunk_cost():
    flops = {head: cost.count_flops(models.cluttered_classifier(head)) for head in models.HEADS}
    trunk = sum(r["flops"] for r in cost.flop_table(models.cluttered_classifier("gap")) if r["name"][:-1] in
                ("conv", "bn", "relu", "pool"))
    for head, total in flops.items():
        assert trunk < total < 1.01 * trunk, (head, total, trunk)


def test_unknown_layer_is_refused():
    model = _model(keras.layers.LayerNormalization(), shape=(4, 3))
    with pytest.raises(ValueError, match="no FLOP rule"):
        cost.count_flops(model)


def test_not_a_model():
    with pytest.raises(ValueError, match="Keras model"):
        cost.flop_table(np.zeros(3))


def test_time_per_batch_checks_and_returns_every_model():
    model = _model(keras.layers.Dense(2), shape=(3,))
    seconds = cost.time_per_batch({"a": model, "b": model}, np.zeros((4, 3)), repeats=2, warmup=1)
    assert set(seconds) == {"a", "b"} and all(s > 0 for s in seconds.values())
    with pytest.raises(ValueError, match="non-empty dict"):
        cost.time_per_batch({}, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="expects inputs"):
        cost.time_per_batch({"a": model}, np.zeros((4, 5)))
    with pytest.raises(ValueError, match="repeats"):
        cost.time_per_batch({"a": model}, np.zeros((4, 3)), repeats=0)


def test_training_flops_is_three_forward_passes_per_example_seen():
    tiny = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert cost.count_flops(tiny) == 2 * (2 * 4 + 1)
    assert cost.training_flops(tiny, examples=10, epochs=2) == 3 * 18 * 10 * 2
    for bad in ({"examples": 0}, {"examples": 10, "epochs": 1.5}):
        with pytest.raises(ValueError):
            cost.training_flops(tiny, **bad)
