"""Training helpers. Introduced in chapter 5.2.

:func:`compile_classifier` replaces the seed's ``compile_model`` (``Adam(lr=...)`` no longer
exists in Keras 3: the argument is ``learning_rate``) and :func:`fit` replaces its
``train_model`` (the same ``model.fit`` call, fed ``tf.data`` datasets instead of legacy
generators, and validated on a split of the training data instead of the test set).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from .. import _validate as valid
from ..nn import models

__all__ = [
    "check_hparams",
    "compile_classifier",
    "cosine_schedule",
    "TrainResult",
    "arrays_dataset",
    "fit",
    "HeadResult",
    "train_cluttered_head",
    "train_losses",
    "sgd_weight_decay_step",
    "HEAD_LEARNING_RATES",
    "LR_GRID",
]


def check_hparams(epochs, learning_rate, batch_size=None) -> None:
    """Raise a clear ValueError unless ``epochs`` (and ``batch_size``) are positive integers and
    ``learning_rate`` a positive finite number. Introduced in chapter 5.2."""
    valid.positive_int(epochs, "epochs")
    valid.positive_number(learning_rate, "learning_rate")
    if batch_size is not None:
        valid.positive_int(batch_size, "batch_size")


def compile_classifier(model: keras.Model, learning_rate=1e-3, jit_compile: bool | str = False) -> keras.Model:
    """Compile ``model`` (which outputs logits) with Adam, sparse cross-entropy and accuracy; return it.

    ``learning_rate`` may be a number or a ``keras.optimizers.schedules`` schedule. XLA is off by
    default because on a CPU it is slower than plain execution beyond tiny inputs; pass
    ``jit_compile="auto"`` on a GPU.

    Introduced in chapter 5.2.
    """
    if isinstance(learning_rate, (int, float)):
        check_hparams(1, learning_rate)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


def cosine_schedule(initial_learning_rate: float, epochs: int, steps_per_epoch: int):
    """Return a cosine decay from ``initial_learning_rate`` to 0 over ``epochs * steps_per_epoch`` steps.

    Introduced in chapter 5.2.
    """
    check_hparams(epochs, initial_learning_rate)
    valid.positive_int(steps_per_epoch, "steps_per_epoch")
    return keras.optimizers.schedules.CosineDecay(initial_learning_rate, decay_steps=epochs * steps_per_epoch)


@dataclass
class TrainResult:
    """What :func:`fit` returns: per-epoch ``history`` (a dict of lists), wall ``seconds``, epochs run.

    Introduced in chapter 5.2.
    """

    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    epochs_run: int = 0

    def last(self, key: str) -> float:
        """Return the final value of a history key such as ``"val_accuracy"``."""
        return float(self.history[key][-1])


def arrays_dataset(x, y, batch_size: int, shuffle: bool, seed: int | None = None):
    """Return a batched ``tf.data.Dataset`` over ``(x, y)``, reshuffled on every epoch when ``shuffle``.

    Keras 3 shuffles NumPy arrays with a seeded shuffle that restarts each epoch, so with a
    global seed every epoch sees the same order; a ``tf.data`` shuffle with
    ``reshuffle_each_iteration=True`` draws a new, still reproducible, order per epoch.

    Introduced in chapter 5.2.
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(2**31 - 1))  # follows the global seed set by runtime.setup
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def fit(model: keras.Model, train, validation=None, epochs: int = 10, batch_size: int | None = None,
        callbacks=None, verbose: int | str = 2) -> TrainResult:
    """Train ``model`` and return a :class:`TrainResult`.

    ``train`` and ``validation`` are ``tf.data`` datasets or ``(x, y)`` NumPy tuples (then
    ``batch_size`` applies, and the training pairs are reshuffled every epoch, see
    :func:`arrays_dataset`). ``verbose=2`` prints one line per epoch, readable in a notebook and
    in a log. NaN or infinite inputs are rejected before training starts.

    Introduced in chapter 5.2.
    """
    check_hparams(epochs, 1.0, batch_size)
    if isinstance(train, tuple):
        x, y = _check_pair("training", train)
        train = arrays_dataset(x, y, batch_size or 64, shuffle=True)
    if isinstance(validation, tuple):
        validation = arrays_dataset(*_check_pair("validation", validation), batch_size or 64, shuffle=False)
    start = time.perf_counter()
    history = model.fit(train, epochs=epochs, validation_data=validation, callbacks=callbacks or [],
                        verbose=verbose, shuffle=False)
    seconds = time.perf_counter() - start
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return TrainResult(history=hist, seconds=seconds, epochs_run=len(next(iter(hist.values()), [])))


def _check_pair(name: str, pair: tuple):
    """Return ``(x, y)`` from a ``(x, y)`` tuple after checking lengths and finiteness."""
    if len(pair) != 2:
        raise ValueError(f"{name} data must be an (x, y) tuple, got a tuple of {len(pair)} items")
    x, y = pair
    if len(x) == 0:
        raise ValueError(f"{name} data is empty: pass at least one example (check the split or filter)")
    if len(x) != len(y):
        raise ValueError(
            f"{name} images and labels differ in length ({len(x)} vs {len(y)}): pass one label per image"
        )
    valid.finite(x, f"{name} images")
    return x, y


