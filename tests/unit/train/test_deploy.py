"""Deployment helpers: TFLite conversion, SavedModel export, autoscaling rule, confidence drift."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.train import deploy


@pytest.fixture(scope="module")
def tiny():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
    x = np.random.default_rng(0).random((32, 6, 6, 1), dtype=np.float32)
    return model, x


def test_tflite_float_matches_keras_and_int8_is_close(tiny):
    model, x = tiny
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(deploy.tflite_logits(deploy.to_tflite(model), x), expected, atol=1e-4)
    for mode in ("int8", "dynamic"):
        out = deploy.tflite_logits(deploy.to_tflite(model, x if mode == "int8" else None, mode=mode), x)
        assert out.shape == expected.shape and np.abs(out - expected).max() < 0.1 * np.abs(expected).max() + 1e-3


def test_bad_inputs_are_refused(tiny, tmp_path):
    model, x = tiny
    with pytest.raises(ValueError, match="representative"):
        deploy.to_tflite(model, x[:, :, :, 0])
    with pytest.raises(ValueError, match="representative"):
        deploy.to_tflite(model, mode="int8")
    with pytest.raises(ValueError, match="mode"):
        deploy.to_tflite(model, mode="int4")
    with pytest.raises(ValueError, match="content"):
        deploy.tflite_logits(b"", x)
    with pytest.raises(FileExistsError, match="new folder"):
        deploy.export_saved_model(model, tmp_path)
    with pytest.raises(ValueError, match="callable"):
        deploy.median_latency_ms(3)


def test_export_has_a_serving_signature(tiny, tmp_path):
    import tensorflow as tf

    model, x = tiny
    loaded = tf.saved_model.load(str(deploy.export_saved_model(model, tmp_path / "m")))
    out = loaded.signatures["serving_default"](tf.constant(x))
    np.testing.assert_allclose(next(iter(out.values())).numpy(), model.predict(x, verbose=0), atol=1e-5)


def test_autoscaling_follows_the_rule():
    sim = deploy.simulate_autoscaling([10, 10, 50, 50, 50, 10, 10, 10, 10, 10], capacity=10,
                                      target_utilization=0.5, scale_down_after=3)
    # 10 requests at 50% target need 2 replicas; 50 plus a queue of 30 need 16; the drop waits 3 steps.
    assert sim["replicas"].tolist() == [1, 2, 2, 10, 16, 16, 16, 2, 2, 2]
    assert sim["queue"].tolist() == [0, 0, 30, 0, 0, 0, 0, 0, 0, 0]
    fixed = deploy.simulate_autoscaling([10, 30, 10], capacity=10, fixed=2)
    assert fixed["replicas"].tolist() == [2, 2, 2] and fixed["queue"].tolist() == [0, 10, 0]
    assert fixed["overloaded_steps"] == 1 and fixed["replica_steps"] == 6
    with pytest.raises(ValueError, match="non-negative"):
        deploy.simulate_autoscaling([-1], capacity=1)
    with pytest.raises(ValueError, match="target_utilization"):
        deploy.simulate_autoscaling([1], capacity=1, target_utilization=1.0)


def test_psi_is_zero_for_the_same_sample_and_grows_with_shift():
    rng = np.random.default_rng(0)
    ref = rng.beta(8, 1, 2000)
    assert deploy.confidence_psi(ref, ref) == pytest.approx(0.0, abs=1e-12)
    assert deploy.confidence_psi(ref, rng.beta(8, 1, 500)) < 0.1
    assert deploy.confidence_psi(ref, rng.beta(2, 1, 500)) > 0.5
    monitor = deploy.ConfidenceMonitor(ref, threshold=0.2)
    assert monitor.check(rng.beta(2, 1, 500))["alert"] and not monitor.check(ref[:500])["alert"]
    with pytest.raises(ValueError, match="need at least"):
        deploy.confidence_psi(ref[:3], ref)


@pytest.fixture(scope="module")
def pooled():
    """A tiny conv + attention-pooling model: its weighted sum converts to an int8 BATCH_MATMUL."""
    from elastic_attention.nn.layers import AttentionPooling

    keras.utils.set_random_seed(1)
    inputs = keras.Input((8, 8, 1))
    features = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    pooled = AttentionPooling(score_initializer="glorot_uniform")(features)
    model = keras.Model(inputs, keras.layers.Dense(3)(pooled))
    return model, np.random.default_rng(1).random((40, 8, 8, 1), dtype=np.float32)


def test_int8_debugger_rows_and_selective_quantization(pooled):
    model, x = pooled
    rows = deploy.quantization_errors(model, x, num_debug=10)
    assert {"CONV_2D", "BATCH_MATMUL", "SOFTMAX"} <= {r["op"] for r in rows}
    assert all(np.isfinite(r["rmse_steps"]) and r["scale"] > 0 and -128 <= r["zero_point"] <= 127 for r in rows)
    # The softmax weights lie in [0, 1]: int8 maps 0 to -128.
    assert [r["zero_point"] for r in rows if r["op"] == "SOFTMAX"] == [-128]
    conv = [r for r in rows if r["op"] == "CONV_2D"][0]
    assert conv["rmse_steps"] < 0.5  # rounding noise: about 1/sqrt(12) of a step
    expected = model.predict(x, verbose=0)
    tolerance = 0.1 * np.abs(expected).max() + 1e-3
    selective = deploy.to_tflite(model, x, float_ops=("BATCH_MATMUL",))
    assert np.abs(deploy.tflite_logits(selective, x) - expected).max() < tolerance
    full = deploy.to_tflite(model, x)
    assert np.abs(deploy.tflite_logits(full, x, xnnpack=False) - expected).max() < tolerance
    # TFLite's built-in int8 kernel subtracts both zero points (within rounding).
    assert deploy.batch_matmul_zero_points(full, x[:5], xnnpack=False)["exact"] < 1.0


def test_size_breakdown_adds_up(pooled):
    model, x = pooled
    for content, dtype, nbytes in [(deploy.to_tflite(model), "float32", 4), (deploy.to_tflite(model, x), "int8", 1)]:
        sizes = deploy.tflite_size_breakdown(content)
        assert sizes["total"] == len(content) == sizes["weights"] + sizes["rest"]
        assert sizes["weights"] == sum(sizes["by_type"].values())
        # Every kernel is stored once, in dtype (biases stay int32 in the int8 file).
        kernels = sum(w.numpy().size for w in model.weights if len(w.shape) >= 2)
        assert sizes["by_type"][dtype] >= kernels * nbytes


def test_int8_options_refuse_bad_input(pooled):
    model, x = pooled
    with pytest.raises(ValueError, match="capitals"):
        deploy.to_tflite(model, x, float_ops=("batch_matmul",))
    with pytest.raises(ValueError, match="mode='int8' only"):
        deploy.to_tflite(model, float_ops="BATCH_MATMUL")
    with pytest.raises(ValueError, match="no int8 BATCH_MATMUL"):
        deploy.batch_matmul_zero_points(deploy.to_tflite(model), x[:1])
    with pytest.raises(ValueError, match="content"):
        deploy.tflite_size_breakdown(b"")
    with pytest.raises(ValueError, match="num_debug"):
        deploy.quantization_errors(model, x, num_debug=0)
