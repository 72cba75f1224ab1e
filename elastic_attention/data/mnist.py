"""MNIST for the full profile, with an offline fallback to the shipped digits. Introduced in chapter 5.2."""

from __future__ import annotations

import numpy as np

from .digits import SPLITS, load_digit_arrays, upscale

__all__ = ["load_mnist"]


def load_mnist(max_train: int | None = None, max_test: int | None = None):
    """Return MNIST as ``((x_train, y_train), (x_test, y_test), source)``, images float32 ``(N, 28, 28, 1)``.

    Used by the full profile. MNIST is downloaded by Keras on first use; when that fails (no
    network), this falls back to the shipped digits upscaled to 24x24 and padded to 28x28, says
    so, and returns ``source="shipped digits (offline fallback)"``.

    Introduced in chapter 5.2.
    """
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        source = "MNIST"
    except Exception as exc:  # no network, blocked host, partial download
        print(f"MNIST could not be loaded ({type(exc).__name__}: {exc}); using the shipped digits instead.")
        parts = []
        for split in SPLITS:
            images, labels, _ = load_digit_arrays(split)
            big = np.pad(np.stack([upscale(im, 3) for im in images]), ((0, 0), (2, 2), (2, 2)))
            # The folders are read class by class; shuffle (fixed order) as MNIST is, so that a
            # validation slice taken from the front holds every class.
            order = np.random.default_rng(SPLITS.index(split)).permutation(len(labels))
            parts.append((big[order], labels[order]))
        (x_train, y_train), (x_test, y_test) = parts
        source = "shipped digits (offline fallback)"
    x_train = x_train[:max_train].astype(np.float32)[..., None] / 255.0
    x_test = x_test[:max_test].astype(np.float32)[..., None] / 255.0
    return (x_train, y_train[:max_train].astype(np.int64)), (x_test, y_test[:max_test].astype(np.int64)), source
