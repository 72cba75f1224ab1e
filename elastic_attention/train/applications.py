"""Training and tuning for chapter 6's case studies. Introduced in chapter 6.1.

:func:`train_app` compiles and fits one model with Adam for a fixed number of epochs;
:func:`tune_learning_rate` gives every model, attention or baseline, the same budget: the same
grid of learning rates (:data:`LEARNING_RATE_GRID`), scored on a validation split carved from the
training data. ``benchmarks/applications_sweep.py`` runs that sweep for every model and seed;
its chosen rates are :data:`APP_LEARNING_RATES`, which the chapters use.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from .. import _validate as valid
from .loops import arrays_dataset, check_hparams, fit

__all__ = ["LEARNING_RATE_GRID", "LOGISTIC_C_GRID", "LOGISTIC_C", "APP_LEARNING_RATES", "CASE_SETTINGS", "case_settings", "train_app", "predict_logits", "tune_learning_rate",
           "split_validation"]

LEARNING_RATE_GRID = (1e-3, 3e-3, 1e-2, 3e-2)
# The logistic-regression baseline of chapter 6.4 gets as many values of its inverse regularisation C.
LOGISTIC_C_GRID = (0.01, 0.1, 1.0, 10.0)

# The best rate of LEARNING_RATE_GRID on validation, summed over seeds 0-2 (python -m
# benchmarks.applications_sweep; every score in benchmarks/results/applications_sweep.json). Every
# model of a case got the same seeds and grid. Five bests lie on the grid's top edge (click's two
# models, fraud's three). A wider sweep (3e-4 to 0.3) lifted fraud's mean pooling from 0.83 to
# 0.96 validation PR-AUC at 0.1, but at 0.1 both fraud models diverge when trained on seed 2's
# whole training set (test PR-AUC 0.30 and 0.32, chance level), so the grid stays as it is until
# training at that rate is made stable.
APP_LEARNING_RATES = {
    "click": {"attention": 3e-2, "mean": 3e-2},
    "intent": {"attention": 3e-3, "bow": 3e-2},
    "fraud": {"attention": 3e-2, "mean": 3e-2, "last": 3e-2},
    "mil": {"attention": 1e-2, "gated": 1e-2, "mean": 1e-2, "max": 1e-2},
    "tabular": {"attention": 1e-3},
}
LOGISTIC_C = 1.0


# Sizes of each case study in the quick profile (the full profile doubles training data and epochs).
CASE_SETTINGS = {
    "click": {"train": 3000, "test": 2000, "epochs": 8, "batch_size": 128},
    "intent": {"epochs": 30, "batch_size": 32},
    "fraud": {"train": 800, "test": 2000, "epochs": 10, "batch_size": 128},
    "mil": {"train": (50, 150), "test": 300, "epochs": 15, "batch_size": 16},
    "tabular": {"epochs": 40, "batch_size": 32},
}


def case_settings(case: str, quick: bool = True) -> dict:
    """Return the sizes of one case study (:data:`CASE_SETTINGS`); the full profile doubles training
    data and epochs. Introduced in chapter 6.1."""
    valid.one_of(case, tuple(CASE_SETTINGS), "case")
    settings = dict(CASE_SETTINGS[case])
    if not quick:
        settings["epochs"] *= 2
        if "train" in settings:
            train = settings["train"]
            settings["train"] = tuple(2 * n for n in train) if isinstance(train, tuple) else 2 * train
    return settings


def _loss(multiclass: bool):
    if multiclass:
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return keras.losses.BinaryCrossentropy(from_logits=True)


def train_app(model: keras.Model, x, y, learning_rate: float, epochs: int, batch_size: int = 32,
              multiclass: bool = False):
    """Return ``model`` after ``epochs`` of Adam on ``(x, y)`` (binary cross-entropy on one logit, or
    sparse categorical cross-entropy when ``multiclass``), with the training history attached.

    Introduced in chapter 6.1. ``x`` may be a list of arrays for a model with several inputs.
    """
    check_hparams(epochs, learning_rate, batch_size)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=_loss(multiclass))
    inputs = tuple(np.asarray(v) for v in x) if isinstance(x, (list, tuple)) else np.asarray(x)
    y = np.asarray(y)
    if len(y) == 0:
        raise ValueError("no training examples: pass at least one (x, y) pair")
    for part in inputs if isinstance(inputs, tuple) else (inputs,):
        if len(part) != len(y):
            raise ValueError(f"inputs and labels differ in length ({len(part)} vs {len(y)}): pass one label per example")
        valid.finite(part, "training inputs")
    model.run_ = fit(model, arrays_dataset(inputs, y, batch_size, shuffle=True), epochs=epochs, verbose=0)
    return model


def predict_logits(model: keras.Model, x) -> np.ndarray:
    """Return the model's logits for ``x`` as NumPy (one column squeezed away). Introduced in chapter 6.1."""
    out = np.asarray(model.predict(tuple(x) if isinstance(x, (list, tuple)) else x, batch_size=512, verbose=0))
    return out[:, 0] if out.ndim == 2 and out.shape[1] == 1 else out


def split_validation(n: int, fraction: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(train_index, validation_index)``: a seeded random split of ``range(n)``. Introduced in chapter 6.1."""
    valid.probability(fraction, "fraction", open_interval=True)
    order = np.random.default_rng(seed).permutation(valid.positive_int(n, "n", minimum=2))
    cut = max(1, int(round(n * fraction)))
    return np.sort(order[cut:]), np.sort(order[:cut])


def tune_learning_rate(build: Callable[[], keras.Model], fit_one: Callable[[keras.Model, float], keras.Model],
                       score: Callable[[keras.Model], float], grid=LEARNING_RATE_GRID, seed: int = 0):
    """Return ``(best_rate, {rate: validation score})``: each rate of ``grid`` gets a fresh ``build()``
    (seeded alike), is trained by ``fit_one(model, rate)`` and scored by ``score(model)`` (higher is better).

    Introduced in chapter 6.1.
    """
    if not grid:
        raise ValueError("grid is empty: pass at least one learning rate")
    scores = {}
    for rate in grid:
        valid.positive_number(rate, "learning rate in grid")
        keras.utils.set_random_seed(seed)
        scores[float(rate)] = float(score(fit_one(build(), rate)))
    return max(scores, key=scores.get), scores
