"""Data augmentation with Keras preprocessing layers. Introduced in chapter 3.1.

The seed augments with ``ImageDataGenerator``, which Keras 3 no longer recommends; here the
random transforms are layers (``RandomRotation``, ``RandomTranslation``, ``RandomZoom``,
``GaussianNoise``) placed in front of the model. They act only when the model trains
(``training=True``), so evaluation and prediction see the images unchanged, and they are saved
with the model.
"""

from __future__ import annotations

import keras
from keras import layers

from .. import _validate as valid

__all__ = ["augmenter", "with_augmentation", "TUNED_LEARNING_RATES"]

# The seed CNN's learning rate with and without the rotation augmenter of chapter 3.1: each the best
# of {1e-3, 3e-3, 1e-2} on a validation fifth of the training digits, seed 0, 20 epochs
# (benchmarks/augment_sweep.py; results in benchmarks/results/augment_sweep.json).
TUNED_LEARNING_RATES = {"plain": 3e-3, "augmented": 1e-2}


def augmenter(rotation: float = 30.0, translation: float = 0.1, zoom: float = 0.1, noise: float = 0.0,
              seed: int = 0) -> keras.Sequential:
    """Return a ``keras.Sequential`` of random transforms: turns of up to ``rotation`` degrees either
    way, shifts of up to ``translation`` of the side, zooms of up to ``zoom``, Gaussian noise of
    standard deviation ``noise`` (a transform whose amount is 0 is left out).

    Introduced in chapter 3.1.
    """
    if isinstance(rotation, bool) or not isinstance(rotation, (int, float)) or not 0 <= rotation <= 180:
        raise ValueError(f"rotation must be degrees in [0, 180], got {rotation!r}")
    for value, name in ((translation, "translation"), (zoom, "zoom")):
        valid.probability(value, name)
    if noise:
        valid.positive_number(noise, "noise")
    stack = []
    if rotation:
        stack.append(layers.RandomRotation(rotation / 360.0, fill_mode="constant", seed=seed, name="rotate"))
    if translation:
        stack.append(layers.RandomTranslation(translation, translation, fill_mode="constant", seed=seed + 1,
                                              name="translate"))
    if zoom:
        stack.append(layers.RandomZoom((-zoom, zoom), fill_mode="constant", seed=seed + 2, name="zoom"))
    if noise:
        stack.append(layers.GaussianNoise(noise, seed=seed + 3, name="noise"))
    if not stack:
        raise ValueError("every transform is off: give rotation, translation, zoom or noise a positive amount")
    return keras.Sequential(stack, name="augment")


def with_augmentation(model: keras.Model, augment: keras.Sequential) -> keras.Model:
    """Return a model that applies ``augment`` (while training only) and then ``model``.

    Introduced in chapter 3.1. The two share weights: training the result trains ``model``.
    """
    if not isinstance(model, keras.Model) or not model.inputs:
        raise ValueError("model must be a built Keras functional model with known inputs")
    inputs = keras.Input(shape=model.inputs[0].shape[1:], name="image")
    return keras.Model(inputs, model(augment(inputs)), name=f"{model.name}_augmented")
