"""Attention pooling differentiated by hand: the forward pass, the backward pass derived in
chapter 4, the same gradients from ``tf.GradientTape``, and a ``tf.custom_gradient`` version.
Introduced in chapter 4.

Everything here works in float64 NumPy unless a name says otherwise, so that the three ways of
computing a gradient (the derivation, ``tf.GradientTape``, central finite differences) can be
compared to about ten significant digits.

The model the chapter differentiates (names match the chapter's equations)::

    z   = x U + c                  # (batch, positions, hidden)
    h   = tanh(z)
    s_i = (w . h_i + b) / temperature
    a   = softmax(s)               # over positions
    y   = sum_i a_i h_i            # (batch, hidden)
    L   = (1 / 2B) * sum (y - target)^2   # a mean over the batch of B examples

Softmax ignores a shift shared by every score, so for a scalar ``b`` the gradient ``dL/db`` is
exactly zero: that bias never learns. A per-position bias (``b`` of shape ``(positions,)``) does.
The classifier of chapter 4 puts ``logits = y W_out + b_out`` and a mean cross-entropy on top
(:func:`classifier_loss_grads`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as valid
from .softmax import softmax

__all__ = [
    "PoolingForward", "pooling_forward", "pooling_backward", "squared_error", "pooling_loss",
    "tape_gradients", "attention_pool_custom_gradient", "init_classifier", "classifier_loss_grads",
    "classifier_loss_tf",
]


class PoolingForward(NamedTuple):
    """Intermediate values of :func:`pooling_forward`; the names match chapter 4's equations."""

    z: np.ndarray  # (batch, positions, hidden) pre-activation x U + c
    h: np.ndarray  # (batch, positions, hidden) tanh(z)
    s: np.ndarray  # (batch, positions) scores
    a: np.ndarray  # (batch, positions) attention weights
    y: np.ndarray  # (batch, hidden) attention-weighted summary


def _check_params(x, U, c, w, b):
    x = valid.array(x, "x", 3)
    U = valid.array(U, "U", 2)
    c = valid.array(c, "c", 1)
    w = valid.array(w, "w", 1)
    b = valid.array(b, "b", (0, 1))
    if b.ndim == 1 and b.shape != (x.shape[1],):
        raise ValueError(f"b must be a scalar or one bias per position, shape ({x.shape[1]},), got {b.shape}")
    if U.shape[0] != x.shape[-1]:
        raise ValueError(
            f"U must have shape (in_features, hidden) with in_features={x.shape[-1]} (the last axis of x), "
            f"got {U.shape}: transpose U or fix x"
        )
    if c.shape != (U.shape[1],) or w.shape != (U.shape[1],):
        raise ValueError(
            f"c and w must both have shape (hidden,) = ({U.shape[1]},), got c {c.shape} and w {w.shape}"
        )
    return x, U, c, w, b


def pooling_forward(x, U, c, w, b, temperature: float = 1.0) -> PoolingForward:
    """Return the :class:`PoolingForward` values ``(z, h, s, a, y)`` of the chapter-4 model.

    Introduced in chapter 4. ``x`` is ``(batch, positions, in_features)``, ``U`` is
    ``(in_features, hidden)``, ``c`` and ``w`` are ``(hidden,)``, ``b`` is a scalar (the book's
    layer) or a vector ``(positions,)`` (one bias per position).
    """
    x, U, c, w, b = _check_params(x, U, c, w, b)
    t = valid.temperature(temperature)
    z = x @ U + c
    h = np.tanh(z)
    s = (h @ w + b) / t
    a = softmax(s, axis=-1)
    y = np.einsum("kn,knf->kf", a, h)
    return PoolingForward(z, h, s, a, y)


def squared_error(y, target) -> tuple[float, np.ndarray]:
    """Return ``(L, dL/dy)`` for the batch mean ``L = sum((y - target)**2) / (2 B)``, ``B = len(y)``.

    Introduced in chapter 4.
    """
    y = valid.array(y, "y")
    target = valid.array(target, "target")
    if y.shape != target.shape:
        raise ValueError(f"y and target must have the same shape, got {y.shape} and {target.shape}")
    diff = y - target
    return 0.5 * float(np.sum(diff**2)) / len(y), diff / len(y)


def pooling_loss(x, U, c, w, b, target, temperature: float = 1.0) -> float:
    """Return the scalar loss ``sum((y - target)**2) / (2 B)`` of the chapter-4 model.

    Introduced in chapter 4; this is the function that :func:`numeric_gradient` differentiates.
    """
    return squared_error(pooling_forward(x, U, c, w, b, temperature).y, target)[0]


