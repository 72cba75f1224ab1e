"""Early exit: a classifier with a cheap exit after two trunk stages and the attention exit after
the third, and the elastic inference rule that uses it. Introduced in chapter 5.5.

Trained jointly (one loss per exit), the model is taken apart for inference: the ``stem`` runs
on every canvas, the ``early`` exit answers a canvas when its softmax confidence reaches a
threshold, and only the remaining canvases run the ``late`` stage and the attention exit.
``benchmarks/early_exit.py`` measures what this saves.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np
from keras import layers

from .. import _validate as valid
from .layers import AttentionPooling
from .models import apply_layers, conv_stage
from .softmax import softmax

__all__ = ["EarlyExitModel", "early_exit_classifier", "predict_full", "predict_elastic"]


class EarlyExitModel(NamedTuple):
    """The parts of :func:`early_exit_classifier`: the two-output ``joint`` model for training and
    the ``stem``, ``early`` and ``late`` models (sharing its layers) for inference.

    Introduced in chapter 5.5.
    """

    joint: keras.Model
    stem: keras.Model
    early: keras.Model
    late: keras.Model


def early_exit_classifier(input_shape=(40, 40, 1), num_classes: int = 10, filters: int = 32) -> EarlyExitModel:
    """Return an :class:`EarlyExitModel` whose trunk is chapter 5.3's (three stages).

    Introduced in chapter 5.5. The early exit is global average pooling and a dense layer on the
    stage-2 map; the late exit is stage 3, attention pooling and a dense layer. Both give logits.
    """
    valid.positive_int(num_classes, "num_classes")
    stem_layers = conv_stage(1, filters) + conv_stage(2, filters)
    early_layers = [layers.GlobalAveragePooling2D(name="early_gap"), layers.Dense(num_classes, name="early_logits")]
    late_layers = conv_stage(3, filters) + [AttentionPooling(name="attention_pool"),
                                            layers.Dense(num_classes, name="late_logits")]
    image = keras.Input(input_shape, name="image")
    mid = apply_layers(stem_layers, image)
    joint = keras.Model(image, [apply_layers(early_layers, mid), apply_layers(late_layers, mid)], name="two_exits")
    mid_in = keras.Input(mid.shape[1:], name="stage2_map")
    return EarlyExitModel(
        joint=joint,
        stem=keras.Model(image, mid, name="stem"),
        early=keras.Model(mid_in, apply_layers(early_layers, mid_in), name="early_exit"),
        late=keras.Model(mid_in, apply_layers(late_layers, mid_in), name="late_exit"),
    )


def predict_full(model: EarlyExitModel, images) -> np.ndarray:
    """Return the late exit's predicted classes for every image (the whole network always runs).

    Introduced in chapter 5.5.
    """
    return model.late(model.stem(images, training=False), training=False).numpy().argmax(axis=1)


def predict_elastic(model: EarlyExitModel, images, threshold: float) -> tuple[np.ndarray, int]:
    """Return ``(predictions, late_count)``: the early exit answers where its top softmax probability
    reaches ``threshold`` (in [0, 1]); the other images, ``late_count`` of them, run the late exit.

    Introduced in chapter 5.5.
    """
    threshold = valid.probability(threshold, "threshold")
    mid = model.stem(images, training=False)
    probs = softmax(np.asarray(model.early(mid, training=False), dtype=np.float64))
    pred = probs.argmax(axis=1)
    hard = np.flatnonzero(probs.max(axis=1) < threshold)
    if len(hard):
        pred[hard] = model.late(keras.ops.take(mid, hard, axis=0), training=False).numpy().argmax(axis=1)
    return pred, len(hard)
