"""Small models of three families for the same digits, and moving a trained trunk between models.

Introduced in chapter 3.2. The seed lists CNNs, recurrent networks and Transformers as the models
to choose from; these are small members of each family, sized to train in seconds on 8x8 digits:

- ``mlp``: the flattened pixels through one hidden layer (the baseline every family must beat);
- ``cnn``: two convolutions, pooling, global average pooling;
- ``rnn``: a GRU reading the image row by row (8 steps of 8 pixels);
- ``transformer``: 2x2 patches as 16 tokens, a learned position embedding, one block of
  multi-head self-attention and a feed-forward layer, mean over tokens.

All output logits.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .. import _validate as valid

__all__ = ["ARCHITECTURES", "TUNED_LEARNING_RATES", "PositionEmbedding", "small_model", "copy_trunk"]

ARCHITECTURES = ("mlp", "cnn", "rnn", "transformer")

# Each family's best of {1e-3, 3e-3, 1e-2} on a validation fifth of the training digits, seed 0,
# 15 epochs: the same budget for all (benchmarks/sweep.py; benchmarks/results/architectures_sweep.json).
TUNED_LEARNING_RATES = {"mlp": 1e-2, "cnn": 1e-2, "rnn": 1e-2, "transformer": 3e-3}


@keras.saving.register_keras_serializable(package="elastic_attention")
class PositionEmbedding(keras.layers.Layer):
    """Return the input tokens ``(batch, tokens, dim)`` plus a learned vector per position.

    Introduced in chapter 3.2. Self-attention alone ignores token order; this tells the model
    where each patch came from.
    """

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[1] is None or input_shape[2] is None:
            raise ValueError(f"PositionEmbedding expects (batch, tokens, dim) with known sizes, got {input_shape}")
        self.positions = self.add_weight(shape=tuple(input_shape[1:]), initializer="zeros", name="positions")
        super().build(input_shape)

    def call(self, inputs):
        return inputs + ops.cast(self.positions, inputs.dtype)[None]


def _patches(x, size: int, patch: int):
    # (size, size, 1) -> (tokens, patch * patch) without a Lambda layer, so the model saves safely.
    g = size // patch
    x = layers.Reshape((g, patch, g, patch))(x)
    x = layers.Permute((1, 3, 2, 4))(x)
    return layers.Reshape((g * g, patch * patch))(x)


def small_model(kind: str, input_shape=(8, 8, 1), num_classes: int = 10, width: int = 32) -> keras.Model:
    """Return a small ``kind`` classifier (one of :data:`ARCHITECTURES`) that outputs logits.

    Introduced in chapter 3.2. ``width`` sets the hidden units, filters or model dimension.
    """
    valid.one_of(kind, ARCHITECTURES, "architecture")
    valid.positive_int(num_classes, "num_classes")
    valid.positive_int(width, "width")
    size = input_shape[0]
    if len(input_shape) != 3 or input_shape[0] != input_shape[1] or input_shape[2] != 1 or size % 2:
        raise ValueError(f"input_shape must be (S, S, 1) with S even, got {tuple(input_shape)}")
    inputs = keras.Input(shape=input_shape, name="image")
    if kind == "mlp":
        x = layers.Dense(2 * width, activation="relu")(layers.Flatten()(inputs))
    elif kind == "cnn":
        x = layers.Conv2D(width // 2, 3, padding="same", activation="relu")(inputs)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(width, 3, padding="same", activation="relu")(x)
        x = layers.GlobalAveragePooling2D()(x)
    elif kind == "rnn":
        x = layers.GRU(width)(layers.Reshape((size, size))(inputs))
    else:
        tokens = PositionEmbedding(name="positions")(layers.Dense(width)(_patches(inputs, size, 2)))
        attended = layers.MultiHeadAttention(num_heads=2, key_dim=width // 2, name="self_attention")(tokens, tokens)
        x = layers.LayerNormalization()(tokens + attended)
        x = layers.LayerNormalization()(x + layers.Dense(width)(layers.Dense(2 * width, activation="relu")(x)))
        x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(num_classes, name="logits", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=f"small_{kind}")


def copy_trunk(source: keras.Model, target: keras.Model, names=("conv1", "bn1", "conv2", "bn2", "conv3", "bn3"),
               freeze: bool = False) -> list[str]:
    """Copy the weights of the layers ``names`` from ``source`` to ``target``; return the names copied.

    Introduced in chapter 3.2. Both models must hold layers of those names with weights of the
    same shapes (the trunk stages of :func:`~.models.conv_stage` do). ``freeze=True`` stops the
    copied layers from training further in ``target``.
    """
    if not names:
        raise ValueError("names is empty: pass the trunk's layer names, e.g. ('conv1', 'bn1')")
    for name in names:
        try:
            src, dst = source.get_layer(name), target.get_layer(name)
        except ValueError:
            raise ValueError(f"both models need a layer named {name!r}: build them with the same trunk stages") from None
        shapes = [tuple(w.shape) for w in src.get_weights()], [tuple(w.shape) for w in dst.get_weights()]
        if shapes[0] != shapes[1]:
            raise ValueError(f"layer {name!r} has weights {shapes[0]} in source but {shapes[1]} in target: "
                             "use the same filters in both")
        dst.set_weights(src.get_weights())
        dst.trainable = not freeze
    return list(names)
