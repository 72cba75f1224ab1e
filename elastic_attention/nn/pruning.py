"""Magnitude pruning with plain Keras and NumPy: zero the smallest weights of every kernel.

Introduced in chapter 9.2 ("FAQ: resources and deployment"). The TensorFlow Model Optimization
toolkit's pruning wrappers target Keras 2; this module needs neither: it copies a model and sets
the ``sparsity`` fraction of each kernel with the smallest absolute values to zero. Biases and
the attention layer's scoring vector stay dense (they hold few weights and every one matters).
"""

from __future__ import annotations

import keras
import numpy as np

from .. import _validate as valid

__all__ = ["magnitude_mask", "prune_model", "kernel_sparsity"]


def magnitude_mask(weights, sparsity: float) -> np.ndarray:
    """Return a 0/1 mask of ``weights``' shape that keeps the ``1 - sparsity`` fraction with the largest ``|w|``.

    Ties at the threshold are broken by position, so exactly ``round(sparsity * size)`` entries are
    zeroed. Introduced in chapter 9.2.
    """
    w = valid.array(weights, "weights")
    if w.size == 0:
        raise ValueError("weights is empty: pass a layer's kernel")
    sparsity = valid.probability(sparsity, "sparsity")
    k = int(round(sparsity * w.size))
    mask = np.ones(w.size, dtype=np.float32)
    mask[np.argsort(np.abs(w).ravel(), kind="stable")[:k]] = 0.0
    return mask.reshape(w.shape)


def _kernel_indices(model: keras.Model, min_size: int) -> list[int]:
    """Indices in ``model.get_weights()`` of the kernels (rank >= 2, at least ``min_size`` entries)."""
    return [i for i, w in enumerate(model.get_weights()) if w.ndim >= 2 and w.size >= min_size]


def prune_model(model: keras.Model, sparsity: float, min_size: int = 64) -> keras.Model:
    """Return a copy of ``model`` whose kernels (rank >= 2, >= ``min_size`` entries) are pruned to ``sparsity``.

    The copy shares no variables with ``model``; the original is left unchanged. Introduced in chapter 9.2.
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    sparsity = valid.probability(sparsity, "sparsity")
    valid.positive_int(min_size, "min_size")
    weights = model.get_weights()
    for i in _kernel_indices(model, min_size):
        weights[i] = weights[i] * magnitude_mask(weights[i], sparsity)
    pruned = keras.models.clone_model(model)
    pruned.set_weights(weights)
    return pruned


def kernel_sparsity(model: keras.Model, min_size: int = 64) -> float:
    """Return the fraction of exact zeros among the entries of ``model``'s prunable kernels.

    Introduced in chapter 9.2.
    """
    weights = model.get_weights()
    kernels = [weights[i] for i in _kernel_indices(model, min_size)]
    if not kernels:
        raise ValueError(f"model {model.name!r} has no kernel with at least {min_size} entries")
    return float(sum(int((k == 0).sum()) for k in kernels) / sum(k.size for k in kernels))
