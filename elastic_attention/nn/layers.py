"""Keras layers. Introduced in chapter 5.2 (attention pooling) and derived in chapter 4.

:class:`AttentionPooling` implements the seed's attention formula over the positions of a
feature map ``H`` of shape ``(batch, positions, features)`` (or ``(batch, height, width,
features)``)::

    s_i = w . h_i + b          # one score per position
    a   = softmax(s)           # weights over positions, summing to 1
    y   = sum_i a_i h_i        # the attention-weighted summary
"""

from __future__ import annotations

import keras
from keras import ops

from .. import _validate as valid
from .pooling_grad import attention_pool_custom_gradient

__all__ = ["AttentionPooling", "CustomGradientAttentionPooling"]


@keras.saving.register_keras_serializable(package="elastic_attention")
class AttentionPooling(keras.layers.Layer):
    """Return ``y`` (``(batch, features)``), and with ``return_attention_scores=True`` also the
    weights ``a`` shaped like the input's position axes (``(batch, positions)`` or
    ``(batch, height, width)``).

    ``b`` is kept to match the formula, but softmax ignores a shift shared by all scores, so
    its gradient is exactly zero (chapter 4 derives this). A Keras mask (from
    ``Embedding(mask_zero=True)``, chapter 6.2) gives padded positions zero weight. The scores and the softmax are computed in float32 even under mixed precision, since
    float16 softmax saturates early.
    """

    def __init__(self, temperature: float = 1.0, score_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        # Zero scores at start make the layer begin as global average pooling.
        self.score_initializer = keras.initializers.get(score_initializer)
        self.temperature = valid.temperature(temperature)

    def _check_rank(self, shape) -> None:
        if len(shape) not in (3, 4):
            raise ValueError(
                f"AttentionPooling expects (batch, positions, features) or (batch, height, width, "
                f"features), got rank {len(shape)} shape {tuple(shape)}: add a feature axis or "
                "reshape the input"
            )
        if shape[-1] is None:
            raise ValueError("AttentionPooling needs a known number of features (last axis)")

    def build(self, input_shape):
        self._check_rank(input_shape)
        features = input_shape[-1]
        self.w = self.add_weight(shape=(features,), initializer=self.score_initializer, name="w")
        self.b = self.add_weight(shape=(), initializer="zeros", name="b")
        super().build(input_shape)

    def call(self, inputs, return_attention_scores: bool = False, mask=None):
        self._check_rank(inputs.shape)
        spatial_shape = ops.shape(inputs)[1:-1]
        H = ops.reshape(inputs, (ops.shape(inputs)[0], -1, ops.shape(inputs)[-1]))
        H32 = ops.cast(H, "float32")
        s = (ops.einsum("bnf,f->bn", H32, ops.cast(self.w, "float32")) + ops.cast(self.b, "float32")) / self.temperature
        if mask is not None:
            # Padding positions (a Keras mask, chapter 6.2) get no weight.
            s = ops.where(ops.reshape(mask, ops.shape(s)), s, -1e9)
        a = ops.softmax(s, axis=-1)
        y = ops.einsum("bn,bnf->bf", a, H32)
        y = ops.cast(y, self.compute_dtype)
        if not return_attention_scores:
            return y
        if len(inputs.shape) == 4:
            a = ops.reshape(a, (ops.shape(inputs)[0], spatial_shape[0], spatial_shape[1]))
        return y, a

    def compute_mask(self, inputs, mask=None):
        """Return None: the pooled output has no position axis left to mask."""
        return None

    def get_config(self):
        config = super().get_config()
        config["temperature"] = self.temperature
        config["score_initializer"] = keras.initializers.serialize(self.score_initializer)
        return config


@keras.saving.register_keras_serializable(package="elastic_attention")
class CustomGradientAttentionPooling(AttentionPooling):
    """Return the same ``y`` as :class:`AttentionPooling`, with the
    backward pass written by hand (chapter 4's formulas, via ``tf.custom_gradient``).

    Introduced in chapter 4. Accepts ``(batch, positions, features)`` or ``(batch, height,
    width, features)``; ``return_attention_scores`` is not supported (use the parent layer).
    """

    def call(self, inputs, return_attention_scores: bool = False):
        import tensorflow as tf

        if return_attention_scores:
            raise ValueError("CustomGradientAttentionPooling returns y only: use AttentionPooling for the weights")
        self._check_rank(inputs.shape)
        H = tf.reshape(inputs, (tf.shape(inputs)[0], -1, inputs.shape[-1]))
        H32 = tf.cast(H, tf.float32)
        # Read the variables outside the custom-gradient function so that the tape records the reads.
        w = tf.convert_to_tensor(self.w.value)
        b = tf.convert_to_tensor(self.b.value)
        y = attention_pool_custom_gradient(H32, w, b, self.temperature)
        return tf.cast(y, self.compute_dtype)
