"""Network optimization: learning-rate schedules, the seed's weight-decay rule, a small grid search.

Introduced in chapter 3.7. :func:`train_classifier` is a short training loop over NumPy arrays
that applies any Keras optimizer and, when ``weight_decay`` is positive, adds ``weight_decay * w``
to every kernel's gradient before the optimizer sees it: with plain SGD that is the seed's rule
``w <- w - lr * (grad + weight_decay * w)``; with Adam it is the "L2 inside the gradient" that
AdamW's decoupled decay replaces. A loop of our own (one traced step) has less per-epoch overhead
than ``model.fit`` for the chapter's small models, which helps a grid of them run in the quick
profile.
"""

from __future__ import annotations

import itertools
import math
import time

import keras
import numpy as np

from .. import _validate as valid

__all__ = ["SCHEDULES", "learning_rate_schedule", "schedule_curve", "train_classifier", "accuracy",
           "kernel_norm", "fit_and_score", "digit_splits", "grid_search", "best_config"]

#: The schedules :func:`learning_rate_schedule` builds.
SCHEDULES = ("constant", "step", "cosine", "warmup_cosine")


def learning_rate_schedule(kind: str, learning_rate: float, total_steps: int, warmup_fraction: float = 0.1,
                           drops: int = 2, factor: float = 0.1):
    """Return the learning rate of schedule ``kind`` (one of :data:`SCHEDULES`) peaking at ``learning_rate``.

    Introduced in chapter 3.7. ``constant`` returns the number itself; ``step`` multiplies it by
    ``factor`` ``drops`` times at equal intervals of ``total_steps``; ``cosine`` decays it to 0;
    ``warmup_cosine`` rises linearly from 0 during ``warmup_fraction`` of the steps, then decays.
    """
    valid.one_of(kind, SCHEDULES, "schedule")
    lr = valid.positive_number(learning_rate, "learning_rate")
    total = valid.positive_int(total_steps, "total_steps")
    if kind == "constant":
        return lr
    if kind == "step":
        valid.positive_int(drops, "drops")
        valid.probability(factor, "factor", open_interval=True)
        bounds = [int(total * (i + 1) / (drops + 1)) for i in range(drops)]
        return keras.optimizers.schedules.PiecewiseConstantDecay(bounds, [lr * factor**i for i in range(drops + 1)])
    if kind == "cosine":
        return keras.optimizers.schedules.CosineDecay(lr, decay_steps=total)
    valid.probability(warmup_fraction, "warmup_fraction", open_interval=True)
    warmup = max(1, int(round(total * warmup_fraction)))
    return keras.optimizers.schedules.CosineDecay(0.0, decay_steps=max(1, total - warmup), warmup_target=lr,
                                                  warmup_steps=warmup)


def schedule_curve(schedule, total_steps: int) -> np.ndarray:
    """Return the learning rate of ``schedule`` (a number or a Keras schedule) at steps ``0 .. total_steps - 1``.

    Introduced in chapter 3.7.
    """
    valid.positive_int(total_steps, "total_steps")
    if isinstance(schedule, (int, float)):
        return np.full(total_steps, float(schedule))
    if not callable(schedule):
        raise ValueError(f"schedule must be a number or a keras LearningRateSchedule, got {type(schedule).__name__}")
    return np.array([float(schedule(step)) for step in range(total_steps)])