def pooling_backward(x, U, c, w, b, dy, temperature: float = 1.0) -> dict[str, np.ndarray]:
    """Return the hand-derived gradients ``{"dx", "dU", "dc", "dh", "dw", "db", "ds", "da"}``.

    Introduced in chapter 4. ``dy`` is ``dL/dy`` with shape ``(batch, hidden)``. With
    ``t = temperature``, the formulas derived in the chapter are::

        da_i = dy . h_i
        ds   = a * (da - sum_j a_j da_j)        # (diag(a) - a a^T) da
        dw   = sum_batch sum_i ds_i h_i / t
        db   = sum_batch sum_i ds_i / t         # = 0: the ds_i sum to zero
        db_i = sum_batch ds_i / t               # when b is one bias per position
        dh_i = a_i dy + ds_i w / t
        dz   = dh * (1 - h**2)
        dx   = dz U^T,  dU = sum x^T dz,  dc = sum dz
    """
    x, U, c, w, b = _check_params(x, U, c, w, b)
    t = valid.temperature(temperature)
    fwd = pooling_forward(x, U, c, w, b, t)
    dy = valid.array(dy, "dy", 2)
    if dy.shape != fwd.y.shape:
        raise ValueError(f"dy must have the shape of y, {fwd.y.shape}, got {dy.shape}")
    h, a = fwd.h, fwd.a
    da = np.einsum("knf,kf->kn", h, dy)
    ds = a * (da - np.sum(a * da, axis=-1, keepdims=True))
    dw = np.einsum("kn,knf->f", ds, h) / t
    db = np.sum(ds) / t if b.ndim == 0 else ds.sum(axis=0) / t
    dh = a[..., None] * dy[:, None, :] + ds[..., None] * w / t
    dz = dh * (1.0 - h**2)
    dx = dz @ U.T
    dU = np.einsum("kni,knh->ih", x, dz)
    dc = dz.sum(axis=(0, 1))
    return {"dx": dx, "dU": dU, "dc": dc, "dh": dh, "dw": dw, "db": np.asarray(db), "ds": ds, "da": da}


def tape_gradients(x, U, c, w, b, target, temperature: float = 1.0) -> dict[str, np.ndarray]:
    """Return ``{"dx", "dU", "dc", "dw", "db"}`` computed by ``tf.GradientTape`` in float64.

    Introduced in chapter 4. The forward pass is written again with TensorFlow ops
    (``tf.nn.softmax``), independently of :func:`pooling_forward`, so that agreement is evidence.
    """
    import tensorflow as tf

    x, U, c, w, b = _check_params(x, U, c, w, b)
    t = valid.temperature(temperature)
    target = valid.array(target, "target", 2)
    names = ("x", "U", "c", "w", "b")
    tensors = [tf.constant(v, dtype=tf.float64) for v in (x, U, c, w, b)]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        xt, Ut, ct, wt, bt = tensors
        h = tf.tanh(tf.einsum("kni,ih->knh", xt, Ut) + ct)
        a = tf.nn.softmax((tf.einsum("knh,h->kn", h, wt) + bt) / t, axis=-1)
        y = tf.einsum("kn,knh->kh", a, h)
        loss = 0.5 * tf.reduce_sum((y - target) ** 2) / len(target)
    grads = tape.gradient(loss, tensors)
    return {f"d{n}": g.numpy() for n, g in zip(names, grads, strict=True)}


def attention_pool_custom_gradient(H, w, b, temperature: float = 1.0, drop_score_path: bool = False):
    """Return ``y = sum_i a_i h_i`` (a ``tf.Tensor``, ``(batch, features)``) with the chapter-4
    gradients of ``H``, ``w`` and ``b`` supplied by ``tf.custom_gradient`` instead of autodiff.

    Introduced in chapter 4. ``H`` is ``(batch, positions, features)``; ``w`` is ``(features,)``;
    ``b`` is a scalar. Works in the dtype of ``H``. ``drop_score_path=True`` is a negative control:
    it returns the wrong ``dH = a_i dy`` (forgetting the path through the scores), which a gradient
    check must catch.
    """
    import tensorflow as tf

    H = tf.convert_to_tensor(H)
    if H.shape.rank != 3:
        raise ValueError(f"H must be (batch, positions, features), got rank {H.shape.rank}: reshape it")
    w = tf.cast(tf.convert_to_tensor(w), H.dtype)
    b = tf.cast(tf.convert_to_tensor(b), H.dtype)
    if w.shape.rank != 1 or (H.shape[-1] is not None and w.shape[0] != H.shape[-1]):
        raise ValueError(f"w must have shape ({H.shape[-1]},) to match the features of H, got {tuple(w.shape)}")
    t = valid.temperature(temperature)

    @tf.custom_gradient
    def _pool(H, w, b):
        s = (tf.einsum("knf,f->kn", H, w) + b) / t
        a = tf.nn.softmax(s, axis=-1)
        y = tf.einsum("kn,knf->kf", a, H)

        def grad(dy):
            da = tf.einsum("knf,kf->kn", H, dy)
            ds = a * (da - tf.reduce_sum(a * da, axis=-1, keepdims=True))
            dH = a[..., None] * dy[:, None, :]
            if not drop_score_path:
                dH = dH + ds[..., None] * w / t
            dw = tf.einsum("kn,knf->f", ds, H) / t
            db = tf.reduce_sum(ds) / t
            return dH, dw, db

        return y, grad

    return _pool(H, w, b)


