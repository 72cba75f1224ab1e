"""Model builders. Introduced in chapter 5.2 (the seed's CNN) and 5.3 (attention heads).

All models are plain Keras functional models without Lambda layers, so they save to and load
from ``.keras`` files with ``safe_mode=True``.
"""

from __future__ import annotations

import keras
from keras import layers

from .. import _validate as valid
from .layers import AttentionPooling

__all__ = [
    "seed_cnn",
    "conv_trunk",
    "conv_stage",
    "apply_layers",
    "cluttered_classifier",
    "single_input",
    "attention_explainer",
    "class_activation_maps",
    "HEADS",
    "with_temperature",
]

HEADS = ("attention", "gap", "gmp", "flatten")


def seed_cnn(input_shape=(8, 8, 1), num_classes: int = 10, dense_units: int = 64,
             padding: str = "same") -> keras.Model:
    """Return the seed's classifier: conv-pool-conv-pool-flatten-dense-softmax.

    ``padding="same"`` keeps the 8x8 digits from shrinking to nothing after two poolings (the
    seed's ``"valid"`` fails to build on them, exercise ex-5-2-valid); the hidden dense layer is
    named ``"hidden"``; the output layer gives logits, and the loss applies the softmax
    (numerically safer).

    Introduced in chapter 5.2.
    """
    valid.positive_int(num_classes, "num_classes")
    valid.one_of(padding, ("same", "valid"), "padding")
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(32, 3, padding=padding, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, padding=padding, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(dense_units, activation="relu", name="hidden")(x)
    outputs = layers.Dense(num_classes, name="logits", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="seed_cnn")


def conv_trunk(inputs, filters: int = 32, blocks: int = 3, bn_momentum: float = 0.9):
    """Introduced in chapter 5.3. Return the feature map of ``blocks`` conv-BatchNorm-ReLU-pool stages applied to ``inputs``.

    Three stages on a 40x40 canvas give a 5x5 map whose cells see more than a whole digit.
    ``bn_momentum=0.9`` (Keras defaults to 0.99) lets the moving statistics settle within the few
    hundred steps of a quick run.
    """
    valid.positive_int(filters, "filters")
    valid.positive_int(blocks, "blocks")
    return apply_layers([layer for i in range(1, blocks + 1) for layer in conv_stage(i, filters, bn_momentum)], inputs)


def conv_stage(index: int, filters: int = 32, bn_momentum: float = 0.9) -> list:
    """Return the layers of trunk stage ``index`` (1-based): Conv2D, BatchNorm, ReLU, 2x2 max-pooling.

    Introduced in chapter 5.3; the layer names (``conv1``, ``bn1`` ...) are the trunk's, so
    weights can move between models that share stages.
    """
    valid.positive_int(index, "index")
    valid.positive_int(filters, "filters")
    return [layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{index}"),
            layers.BatchNormalization(momentum=bn_momentum, name=f"bn{index}"),
            layers.ReLU(name=f"relu{index}"),
            layers.MaxPooling2D(2, name=f"pool{index}")]


def apply_layers(stack, x):
    """Return ``x`` passed through each layer of ``stack`` in turn. Introduced in chapter 5.3."""
    for layer in stack:
        x = layer(x)
    return x


def cluttered_classifier(
    head: str,
    input_shape=(40, 40, 1),
    num_classes: int = 10,
    filters: int = 32,
    blocks: int = 3,
    dense_units: int | None = None,
    dropout: float = 0.0,
) -> keras.Model:
    """Return a classifier with a shared conv trunk and one of the :data:`HEADS`.

    ``head``: ``"attention"`` (:class:`AttentionPooling`), ``"gap"`` (global average pooling),
    ``"gmp"`` (global max pooling: each feature's largest value over the cells) or ``"flatten"``
    (the seed's flatten head; its hidden ``Dense`` layer is optional through ``dense_units``, and
    chapter 5.3 leaves it out so that the heads differ only in how they summarize the grid). The
    model outputs logits; for the attention head, :func:`attention_explainer` exposes the weights
    over the feature-map cells.

    Introduced in chapter 5.3.
    """
    if head not in HEADS:
        raise ValueError(f"unknown head {head!r}: choose one of {', '.join(HEADS)}")
    valid.positive_int(num_classes, "num_classes")
    inputs = keras.Input(shape=input_shape, name="image")
    features = conv_trunk(inputs, filters=filters, blocks=blocks)
    if head == "attention":
        pooled, _weights = AttentionPooling(name="attention_pool")(features, return_attention_scores=True)
    elif head == "gap":
        pooled = layers.GlobalAveragePooling2D(name="gap")(features)
    elif head == "gmp":
        pooled = layers.GlobalMaxPooling2D(name="gmp")(features)
    else:
        pooled = layers.Flatten(name="flatten")(features)
        if dense_units:
            pooled = layers.Dense(dense_units, activation="relu", name="dense")(pooled)
    if dropout:
        pooled = layers.Dropout(dropout, name="dropout")(pooled)
    logits = layers.Dense(num_classes, name="logits", dtype="float32")(pooled)
    return keras.Model(inputs, logits, name=f"{head}_classifier")


def single_input(model: keras.Model):
    """Return ``model``'s input tensor when it has one, else the list of its inputs.

    Introduced in chapter 5.3. A sub-model built on ``model.inputs`` (a list) expects a list, and
    Keras warns on every call that passes one array; built on the tensor itself, it does not.
    """
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


def attention_explainer(model: keras.Model, layer_name: str = "attention_pool") -> keras.Model:
    """Return a model mapping images to ``[logits, attention weights]``, sharing ``model``'s layers.

    Introduced in chapter 5.3.
    """
    try:
        layer = model.get_layer(layer_name)
    except ValueError:
        raise ValueError(
            f"model {model.name!r} has no layer {layer_name!r}: only the attention head has weights to show"
        ) from None
    _pooled, weights = layer.output
    return keras.Model(single_input(model), [model.outputs[0], weights], name=f"{model.name}_explainer")


def with_temperature(model: keras.Model, temperature: float, layer_name: str = "attention_pool") -> keras.Model:
    """Return a copy of ``model`` whose attention layer ``layer_name`` divides its scores by
    ``temperature``; the weights are the trained ones.

    Introduced in chapter 3.3. Below 1 the weights grow peakier (towards picking one cell), above 1
    flatter (towards average pooling).
    """
    valid.temperature(temperature)
    config = model.get_config()
    found = [layer for layer in config["layers"] if layer["config"].get("name") == layer_name]
    if not found or "temperature" not in found[0]["config"]:
        raise ValueError(f"model {model.name!r} has no attention layer {layer_name!r} with a temperature")
    found[0]["config"]["temperature"] = float(temperature)
    copy = keras.Model.from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def class_activation_maps(model: keras.Model, images, classes, feature_layer: str = "pool3",
                          batch_size: int = 256):
    """Return ``(N, gh, gw)`` maps of where a pooling head found evidence for ``classes`` ``(N,)``.

    For the ``gap`` head of :func:`cluttered_classifier` each cell's contribution to the class's
    logit is its feature vector times that class's column of the ``logits`` kernel, divided by the
    number of cells (a class activation map); for ``gmp`` the same product is an approximation,
    since max pooling passes on one cell per feature. Negative contributions are set to 0 and each map is scaled to sum
    to 1, so it can be drawn and scored like attention weights (a map with no positive cell is
    uniform). Introduced in chapter 5.4, to set a rival head's map beside the attention weights.
    """
    import numpy as np

    if not any(layer.name in ("gap", "gmp") for layer in model.layers):
        raise ValueError(f"model {model.name!r} has no gap or gmp head: pass a cluttered_classifier('gap' or 'gmp')")
    trunk = keras.Model(single_input(model), model.get_layer(feature_layer).output)
    # Direct calls in batches: a fresh model's predict() would trace a new function per call.
    features = np.concatenate([np.asarray(trunk(np.asarray(images[i:i + batch_size]), training=False), dtype=np.float64)
                               for i in range(0, len(images), batch_size)])
    kernel = np.asarray(model.get_layer("logits").kernel, dtype=np.float64)
    classes = np.asarray(classes, dtype=np.int64)
    if classes.shape != (len(features),):
        raise ValueError(f"classes must hold one class per image, shape ({len(features)},), got {classes.shape}")
    maps = np.maximum(np.einsum("nhwf,fn->nhw", features, kernel[:, classes]), 0.0)
    totals = maps.sum(axis=(1, 2), keepdims=True)
    uniform = np.full_like(maps, 1.0 / maps[0].size)
    return np.where(totals > 0, maps / np.where(totals > 0, totals, 1.0), uniform)
