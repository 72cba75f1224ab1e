"""Training that survives interruption. Introduced in chapter 5.5.

Elastic and preemptible compute (spot instances, shared clusters, Colab sessions) can take a
machine away between two epochs. :func:`fit_resumable` trains with
``keras.callbacks.BackupAndRestore``, which writes the weights, the optimizer state and the epoch
number at the end of every epoch; calling it again after an interruption restores that state and
runs only the epochs that are left.

For the resumed run to match an uninterrupted one exactly, everything that changes from epoch to
epoch must be part of the saved state or a pure function of ``(seed, epoch)``. Weights, optimizer
moments, the step counter (and with it a learning-rate schedule) and BatchNorm statistics are
saved. The data order is the remaining piece: a shuffle driven by a random generator's hidden
state would restart from its first permutation after a resume, so :func:`epoch_keyed_dataset`
derives each epoch's order from ``(seed, epoch)`` with a stateless shuffle instead.
:class:`InterruptAtEpoch` simulates the preemption.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from .. import _validate as valid
from .loops import check_hparams

__all__ = [
    "SimulatedInterruption",
    "InterruptAtEpoch",
    "EpochOrder",
    "epoch_keyed_dataset",
    "ResumableRun",
    "fit_resumable",
    "backup_exists",
]


class SimulatedInterruption(RuntimeError):
    """Raised by :class:`InterruptAtEpoch` to stand in for a preempted machine. Introduced in chapter 5.5."""


class InterruptAtEpoch(keras.callbacks.Callback):
    """A callback that raises :class:`SimulatedInterruption` once epoch ``epoch`` (counted from 1) has ended.

    Introduced in chapter 5.5. Put it *after* ``BackupAndRestore`` in the callback list, so that
    the epoch's backup is on disk before the interruption, as it would be when a machine is
    reclaimed between two epochs.
    """

    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = valid.positive_int(epoch, "epoch")

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise SimulatedInterruption(f"simulated preemption after epoch {self.epoch}")


class EpochOrder(keras.callbacks.Callback):
    """A callback that publishes the current epoch to :func:`epoch_keyed_dataset` through a variable.

    Introduced in chapter 5.5. Keras creates a new iterator over a finite dataset at the start of
    every epoch, after ``on_epoch_begin``; the dataset reads :attr:`epoch` then.
    """

    def __init__(self):
        super().__init__()
        import tensorflow as tf

        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch.assign(epoch)


def epoch_keyed_dataset(x, y, batch_size: int, seed: int, order: EpochOrder):
    """Return a ``tf.data.Dataset`` of ``(x, y)`` batches whose order in epoch ``e`` depends only on ``(seed, e)``.

    Introduced in chapter 5.5. ``order`` is the :class:`EpochOrder` callback passed to the same
    ``fit`` call; it tells the dataset which epoch is starting. One pass over the dataset is one
    epoch (the last batch may be smaller).
    """
    import tensorflow as tf

    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if len(x) == 0:
        raise ValueError("x is empty: pass at least one training example")
    valid.positive_int(batch_size, "batch_size")
    n = len(x)
    steps = math.ceil(n / batch_size)
    x_t, y_t = tf.constant(x), tf.constant(y)
    seed_t = tf.constant(int(seed), dtype=tf.int64)

    def one_epoch(_):
        key = tf.stack([seed_t, order.epoch.read_value()])
        perm = tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), seed=key)
        return tf.data.Dataset.from_tensor_slices(perm).batch(batch_size)

    ds = tf.data.Dataset.range(1).flat_map(one_epoch)
    ds = ds.map(lambda idx: (tf.gather(x_t, idx), tf.gather(y_t, idx)))
    return ds.apply(tf.data.experimental.assert_cardinality(steps))


@dataclass
class ResumableRun:
    """What :func:`fit_resumable` returns: the ``history`` of the epochs *this call* ran, the first
    epoch it ran (``start_epoch``, 0 for a fresh run), the epoch count it reached and wall ``seconds``.

    Introduced in chapter 5.5.
    """

    history: dict = field(default_factory=dict)
    start_epoch: int = 0
    epochs: int = 0
    seconds: float = 0.0

    @property
    def resumed(self) -> bool:
        """True when this call continued from a backup."""
        return self.start_epoch > 0


def backup_exists(backup_dir: str | os.PathLike) -> bool:
    """Return True when ``backup_dir`` holds a ``BackupAndRestore`` backup (an interrupted run to resume).

    Introduced in chapter 5.5.
    """
    return Path(backup_dir).is_dir() and any(Path(backup_dir).iterdir())


def fit_resumable(model: keras.Model, x, y, epochs: int, backup_dir: str | os.PathLike, batch_size: int = 64,
                  seed: int = 0, validation=None, interrupt_after: int | None = None, callbacks=None,
                  verbose: int | str = 0) -> ResumableRun:
    """Train the compiled ``model`` on ``(x, y)`` for ``epochs`` epochs, resumably; return a :class:`ResumableRun`.

    Introduced in chapter 5.5. State is backed up to ``backup_dir`` after every epoch. If a
    previous call was interrupted, calling again with the same arguments restores the backup and
    runs the remaining epochs; on a CPU with op determinism the final weights equal those of an
    uninterrupted run bit for bit. ``interrupt_after=k`` raises :class:`SimulatedInterruption`
    after epoch ``k``. The backup is deleted when training completes.
    """
    check_hparams(epochs, 1.0, batch_size)
    valid.finite(x, "training images")
    if validation is not None:
        valid.finite(validation[0], "validation images")
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        raise ValueError("model is not compiled: call ea.train.loops.compile_classifier(model) first")
    if interrupt_after is not None and not (isinstance(interrupt_after, int) and 1 <= interrupt_after < epochs):
        raise ValueError(f"interrupt_after must be an epoch in [1, {epochs - 1}] or None, got {interrupt_after!r}")
    backup_dir = Path(backup_dir)
    parent = backup_dir.parent
    if not parent.is_dir():
        raise FileNotFoundError(
            f"backup folder {backup_dir} cannot be created: its parent {parent} does not exist; create it first"
        )
    if backup_dir.exists() and not backup_dir.is_dir():
        raise NotADirectoryError(f"backup_dir {backup_dir} is a file: choose a folder used only for this run's backup")
    if not model.built:
        model.build((None, *np.shape(x)[1:]))
    order = EpochOrder()
    data = epoch_keyed_dataset(x, y, batch_size, seed, order)
    first = _FirstEpoch()
    chain = [order, first, keras.callbacks.BackupAndRestore(str(backup_dir)), *(callbacks or [])]
    if interrupt_after is not None:
        chain.append(InterruptAtEpoch(interrupt_after))  # last: the backup is written first
    start = time.perf_counter()
    history = model.fit(data, epochs=epochs, validation_data=validation, callbacks=chain, verbose=verbose,
                        shuffle=False)  # the dataset orders itself
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return ResumableRun(history=hist, start_epoch=first.epoch or 0, epochs=epochs, seconds=seconds)


class _FirstEpoch(keras.callbacks.Callback):
    """Record the first epoch a ``fit`` call runs (after ``BackupAndRestore`` restored its state)."""

    def __init__(self):
        super().__init__()
        self.epoch: int | None = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.epoch is None:
            self.epoch = epoch
