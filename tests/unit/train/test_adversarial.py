"""Adversarial training on tiny inputs (chapter 8.3)."""

import numpy as np
import pytest

from elastic_attention.nn import models
from elastic_attention.train import adversarial, loops


def test_adversarial_fit_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.random((32, 40, 40, 1)).astype("float32")
    y = (x[:, :20].mean(axis=(1, 2, 3)) > x[:, 20:].mean(axis=(1, 2, 3))).astype(int)
    model = loops.compile_classifier(models.cluttered_classifier("attention", filters=4), learning_rate=1e-2)
    losses = adversarial.adversarial_fit(model, x, y, epsilon=0.01, epochs=4, batch_size=16)
    assert len(losses) == 4 and losses[-1] < losses[0], losses


def test_adversarial_bad_inputs():
    model = models.cluttered_classifier("attention", filters=4)
    with pytest.raises(ValueError, match="compile the model first"):
        adversarial.fgsm_training_step(model, 0.1)
    loops.compile_classifier(model)
    with pytest.raises(ValueError, match="epsilon must be"):
        adversarial.fgsm_training_step(model, -1.0)
    with pytest.raises(ValueError, match="labels must be"):
        adversarial.adversarial_fit(model, np.zeros((4, 40, 40, 1)), np.zeros(3, int), 0.1, 1)

