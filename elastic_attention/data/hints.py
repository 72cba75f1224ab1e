"""A second modality for the digits: a noisy one-hot hint about the label. Introduced in chapter 3.3.

Real systems fuse an image with text, sound or a sensor that also says something about the
answer, more or less reliably. The hint plays that role with one dial: the probability that it
names a wrong class.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as valid

__all__ = ["label_hints"]


def label_hints(labels, wrong: float, num_classes: int = 10, seed: int = 0) -> np.ndarray:
    """Return float32 one-hot hints ``(N, num_classes)``: the true label, or with probability
    ``wrong`` a uniformly drawn *other* class.

    Introduced in chapter 3.3. ``wrong=0`` gives a perfect hint, ``wrong=0.9`` (with ten classes)
    one that carries no information.
    """
    labels = np.asarray(labels)
    wrong = valid.probability(wrong, "wrong")
    valid.positive_int(num_classes, "num_classes", minimum=2)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or labels.min(initial=0) < 0 \
            or labels.max(initial=0) >= num_classes:
        raise ValueError(f"labels must be integers in [0, {num_classes}) of shape (N,), got {labels.dtype} {labels.shape}")
    rng = np.random.default_rng([seed, 3])
    flip = rng.random(len(labels)) < wrong
    named = np.where(flip, (labels + rng.integers(1, num_classes, len(labels))) % num_classes, labels)
    return np.eye(num_classes, dtype=np.float32)[named]