def init_classifier(in_features: int, hidden: int, classes: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Return float64 starting parameters ``{U, c, w, b, W_out, b_out}`` of the chapter-4 classifier.

    Introduced in chapter 4. Glorot-uniform ``U`` and ``W_out``, a small random ``w`` (so that the
    scores start unequal), zero ``c``, ``b`` and ``b_out``.
    """
    sizes = [valid.positive_int(v, n) for v, n in ((in_features, "in_features"), (hidden, "hidden"), (classes, "classes"))]
    rng = np.random.default_rng(seed)

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out))

    return {"U": glorot(sizes[0], sizes[1]), "c": np.zeros(sizes[1]), "w": 0.05 * rng.standard_normal(sizes[1]),
            "b": np.array(0.0), "W_out": glorot(sizes[1], sizes[2]), "b_out": np.zeros(sizes[2])}


def classifier_loss_grads(params: dict, x, labels, temperature: float = 1.0) -> tuple[float, dict[str, np.ndarray]]:
    """Return ``(L, grads)`` of the classifier ``logits = y W_out + b_out`` on attention pooling.

    Introduced in chapter 4. ``L`` is the batch-mean cross-entropy; ``grads`` holds the hand-derived
    ``d<name>`` of every entry of ``params`` (see :func:`init_classifier`). The softmax over classes
    gives ``dlogits = (p - onehot) / B``; then ``dW_out = y^T dlogits``, ``dy = dlogits W_out^T`` and
    :func:`pooling_backward` does the rest.
    """
    p = {k: valid.array(params[k], k) for k in ("U", "c", "w", "b", "W_out", "b_out")}
    labels = np.asarray(labels)
    fwd = pooling_forward(x, p["U"], p["c"], p["w"], p["b"], temperature)
    if labels.shape != (len(fwd.y),) or labels.min() < 0 or labels.max() >= p["W_out"].shape[1]:
        raise ValueError(f"labels must be {len(fwd.y)} class indices in [0, {p['W_out'].shape[1]}), got shape {labels.shape}")
    probs = softmax(fwd.y @ p["W_out"] + p["b_out"])
    rows = np.arange(len(labels))
    loss = -float(np.mean(np.log(probs[rows, labels])))
    dlogits = probs.copy()
    dlogits[rows, labels] -= 1.0
    dlogits /= len(labels)
    g = pooling_backward(x, p["U"], p["c"], p["w"], p["b"], dlogits @ p["W_out"].T, temperature)
    grads = {"dU": g["dU"], "dc": g["dc"], "dw": g["dw"], "db": g["db"],
             "dW_out": fwd.y.T @ dlogits, "db_out": dlogits.sum(axis=0)}
    return loss, grads


def classifier_loss_tf(params: dict, x, labels, temperature: float = 1.0):
    """Return the batch-mean cross-entropy of the chapter-4 classifier as a TensorFlow scalar.

    Introduced in chapter 4. ``params`` maps ``U, c, w, b, W_out, b_out`` to tensors or
    ``keras.Variable`` objects; the forward pass is written with TensorFlow ops, independently of
    :func:`classifier_loss_grads`, so that ``tf.GradientTape`` can check it.
    """
    import tensorflow as tf

    t = valid.temperature(temperature)
    v = {k: tf.convert_to_tensor(params[k]) for k in ("U", "c", "w", "b", "W_out", "b_out")}
    h = tf.tanh(tf.einsum("kni,ih->knh", tf.cast(x, v["U"].dtype), v["U"]) + v["c"])
    a = tf.nn.softmax((tf.einsum("knh,h->kn", h, v["w"]) + v["b"]) / t, axis=-1)
    logits = tf.einsum("kn,knh->kh", a, h) @ v["W_out"] + v["b_out"]
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(labels), logits))
