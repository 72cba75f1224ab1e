"""Adaptive learning under a distribution shift: detect it, then adapt with few labels, with
pseudo-labels or with no labels at all (BatchNorm statistics).

Introduced in chapter 3.6. Every adaptation returns a *new* model (a clone with copied weights),
so the deployed model stays untouched until the adapted one is judged better. The shifts
themselves are :func:`elastic_attention.data.apply_shift`.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from .. import _validate as valid
from ..nn.models import single_input
from ..nn.softmax import softmax
from .loops import arrays_dataset, compile_classifier

__all__ = ["clone", "predict_probs", "confidence_drift", "drift_threshold", "adapt_batchnorm", "few_labels",
           "pseudo_labels", "fine_tune"]


def clone(model: keras.Model) -> keras.Model:
    """Return a copy of ``model`` with the same architecture and weights. Introduced in chapter 3.6."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def predict_probs(model: keras.Model, images, batch_size: int = 256) -> np.ndarray:
    """Return the softmax of ``model``'s logits on ``images`` as float64. Introduced in chapter 3.6."""
    return softmax(np.asarray(model.predict(np.asarray(images, dtype=np.float32), batch_size=batch_size, verbose=0),
                              dtype=np.float64))


def confidence_drift(probs, reference_confidence: float) -> float:
    """Return the drift statistic of a batch: ``reference_confidence`` (the mean top probability on
    data like the training data) minus the batch's mean top probability. Large means shifted.

    Introduced in chapter 3.6. It needs no labels, so it can run on every batch in use.
    """
    p = valid.array(probs, "probs", ndim=2)
    if len(p) == 0:
        raise ValueError("probs is empty: pass the softmax outputs of at least one input")
    reference_confidence = valid.probability(reference_confidence, "reference_confidence")
    return float(reference_confidence - p.max(axis=1).mean())


def drift_threshold(reference_probs, batch_size: int, quantile: float = 0.99, draws: int = 2000,
                    seed: int = 0) -> tuple[float, float]:
    """Return ``(reference_confidence, threshold)``: the mean top probability of ``reference_probs``
    and the ``quantile`` of :func:`confidence_drift` over ``draws`` random batches of ``batch_size``
    of them, so that an unshifted batch exceeds the threshold with probability ``1 - quantile``.

    Introduced in chapter 3.6.
    """
    p = valid.array(reference_probs, "reference_probs", ndim=2)
    batch_size = valid.positive_int(batch_size, "batch_size")
    if batch_size > len(p):
        raise ValueError(f"batch_size={batch_size} is larger than the {len(p)} reference rows: pass more "
                         "reference data or a smaller batch")
    quantile = valid.probability(quantile, "quantile", open_interval=True)
    conf = p.max(axis=1)
    reference = float(conf.mean())
    rng = np.random.default_rng(seed)
    stats = [reference - conf[rng.choice(len(conf), batch_size, replace=False)].mean()
             for _ in range(valid.positive_int(draws, "draws"))]
    return reference, float(np.quantile(stats, quantile))


def adapt_batchnorm(model: keras.Model, images, batch_size: int = 256) -> keras.Model:
    """Return a copy of ``model`` whose BatchNormalization layers use the mean and variance of their
    inputs on ``images`` (unlabelled), recomputed layer by layer in order; no other weight changes.

    Introduced in chapter 3.6 (test-time adaptation; Li et al. 2016, "AdaBN").
    """
    x = valid.array(images, "images", ndim=4).astype(np.float32)
    if len(x) < 2:
        raise ValueError("images must hold at least two inputs to estimate a variance")
    adapted = clone(model)
    for layer in adapted.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        probe = keras.Model(single_input(adapted), layer.input)
        feats = np.concatenate([np.asarray(probe(x[i : i + batch_size], training=False))
                                for i in range(0, len(x), batch_size)])
        axes = tuple(range(feats.ndim - 1))
        layer.moving_mean.assign(feats.mean(axis=axes))
        layer.moving_variance.assign(feats.var(axis=axes))
    return adapted


def few_labels(labels, per_class: int, seed: int = 0) -> np.ndarray:
    """Return sorted indices of ``per_class`` random examples of every class in ``labels``.

    Introduced in chapter 3.6.
    """
    y = np.asarray(labels)
    per_class = valid.positive_int(per_class, "per_class")
    rng = np.random.default_rng(seed)
    picks = []
    for c in np.unique(y):
        where = np.flatnonzero(y == c)
        if len(where) < per_class:
            raise ValueError(f"class {c} has only {len(where)} examples, fewer than per_class={per_class}")
        picks.append(rng.choice(where, per_class, replace=False))
    return np.sort(np.concatenate(picks))


def pseudo_labels(probs, threshold: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(indices, labels)`` of the inputs whose top probability reaches ``threshold`` (in
    [0, 1]), labelled with the predicted class. Introduced in chapter 3.6.
    """
    p = valid.array(probs, "probs", ndim=2)
    threshold = valid.probability(threshold, "threshold")
    keep = np.flatnonzero(p.max(axis=1) >= threshold)
    return keep, p[keep].argmax(axis=1)


def fine_tune(model: keras.Model, images, labels, epochs: int = 5, learning_rate: float = 1e-3,
              batch_size: int = 32, seed: int = 0) -> tuple[keras.Model, dict]:
    """Return ``(copy, cost)``: a copy of ``model`` trained on ``(images, labels)`` with Adam at a
    constant ``learning_rate``, and its cost (``steps``, ``seconds``, ``examples``).

    Introduced in chapter 3.6. The BatchNorm layers keep their moving statistics frozen
    (inference mode), so that a few labelled examples adapt the weights without replacing the
    statistics of the whole training set by those of a small batch.
    """
    x = valid.array(images, "images", ndim=4).astype(np.float32)
    y = np.asarray(labels)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"images and labels must be non-empty and of equal length, got {len(x)} and {len(y)}")
    tuned = clone(model)
    for layer in tuned.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False  # Keras 3: a frozen BatchNormalization runs in inference mode
    compile_classifier(tuned, valid.positive_number(learning_rate, "learning_rate"))
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    history = tuned.fit(arrays_dataset(x, y, batch_size, shuffle=True, seed=seed),
                        epochs=valid.positive_int(epochs, "epochs"), verbose=0, shuffle=False)  # shuffled above
    seconds = time.perf_counter() - start
    steps = epochs * int(np.ceil(len(x) / batch_size))
    return tuned, {"steps": steps, "seconds": seconds, "examples": len(x), "loss": history.history["loss"]}
