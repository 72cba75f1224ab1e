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
from .glimpse import count_flops, run_batched
from .layers import AttentionPooling
from .models import apply_layers, conv_stage
from .softmax import softmax

__all__ = ["EarlyExitModel", "early_exit_classifier", "attach_early_exit", "predict_full", "predict_elastic",
           "exit_curve"]


class EarlyExitModel(NamedTuple):
    """The parts of :func:`early_exit_classifier`: the two-output ``joint`` model for training and
    the ``stem``, ``early`` and ``late`` models (sharing its layers) for inference.

    Introduced in chapter 5.5.
    """

    joint: keras.Model
    stem: keras.Model
    early: keras.Model
    late: keras.Model


def early_exit_classifier(input_shape=(40, 40, 1), num_classes: int = 10, filters: int = 32,
                          exit_after: int = 2) -> EarlyExitModel:
    """Return an :class:`EarlyExitModel` whose trunk is chapter 5.3's (three stages).

    Introduced in chapter 5.5. The early exit is global average pooling and a dense layer on the
    map of stage ``exit_after`` (1 or 2; chapter 3.5 exits after the first); the late exit is the
    remaining stages, attention pooling and a dense layer. Both give logits.
    """
    valid.positive_int(num_classes, "num_classes")
    if exit_after not in (1, 2):
        raise ValueError(f"exit_after must be 1 or 2 (the trunk has three stages), got {exit_after!r}")
    stem_layers = [layer for i in range(1, exit_after + 1) for layer in conv_stage(i, filters)]
    early_layers = [layers.GlobalAveragePooling2D(name="early_gap"), layers.Dense(num_classes, name="early_logits")]
    late_layers = [layer for i in range(exit_after + 1, 4) for layer in conv_stage(i, filters)] + [
        AttentionPooling(name="attention_pool"), layers.Dense(num_classes, name="late_logits")]
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


def attach_early_exit(full: keras.Model, exit_after: int = 2) -> EarlyExitModel:
    """Return an :class:`EarlyExitModel` whose trunk and late exit are copies of ``full``'s weights
    (chapter 5.3's attention classifier) and whose early exit after stage ``exit_after`` is new and
    untrained. The stem and late parts are frozen: only the early exit is left to train, and the
    late path answers exactly as ``full`` does.

    Introduced in chapter 3.5.
    """
    try:
        conv1 = full.get_layer("conv1")
    except ValueError:
        raise ValueError(f"model {full.name!r} has no layer 'conv1': pass chapter 5.3's attention classifier "
                         "(ea.nn.models.cluttered_classifier('attention'))") from None
    num_classes = full.output_shape[-1]
    parts = early_exit_classifier(full.input_shape[1:], num_classes, conv1.filters, exit_after)
    renamed = {"late_logits": "logits"}
    for layer in parts.joint.layers:
        if not layer.weights or layer.name.startswith("early_"):
            continue
        source_name = renamed.get(layer.name, layer.name)
        try:
            source = full.get_layer(source_name)
        except ValueError:
            raise ValueError(f"model {full.name!r} has no layer {source_name!r}: attach_early_exit needs chapter "
                             "5.3's three-stage attention classifier") from None
        layer.set_weights(source.get_weights())
    parts.stem.trainable = False
    parts.late.trainable = False
    return parts


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


def exit_curve(model: EarlyExitModel, images, labels, thresholds) -> list[dict]:
    """Return one dict per threshold of ``thresholds`` (each in [0, 1]): ``threshold``, ``accuracy``
    of :func:`predict_elastic`'s rule on ``images`` against ``labels``, ``flops`` per input (stem and
    early exit always, the late exit on the share of inputs it answers) and that ``late`` share.

    Introduced in chapter 3.5. Every part runs once on every input; the thresholds are then scored
    from those outputs, so a curve costs one pass.
    """
    labels = np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"images ({len(images)}) and labels ({len(labels)}) must have one length")
    thresholds = [valid.probability(t, "threshold") for t in thresholds]
    if not thresholds:
        raise ValueError("thresholds is empty: pass at least one threshold in [0, 1]")
    mid = run_batched(model.stem, np.asarray(images, dtype=np.float32))
    early = softmax(run_batched(model.early, mid))
    late = run_batched(model.late, mid).argmax(axis=1)
    stem_f, early_f, late_f = (count_flops(m) for m in (model.stem, model.early, model.late))
    rows = []
    for t in thresholds:
        hard = early.max(axis=1) < t
        pred = np.where(hard, late, early.argmax(axis=1))
        rows.append({"threshold": t, "accuracy": float((pred == labels).mean()),
                     "flops": float(stem_f + early_f + late_f * hard.mean()), "late": float(hard.mean())})
    return rows
