"""What a model costs: parameters, floating-point operations per example, and time per batch.

Introduced in chapter 8.1. FLOPs are counted from the model graph, layer by layer, from each
layer's input and output shapes; a multiply-add counts as two operations. The conventions:

- ``Conv2D``: ``2 * k_h * k_w * c_in / groups`` per output value, plus one per value for a bias;
- ``Dense``: ``2 * in`` per output value, plus one for a bias;
- ``BatchNormalization`` (inference): a scale and a shift, 2 per value; ``ReLU`` 1 per value;
- ``MaxPooling2D``/``AveragePooling2D``: ``p_h * p_w - 1`` comparisons or additions per output value
  (plus one division for the average); ``GlobalAveragePooling2D``: one addition per input value; ``GlobalMaxPooling2D``: one comparison per
  input value but the first of each channel;
- :class:`~.layers.AttentionPooling` over ``n`` cells of ``f`` features: ``2 n f`` for the scores,
  ``n`` for the bias, ``3 n`` for the softmax (exp, sum, divide), ``2 n f`` for the weighted sum;
- ``InputLayer``, ``Flatten``, ``Reshape``, ``Dropout``: 0 (no arithmetic at inference).

A layer of any other type raises a ValueError naming it, so a count is never silently short.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import _validate as valid

__all__ = [
    "layer_flops",
    "flop_table",
    "count_flops",
    "BACKWARD_FACTOR",
    "training_flops",
    "time_per_batch",
]

_FREE = ("InputLayer", "Flatten", "Reshape", "Dropout")


def _shape(tensor) -> tuple:
    shape = tuple(tensor.shape)[1:]
    if any(d is None for d in shape):
        raise ValueError(f"cannot count FLOPs for an unknown shape {tuple(tensor.shape)}: give the model a fixed input shape")
    return shape


def _size(shape) -> int:
    return int(math.prod(shape))


def _attention_flops(in_shape) -> int:
    n, f = _size(in_shape[:-1]), in_shape[-1]
    return 2 * n * f + n + 3 * n + 2 * n * f


def layer_flops(layer) -> int:
    """Return the floating-point operations one example costs in ``layer`` (a built layer of a functional model).

    Introduced in chapter 8.1; the module docstring lists the conventions.
    """
    kind = type(layer).__name__
    if kind in _FREE:
        return 0
    try:
        inputs, outputs = layer.input, layer.output
    except (AttributeError, ValueError):
        raise ValueError(f"layer {layer.name!r} has not been called on an input: build the model first") from None
    if isinstance(outputs, (list, tuple)):
        outputs = outputs[0]
    in_shape, out_shape = _shape(inputs), _shape(outputs)
    out_size = _size(out_shape)
    if kind == "Conv2D":
        kh, kw = layer.kernel_size
        per_value = 2 * kh * kw * in_shape[-1] // layer.groups + (1 if layer.use_bias else 0)
        return out_size * per_value
    if kind == "Dense":
        return out_size * (2 * in_shape[-1] + (1 if layer.use_bias else 0))
    if kind in ("BatchNormalization",):
        return 2 * out_size
    if kind in ("ReLU", "Activation"):
        return out_size
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        window = _size(layer.pool_size) - 1 + (1 if kind == "AveragePooling2D" else 0)
        return out_size * window
    if kind == "GlobalAveragePooling2D":
        return _size(in_shape) + out_size
    if kind == "GlobalMaxPooling2D":
        return _size(in_shape) - out_size  # one comparison per value but the first of each channel
    if kind in ("AttentionPooling", "CustomGradientAttentionPooling"):
        return _attention_flops(in_shape)
    raise ValueError(
        f"layer {layer.name!r} of type {kind} has no FLOP rule: count it by hand or add a rule to "
        "elastic_attention.nn.cost.layer_flops"
    )


def flop_table(model) -> list[dict]:
    """Return one row per layer of ``model``: ``name``, ``type``, ``params`` and ``flops`` per example.

    Introduced in chapter 8.1.
    """
    if not hasattr(model, "layers"):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}")
    return [{"name": layer.name, "type": type(layer).__name__, "params": int(layer.count_params()),
             "flops": layer_flops(layer)} for layer in model.layers]


def count_flops(model) -> int:
    """Return the floating-point operations ``model`` spends on one example (sum of :func:`flop_table`).

    Introduced in chapter 8.1.
    """
    return sum(row["flops"] for row in flop_table(model))


#: A training step costs the forward pass plus a backward pass of about twice its operations (one
#: product for the gradient of the inputs, one for the gradient of the weights, per layer).
BACKWARD_FACTOR = 3


def training_flops(model, examples: int, epochs: int = 1) -> int:
    """Return the estimated operations of training ``model`` for ``epochs`` over ``examples``:
    :data:`BACKWARD_FACTOR` times :func:`count_flops`, per example seen.

    Introduced in chapter 8.1. It counts arithmetic only, not the optimizer's update or data loading.
    """
    valid.positive_int(examples, "examples")
    valid.positive_int(epochs, "epochs")
    return BACKWARD_FACTOR * count_flops(model) * examples * epochs


def time_per_batch(models: dict, x, repeats: int = 10, warmup: int = 2) -> dict:
    """Return ``{name: median seconds}`` for one forward pass of each model in ``models`` on the batch ``x``.

    Introduced in chapter 8.1. Every model sees the same batch; each is warmed up ``warmup`` times
    (tracing and memory allocation happen then), and the timed calls are interleaved, one round
    over all models at a time, so a slow moment on a shared machine hits every model alike.
    """
    if not isinstance(models, dict) or not models:
        raise ValueError("models must be a non-empty dict mapping a name to a Keras model")
    valid.positive_int(repeats, "repeats")
    valid.positive_int(warmup, "warmup", minimum=0)
    x = np.asarray(x, dtype=np.float32)
    for name, model in models.items():
        if tuple(model.input_shape[1:]) != x.shape[1:]:
            raise ValueError(f"model {name!r} expects inputs {model.input_shape[1:]}, got a batch of shape {x.shape}")
    calls = {name: (lambda m=model: np.asarray(m(x, training=False))) for name, model in models.items()}
    for call in calls.values():
        for _ in range(warmup):
            call()
    seconds = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in seconds.items()}
