"""Self-check helpers: right answers pass, each typical mistake gets its own hint, bad questions raise."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention import check

S = np.array([1.0, 2.0, 0.5])
H = np.array([[1.0, 0.0], [0.0, 1.0], [4.0, 4.0]])
W = np.array([1.0, 0.5])


def softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def test_result_is_truthy_only_when_correct_and_prints_a_hint():
    right, wrong = check.CheckResult(True, "fine"), check.CheckResult(False, "off", "try this")
    assert right and not wrong
    assert str(right) == "correct: fine" and repr(right) == str(right)
    assert str(wrong) == "not yet: off\n  hint: try this"


def test_softmax_jacobian_right_and_typical_mistakes():
    a = softmax(S)
    J = np.diag(a) - np.outer(a, a)
    assert check.softmax_jacobian(J, S)
    assert check.softmax_jacobian(J.tolist(), S.tolist())
    cases = {
        "signs": -J,
        "other scores": np.diag(a),
        "off-diagonal": np.diag(np.diag(J)) + 0.1 * (1 - np.eye(3)),
        "rows do not sum": J + 0.1 * np.eye(3),
        "differ": J + 0.1 * (np.eye(3) - np.roll(np.eye(3), 1, axis=1)),
        "shape": J[:2],
    }
    for words, answer in cases.items():
        result = check.softmax_jacobian(answer, S)
        assert not result and words in (result.message + result.hint), (words, result)
    assert "NaN" in check.softmax_jacobian(np.full((3, 3), np.nan), S).message
    assert "numbers" in check.softmax_jacobian("J", S).message
    with pytest.raises(ValueError, match="axes"):
        check.softmax_jacobian(J, [[1.0, 2.0]])


def test_attention_pooling_output_right_and_typical_mistakes():
    a = softmax(H @ W + 0.3)
    y = a @ H
    result = check.attention_pooling_output(y, H, W, 0.3)
    assert result and "position 2" in result.message
    assert check.attention_pooling_output(y.astype("float32"), H, W, 0.3)
    mistakes = {
        "plain average": H.mean(axis=0),
        "hard max": H[2],
        "weight vector": a,
        "without softmax": (H @ W + 0.3) @ H,
        "differs": y + 0.05,
    }
    for words, answer in mistakes.items():
        result = check.attention_pooling_output(answer, H, W, 0.3)
        assert not result and words in result.message, (words, result)
        assert result.hint
    with pytest.raises(ValueError, match="features"):
        check.attention_pooling_output(y, H, np.ones(3))
    with pytest.raises(ValueError, match="axes"):
        check.attention_pooling_output(y, H[None], W)


def test_pointing_game_chance_counts_cell_centres():
    # 40x40 image, 5x5 grid of 8-pixel cells: centres at 4, 12, 20, 28, 36.
    box = (10, 10, 26, 30)  # rows 10..25 hold centres 12 and 20; cols 10..29 hold 12, 20, 28
    result = check.pointing_game_chance(6 / 25, box)
    assert result and "6 of the 25" in result.message
    assert "percentage" in check.pointing_game_chance(24.0, box).hint + check.pointing_game_chance(24.0, box).message
    assert "pixels" in check.pointing_game_chance(16 * 20 / 1600, box).message
    assert "one particular cell" in check.pointing_game_chance(1 / 25, box).message
    assert not check.pointing_game_chance(0.5, box)
    assert not check.pointing_game_chance([0.1, 0.2], box)
    with pytest.raises(ValueError, match="top, left, bottom, right"):
        check.pointing_game_chance(0.2, (1, 2, 3))


def test_param_count_on_keras_layers_and_models():
    import keras

    dense = keras.layers.Dense(10)
    dense.build((None, 32))
    assert check.param_count(330, dense)
    assert "biases" in check.param_count(320, dense).message
    assert "too many" in check.param_count(400, dense).message
    assert not check.param_count("lots", dense)

    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(2)(keras.layers.BatchNormalization()(inputs))
    model = keras.Model(inputs, outputs)
    assert check.param_count(model.count_params(), model)
    trainable_only = check.param_count(4 * 2 + 10, model)
    assert not trainable_only and "trainable part" in trainable_only.message

    with pytest.raises(ValueError, match="not built"):
        check.param_count(330, keras.layers.Dense(10))
    with pytest.raises(ValueError, match="Keras layer or model"):
        check.param_count(3, object())


def test_param_count_names_a_skipped_pooling_layer():
    from elastic_attention.nn import models

    dense = models.seed_cnn().layers[-2]  # 2x2x64 = 256 flattened inputs -> 64 units
    assert check.param_count(256 * 64 + 64, dense)
    one = check.param_count(1024 * 64 + 64, dense)
    assert not one and "a 2x2 pooling layer was left out" in one.message and "MaxPooling2D" in one.hint
    two = check.param_count(4096 * 64 + 64, dense)
    assert not two and "2 2x2 pooling layers were left out" in two.message
    assert "too many" in check.param_count(2048 * 64 + 64, dense).message