#: The learning rates every head is tried with, the same grid and budget for each (chapter 5.3).
LR_GRID = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)

#: Learning rate per head: the rate of :data:`LR_GRID` with the best mean accuracy, over the seeds
#: in the committed sweep, on fresh canvases of the *training* digits, in the quick profile;
#: ``benchmarks/lr_sweep.py`` measures it and writes ``benchmarks/results/lr_sweep.json`` (a unit
#: test keeps the two equal). The full profile reuses these rates.
HEAD_LEARNING_RATES = {"attention": 1e-2, "gap": 3e-2, "gmp": 1e-2, "flatten": 1e-2}


@dataclass
class HeadResult:
    """One trained head: the ``model``, its :class:`TrainResult`, test accuracy and parameter count.

    Introduced in chapter 5.3.
    """

    head: str
    model: keras.Model
    run: TrainResult
    test_accuracy: float
    params: int


def train_cluttered_head(head: str, train, test, epochs: int = 6, learning_rate: float | None = None,
                         batch_size: int = 64, strategy=None, jit_compile: bool = False,
                         verbose: int | str = 2, filters: int = 32) -> HeadResult:
    """Return a :class:`HeadResult` for one head trained on cluttered canvases (chapter 5.3).

    ``train`` and ``test`` are :class:`elastic_attention.data.ClutteredDigits`. The trunk is the
    same for every head; the learning rate follows a cosine decay from ``learning_rate``
    (default: :data:`HEAD_LEARNING_RATES`). The model is built inside ``strategy.scope()`` when a
    strategy is given, so the same call uses every GPU that :func:`runtime.setup` found; pass
    ``jit_compile=cfg.jit_compile`` to use XLA where it helps. Every head is scored on ``test``
    after each epoch (the history's ``val_`` keys; no choice depends on them), so every head's
    training does the same work. ``filters`` sets the trunk's width
    (chapter 8.1 trains a narrower one).
    """
    from contextlib import nullcontext

    lr = HEAD_LEARNING_RATES.get(head) if learning_rate is None else learning_rate
    if lr is None:
        raise ValueError(f"unknown head {head!r}: choose one of {', '.join(models.HEADS)}")
    check_hparams(epochs, lr, batch_size)
    steps = int(math.ceil(len(train.labels) / batch_size))
    with strategy.scope() if strategy is not None else nullcontext():
        model = models.cluttered_classifier(head, input_shape=train.images.shape[1:], filters=filters)
        compile_classifier(model, cosine_schedule(lr, epochs, steps), jit_compile=jit_compile)
    run = fit(model, (train.images, train.labels), (test.images, test.labels),
              epochs=epochs, batch_size=batch_size, verbose=verbose)
    # The last epoch scored the test canvases with the final weights: no second evaluation.
    return HeadResult(head=head, model=model, run=run, test_accuracy=run.last("val_accuracy"),
                      params=model.count_params())


def train_losses(model, x, labels, steps: int, batch_size: int = 64, learning_rate: float = 0.1) -> np.ndarray:
    """Return the ``steps`` training losses of plain SGD on ``model`` over fixed, unshuffled batches.

    Introduced in chapter 4, to show that two models with the same starting weights train
    identically. ``model`` maps ``x`` to logits; the loss is sparse categorical cross-entropy.
    """
    import tensorflow as tf

    valid.positive_int(steps, "steps")
    valid.positive_int(batch_size, "batch_size")
    x = np.asarray(x, dtype=np.float32)
    labels = np.asarray(labels)
    if len(x) != len(labels):
        raise ValueError(f"x and labels must have the same length, got {len(x)} and {len(labels)}")
    if len(x) < batch_size:
        raise ValueError(f"need at least batch_size={batch_size} examples, got {len(x)}")
    optimizer = keras.optimizers.SGD(learning_rate)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = []
    per_epoch = len(x) // batch_size
    for step in range(steps):
        k = step % per_epoch
        xb = tf.constant(x[k * batch_size : (k + 1) * batch_size])
        yb = tf.constant(labels[k * batch_size : (k + 1) * batch_size])
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        losses.append(float(loss))
    return np.asarray(losses)


def sgd_weight_decay_step(params: dict, grads: dict, learning_rate: float, weight_decay: float = 0.0) -> dict:
    """Return the parameters after one step of ``theta <- theta - lr * grad - lr * weight_decay * theta``.

    Introduced in chapter 4: the update rule of the seed document, the same as
    ``keras.optimizers.SGD(learning_rate, weight_decay=weight_decay)``, which first shrinks every
    variable, ``theta -= theta * weight_decay * lr``, then subtracts ``lr * grad`` (the gradient
    taken at the old ``theta``). The two subtractions are done in that order here too.
    ``grads`` maps ``"d" + name`` to the gradient of ``params[name]``.
    """
    lr = valid.positive_number(learning_rate, "learning_rate")
    wd = float(weight_decay)
    if not np.isfinite(wd) or wd < 0:
        raise ValueError(f"weight_decay must be a non-negative number such as 1e-4, got {weight_decay!r}")
    missing = [k for k in params if "d" + k not in grads]
    if missing:
        raise ValueError(f"grads lacks {['d' + k for k in missing]}: pass a dict with one 'd<name>' per parameter")
    return {k: (v - v * wd * lr) - grads["d" + k] * lr for k, v in params.items()}