def _check_data(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = valid.finite(np.asarray(x, dtype=np.float32), "x")
    y = np.asarray(y)
    if len(x) == 0 or len(x) != len(y):
        raise ValueError(f"x and y must be non-empty and of equal length, got {len(x)} and {len(y)}")
    return x, y


def train_classifier(model: keras.Model, x, y, optimizer, epochs: int, batch_size: int = 64,
                     weight_decay: float = 0.0, seed: int = 0) -> dict:
    """Train ``model`` (logits out) on ``(x, y)`` with ``optimizer``; return ``{"loss", "seconds"}``.

    Introduced in chapter 3.7. ``loss`` holds the mean training loss per epoch. Every epoch draws
    a new order from ``seed``. ``weight_decay`` adds ``weight_decay * w`` to the gradient of every
    kernel (biases and normalization parameters are not decayed), the coupled decay of the seed's
    update rule; a decoupled decay belongs to the optimizer (``keras.optimizers.AdamW``).
    """
    import tensorflow as tf

    x, y = _check_data(x, y)
    valid.positive_int(epochs, "epochs")
    valid.positive_int(batch_size, "batch_size")
    wd = float(weight_decay)
    if not math.isfinite(wd) or wd < 0:
        raise ValueError(f"weight_decay must be a non-negative number such as 1e-4, got {weight_decay!r}")
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise ValueError(f"optimizer must be a keras optimizer such as keras.optimizers.SGD(0.1), got {optimizer!r}")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    variables = model.trainable_variables
    decayed = [("kernel" in v.path) for v in variables]

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, variables)
        if wd:
            grads = [g + wd * v if d else g for g, v, d in zip(grads, variables, decayed, strict=True)]
        optimizer.apply(grads, variables)
        return loss

    rng = np.random.default_rng(seed)
    losses, start = [], time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(x))
        batch_losses = [float(step(tf.constant(x[idx]), tf.constant(y[idx])))
                        for idx in np.array_split(order, max(1, len(x) // batch_size))]
        losses.append(float(np.mean(batch_losses)))
    return {"loss": losses, "seconds": time.perf_counter() - start}


def accuracy(model: keras.Model, x, y) -> float:
    """Return the fraction of ``x`` that ``model`` classifies as ``y``. Introduced in chapter 3.7."""
    x, y = _check_data(x, y)
    return float(np.mean(np.argmax(np.asarray(model(x, training=False)), axis=-1) == y))


def kernel_norm(model: keras.Model) -> float:
    """Return the Euclidean norm of all of ``model``'s kernels together. Introduced in chapter 3.7."""
    kernels = [np.asarray(w.value).ravel() for w in model.weights if "kernel" in w.path]
    if not kernels:
        raise ValueError(f"model {model.name!r} has no kernels: pass a model with Dense or Conv layers")
    return float(np.linalg.norm(np.concatenate(kernels)))


def digit_splits(seed: int = 0, fraction: float = 0.2) -> dict:
    """Return the shipped 8x8 digits scaled to [0, 1]: ``{"fit": (x, y), "validation": (x, y), "test": (x, y)}``.

    Introduced in chapter 3.7. The validation part is a random ``fraction`` of the training
    digits drawn from ``seed``; the test digits stay apart for the one final score.
    """
    from ..data.digits import load_digit_arrays

    valid.probability(fraction, "fraction", open_interval=True)
    (x, y, _), (x_test, y_test, _) = load_digit_arrays("train"), load_digit_arrays("test")
    x, x_test = ((a / 255.0).astype(np.float32)[..., None] for a in (x, x_test))
    order = np.random.default_rng(seed).permutation(len(x))  # the fit part stays in this shuffled order
    val, fit = order[: int(round(len(x) * fraction))], order[int(round(len(x) * fraction)):]
    return {"fit": (x[fit], y[fit]), "validation": (x[val], y[val]), "test": (x_test, y_test)}


def fit_and_score(build, splits: dict, optimizer, epochs: int, seed: int, weight_decay: float = 0.0) -> dict:
    """Return ``{"model", "val_accuracy", "loss", "seconds"}`` for ``build()`` trained on ``splits["fit"]``.

    Introduced in chapter 3.7. The seed is set before the model is built, so the same call gives
    the same weights; ``optimizer`` is a Keras optimizer (a fresh one per call) and
    ``weight_decay`` the coupled decay of :func:`train_classifier`.
    """
    if not isinstance(splits, dict) or not {"fit", "validation"} <= set(splits):
        raise ValueError("splits must be a dict with 'fit' and 'validation' (x, y) pairs, as digit_splits returns")
    keras.utils.set_random_seed(seed)
    model = build()
    run = train_classifier(model, *splits["fit"], optimizer, epochs, weight_decay=weight_decay, seed=seed)
    return {"model": model, "val_accuracy": accuracy(model, *splits["validation"]), **run}


def grid_search(space: dict, score) -> list[dict]:
    """Return one row per point of the grid ``space`` (``{name: [values]}``): the point plus its ``score``.

    Introduced in chapter 3.7. ``score(**point)`` returns a number; every point gets the same call,
    so every configuration has the same budget.
    """
    if not isinstance(space, dict) or not space:
        raise ValueError("space must be a non-empty dict such as {'width': [16, 32], 'learning_rate': [1e-3, 1e-2]}")
    for name, values in space.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") or len(list(values)) == 0:
            raise ValueError(f"space[{name!r}] must be a non-empty list of values, got {values!r}")
    if not callable(score):
        raise ValueError("score must be a function of the grid's names that returns a number")
    names = list(space)
    rows = []
    for values in itertools.product(*(list(space[n]) for n in names)):
        point = dict(zip(names, values, strict=True))
        rows.append({**point, "score": float(score(**point))})
    return rows


def best_config(rows: list[dict]) -> dict:
    """Return the row of ``rows`` (from :func:`grid_search`) with the highest ``score``; ties go to the first.

    Introduced in chapter 3.7.
    """
    if not rows or any("score" not in r for r in rows):
        raise ValueError("rows must be a non-empty list of dicts with a 'score' key, as grid_search returns")
    return max(rows, key=lambda r: r["score"])
