"""The models of chapter 6's case studies, each with its plain baseline. Introduced in chapter 6.1.

Every builder returns an :class:`AppModel`: the Keras ``model`` that is trained (it outputs
logits) and, for the attention variant, an ``explainer`` that shares its layers and outputs the
attention weights. The baselines use the same layers with the attention replaced by a fixed
pooling, so a comparison changes one thing.

* :class:`TargetAttention` and :func:`click_model` (6.1): a candidate item attends over the
  user's history (DIN, Zhou et al. 2018), against mean-pooled history.
* :func:`intent_model` (6.2): attention pooling over token embeddings, against a bag of words.
* :func:`fraud_model` (6.3): attention over a transaction sequence, against the last step or the mean.
* :class:`MILAttention` and :func:`mil_model` (6.4): attention-based multiple-instance pooling
  (Ilse et al. 2018, plain or gated), against mean and max pooling; :func:`feature_attention_model`
  attends over the features of one tabular record.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
from keras import layers, ops

from .. import _validate as valid
from .layers import AttentionPooling

__all__ = ["AppModel", "TargetAttention", "MILAttention", "click_model", "intent_model", "fraud_model",
           "mil_model", "feature_attention_model", "POOLINGS"]

POOLINGS = {
    "click": ("attention", "mean"),
    "intent": ("attention", "bow"),
    "fraud": ("attention", "mean", "last"),
    "mil": ("attention", "gated", "mean", "max"),
}


class AppModel(NamedTuple):
    """A trained-to-be ``model`` (logits out) and its ``explainer`` (attention weights out, or None
    for a baseline). Introduced in chapter 6.1."""

    model: keras.Model
    explainer: keras.Model | None


@keras.saving.register_keras_serializable(package="elastic_attention")
class TargetAttention(keras.layers.Layer):
    """Return ``(pooled, a)``: history ``h`` ``(batch, L, d)`` pooled with weights ``a`` ``(batch, L)``
    that depend on the candidate ``c`` ``(batch, d)``.

    Introduced in chapter 6.1. Scores come from a small network on ``[h, c, h*c, h-c]`` as in DIN;
    unlike DIN the scores go through a softmax, so the weights sum to one as everywhere in the book.
    """

    def __init__(self, hidden: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.hidden = valid.positive_int(hidden, "hidden")
        self.score_hidden = layers.Dense(self.hidden, activation="relu")
        self.score_out = layers.Dense(1)

    def call(self, h, c):
        c = ops.broadcast_to(ops.expand_dims(c, 1), ops.shape(h))
        s = ops.squeeze(self.score_out(self.score_hidden(ops.concatenate([h, c, h * c, h - c], axis=-1))), -1)
        a = ops.softmax(s, axis=-1)
        return ops.einsum("bl,bld->bd", a, h), a

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


@keras.saving.register_keras_serializable(package="elastic_attention")
class MILAttention(keras.layers.Layer):
    """Return ``(z, a)``: instance embeddings ``h`` ``(batch, K, M)`` pooled with weights
    ``a = softmax(w . tanh(V h))`` (``gated``: ``w . (tanh(V h) * sigmoid(U h))``), Ilse et al. (2018).

    Introduced in chapter 6.4.
    """

    def __init__(self, hidden: int = 16, gated: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.gated = valid.positive_int(hidden, "hidden"), bool(gated)
        self.V = layers.Dense(self.hidden, activation="tanh")
        self.U = layers.Dense(self.hidden, activation="sigmoid") if self.gated else None
        self.w = layers.Dense(1, use_bias=False)

    def call(self, h):
        g = self.V(h) * self.U(h) if self.gated else self.V(h)
        a = ops.softmax(ops.squeeze(self.w(g), -1), axis=-1)
        return ops.einsum("bk,bkm->bm", a, h), a

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden, "gated": self.gated}


def _check_pooling(family: str, pooling: str) -> str:
    return valid.one_of(pooling, POOLINGS[family], f"pooling for {family} models")


def _head(x, hidden: int):
    """Return one logit from ``x`` through a hidden ReLU layer."""
    return layers.Dense(1, name="logit")(layers.Dense(hidden, activation="relu")(x))


def click_model(num_items: int, history_length: int, pooling: str = "attention", embed_dim: int = 8,
                hidden: int = 32) -> AppModel:
    """Return an :class:`AppModel` scoring (history, candidate) pairs; inputs ``[history, candidate]``.

    Introduced in chapter 6.1. ``pooling`` is ``"attention"`` (:class:`TargetAttention`) or ``"mean"``.
    """
    _check_pooling("click", pooling)
    valid.positive_int(num_items, "num_items")
    history = keras.Input((valid.positive_int(history_length, "history_length"),), dtype="int32", name="history")
    candidate = keras.Input((), dtype="int32", name="candidate")
    embed = layers.Embedding(num_items, valid.positive_int(embed_dim, "embed_dim"), name="items")
    h, c = embed(history), embed(candidate)
    if pooling == "attention":
        pooled, a = TargetAttention(name="attention")(h, c)
    else:
        pooled, a = ops.mean(h, axis=1), None
    logit = _head(layers.Concatenate()([pooled, c, pooled * c]), hidden)
    model = keras.Model([history, candidate], logit, name=f"click_{pooling}")
    return AppModel(model, keras.Model([history, candidate], a) if a is not None else None)


def intent_model(vocab_size: int, num_intents: int, pooling: str = "attention", embed_dim: int = 16,
                 sequence_length: int = 12) -> AppModel:
    """Return an :class:`AppModel` classifying utterances into ``num_intents`` (logits out).

    Introduced in chapter 6.2. ``"attention"`` reads token ids ``(batch, sequence_length)`` (0 is
    padding, masked) through an embedding and :class:`~.layers.AttentionPooling`; ``"bow"`` is
    logistic regression on a multi-hot bag of words ``(batch, vocab_size)``.
    """
    _check_pooling("intent", pooling)
    valid.positive_int(vocab_size, "vocab_size", minimum=2)
    valid.positive_int(num_intents, "num_intents", minimum=2)
    if pooling == "bow":
        words = keras.Input((vocab_size,), name="bag_of_words")
        return AppModel(keras.Model(words, layers.Dense(num_intents, name="logits")(words), name="intent_bow"), None)
    tokens = keras.Input((valid.positive_int(sequence_length, "sequence_length"),), dtype="int32", name="tokens")
    h = layers.Embedding(vocab_size, valid.positive_int(embed_dim, "embed_dim"), mask_zero=True)(tokens)
    pooled, a = AttentionPooling(name="attention")(h, return_attention_scores=True)
    model = keras.Model(tokens, layers.Dense(num_intents, name="logits")(pooled), name="intent_attention")
    return AppModel(model, keras.Model(tokens, a))


def _encoder(x, width: int, depth: int = 2):
    """Return ``x`` passed through ``depth`` ReLU layers applied to every position alike."""
    for _ in range(depth):
        x = layers.Dense(width, activation="relu")(x)
    return x


def fraud_model(length: int, num_features: int, pooling: str = "attention", width: int = 16) -> AppModel:
    """Return an :class:`AppModel` scoring a transaction sequence ``(batch, length, num_features)``.

    Introduced in chapter 6.3. Every transaction goes through the same encoder; ``"attention"``
    pools with :class:`~.layers.AttentionPooling`, ``"mean"`` averages, ``"last"`` keeps the latest.
    """
    _check_pooling("fraud", pooling)
    x = keras.Input((valid.positive_int(length, "length"), valid.positive_int(num_features, "num_features")))
    h, a = _encoder(x, valid.positive_int(width, "width")), None
    if pooling == "attention":
        pooled, a = AttentionPooling(name="attention")(h, return_attention_scores=True)
    else:
        pooled = ops.mean(h, axis=1) if pooling == "mean" else h[:, -1]
    model = keras.Model(x, _head(pooled, width), name=f"fraud_{pooling}")
    return AppModel(model, keras.Model(x, a) if a is not None else None)


def mil_model(bag_size: int, instance_shape=(8, 8), pooling: str = "attention", width: int = 32) -> AppModel:
    """Return an :class:`AppModel` scoring bags ``(batch, bag_size, *instance_shape)``; one logit per bag.

    Introduced in chapter 6.4. ``"attention"``/``"gated"`` use :class:`MILAttention`; ``"mean"`` and
    ``"max"`` pool the instance embeddings without weights.
    """
    _check_pooling("mil", pooling)
    x = keras.Input((valid.positive_int(bag_size, "bag_size"), *instance_shape))
    h = _encoder(layers.Reshape((bag_size, -1))(x), valid.positive_int(width, "width"))
    a = None
    if pooling in ("attention", "gated"):
        z, a = MILAttention(gated=pooling == "gated", name="attention")(h)
    else:
        z = ops.mean(h, axis=1) if pooling == "mean" else ops.max(h, axis=1)
    model = keras.Model(x, _head(z, width), name=f"mil_{pooling}")
    return AppModel(model, keras.Model(x, a) if a is not None else None)


def feature_attention_model(num_features: int, width: int = 8) -> AppModel:
    """Return an :class:`AppModel` for one tabular record ``(batch, num_features)`` of standardised values.

    Introduced in chapter 6.4. Feature ``j`` becomes a token ``relu(x_j * e_j + b_j)`` (its own
    ``e_j``, ``b_j``); :class:`~.layers.AttentionPooling` weighs the tokens per record.
    """
    x = keras.Input((valid.positive_int(num_features, "num_features"),))
    tokens = layers.EinsumDense("bf,fd->bfd", (num_features, width), bias_axes="fd", activation="relu")(x)
    pooled, a = AttentionPooling(name="attention")(tokens, return_attention_scores=True)
    model = keras.Model(x, _head(pooled, width), name="tabular_attention")
    return AppModel(model, keras.Model(x, a))
