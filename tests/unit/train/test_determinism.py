"""Same seed, same numbers: the book's training is bit-identical on a CPU (issue 6).

Each run calls ``ea.runtime.setup(seed=...)`` first, as every chapter does; two runs with one
seed must give identical metric histories and identical weights, and another seed must not.
"""

from __future__ import annotations

import numpy as np
import pytest

import elastic_attention as ea
from elastic_attention.data import ClutteredDigits


def weights(model) -> list[np.ndarray]:
    return [v.numpy().copy() for v in model.weights]


def same(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def subset(d: ClutteredDigits, n: int) -> ClutteredDigits:
    return ClutteredDigits(d.images[:n], d.labels[:n], d.boxes[:n], d.source_ids[:n])


def attention_run(seed: int):
    """Section 5.3's attention head on cluttered canvases, reduced (512 canvases, 2 epochs)."""
    ea.runtime.setup(profile="quick", seed=seed, verbose=False)
    train = subset(ea.data.make_cluttered("train", copies=1, seed=seed), 512)
    test = subset(ea.data.make_cluttered("test", copies=1, seed=seed), 256)
    result = ea.train.loops.train_cluttered_head("attention", train, test, epochs=2, verbose=0)
    return result.run.history, weights(result.model), result.test_accuracy


def seed_cnn_run(seed: int):
    """Section 5.2's seed CNN on the shipped digits, with its validation split, 2 epochs."""
    ea.runtime.setup(profile="quick", seed=seed, verbose=False)
    train, val, _ = ea.data.digits_splits(batch_size=64, seed=seed)
    model = ea.train.loops.compile_classifier(ea.nn.models.seed_cnn())
    run = ea.train.loops.fit(model, train, val, epochs=2, verbose=0)
    return run.history, weights(model), None


@pytest.mark.parametrize("run", [attention_run, seed_cnn_run], ids=["attention_head", "seed_cnn"])
def test_same_seed_same_numbers_other_seed_other_weights(run):
    history_a, weights_a, acc_a = run(0)
    history_b, weights_b, acc_b = run(0)
    assert history_a == history_b, "same seed, different metric history"
    assert same(weights_a, weights_b), "same seed, different weights"
    assert acc_a == acc_b
    assert history_a["loss"][-1] < history_a["loss"][0], "the run must actually train"
    _, weights_c, _ = run(1)
    assert not same(weights_a, weights_c), "a different seed gave the same weights"
