"""Interrupted training resumes to exactly the result of an uninterrupted run (chapter 5.5)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import elastic_attention as ea
from elastic_attention.train import resilience

EPOCHS, BATCH, N = 4, 64, 256


@pytest.fixture(scope="module")
def canvases():
    ea.runtime.setup(profile="quick", seed=0, verbose=False)
    train = ea.data.make_cluttered("train", copies=1, seed=0)
    return train.images[:N], train.labels[:N]


def build(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = ea.nn.models.cluttered_classifier("attention")
    schedule = ea.train.loops.cosine_schedule(3e-3, EPOCHS, int(np.ceil(N / BATCH)))
    return ea.train.loops.compile_classifier(model, schedule)


def state(model) -> list[np.ndarray]:
    return [v.numpy().copy() for v in [*model.weights, *model.optimizer.variables]]


def test_interrupted_run_resumes_bit_identically(canvases, tmp_path):
    x, y = canvases
    reference = build()
    full = resilience.fit_resumable(reference, x, y, EPOCHS, tmp_path / "full", batch_size=BATCH)
    assert full.start_epoch == 0 and not full.resumed and len(full.history["loss"]) == EPOCHS
    assert not (tmp_path / "full").exists(), "the backup must be deleted once training completes"

    model = build()
    with pytest.raises(resilience.SimulatedInterruption, match="after epoch 2"):
        resilience.fit_resumable(model, x, y, EPOCHS, tmp_path / "run", batch_size=BATCH, interrupt_after=2)
    assert resilience.backup_exists(tmp_path / "run")

    restarted = build()  # a new process would rebuild the model from scratch
    resumed = resilience.fit_resumable(restarted, x, y, EPOCHS, tmp_path / "run", batch_size=BATCH)
    assert resumed.resumed and resumed.start_epoch == 2
    assert resumed.history["loss"] == full.history["loss"][2:]
    assert resumed.history["accuracy"] == full.history["accuracy"][2:]
    for a, b in zip(state(reference), state(restarted), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(restarted.optimizer.iterations.numpy()) == EPOCHS * int(np.ceil(N / BATCH))
    assert not resilience.backup_exists(tmp_path / "run")


def test_data_order_changes_each_epoch_and_depends_only_on_seed_and_epoch():
    import tensorflow as tf

    x = np.arange(40, dtype="float32")[:, None]
    order = resilience.EpochOrder()
    ds = resilience.epoch_keyed_dataset(x, np.arange(40), batch_size=16, seed=3, order=order)
    assert int(ds.cardinality()) == 3

    def epoch(e):
        order.epoch.assign(e)
        return np.concatenate([b.numpy()[:, 0] for b, _ in ds]).astype(int)

    e0, e1, e0_again = epoch(0), epoch(1), epoch(0)
    assert sorted(e0) == list(range(40)) and sorted(e1) == list(range(40))
    assert not np.array_equal(e0, e1), "every epoch must see a new order"
    np.testing.assert_array_equal(e0, e0_again)
    other = resilience.epoch_keyed_dataset(x, np.arange(40), 16, seed=4, order=order)
    order.epoch.assign(0)
    assert not np.array_equal(np.concatenate([b.numpy()[:, 0] for b, _ in other]).astype(int), e0)
    assert tf.executing_eagerly()


def test_interrupt_callback_fires_after_the_named_epoch():
    cb = resilience.InterruptAtEpoch(3)
    cb.on_epoch_end(0)
    cb.on_epoch_end(1)
    with pytest.raises(resilience.SimulatedInterruption):
        cb.on_epoch_end(2)


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_interrupt_epoch_must_be_positive(value):
    with pytest.raises(ValueError, match="positive integer"):
        resilience.InterruptAtEpoch(value)
