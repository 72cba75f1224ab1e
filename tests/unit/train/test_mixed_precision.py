"""The GPU's dtype path, forced on a CPU (issue 11): under the ``mixed_float16`` policy that
``ea.runtime.setup`` turns on for a GPU, the book's attention classifier trains with float16
activations, float32 softmax and attention weights, float32 logits and loss, float32 variables and
a loss-scaling optimizer, and its loss is finite. A dtype slip shows here before a reader meets it
in Colab. The policy is restored afterwards.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

import elastic_attention as ea
from elastic_attention.data import ClutteredDigits


@pytest.fixture
def mixed_float16():
    before = keras.mixed_precision.global_policy().name
    ea.runtime.setup(profile="quick", seed=0, verbose=False)  # float32 on this CPU, op determinism on
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)
    assert keras.mixed_precision.global_policy().name == before == "float32"


def subset(d: ClutteredDigits, n: int) -> ClutteredDigits:
    return ClutteredDigits(d.images[:n], d.labels[:n], d.boxes[:n], d.source_ids[:n])


def test_attention_classifier_trains_under_mixed_precision(mixed_float16):
    train = subset(ea.data.make_cluttered("train", copies=1, seed=0), 256)
    test = subset(ea.data.make_cluttered("test", copies=1, seed=0), 64)
    result = ea.train.loops.train_cluttered_head("attention", train, test, epochs=2, batch_size=32, verbose=0)
    model = result.model
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer), type(model.optimizer)

    pool = model.get_layer("attention_pool")
    assert pool.input.dtype == "float16", "the conv trunk's activations should be float16"
    assert all(v.dtype == "float32" for v in model.weights), "variables stay float32 under mixed precision"
    assert model.get_layer("logits").compute_dtype == "float32"

    logits, weights = ea.nn.models.attention_explainer(model)(test.images[:8])
    assert logits.dtype == "float32" and weights.dtype == "float32"
    np.testing.assert_allclose(np.sum(weights.numpy(), axis=(1, 2)), 1.0, atol=1e-5)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(test.labels[:8], logits)
    assert loss.dtype == "float32" and np.isfinite(float(loss))

    losses = result.run.history["loss"]
    assert len(losses) == 2 and np.all(np.isfinite(losses)), losses
    assert losses[-1] < losses[0], f"the loss should fall in two epochs under mixed precision: {losses}"
    assert np.isfinite(result.test_accuracy)

