"""The mathematics of attention: softmax, hand-derived gradients, gradient checks, and
scaled dot-product / multi-head attention written from scratch. Introduced in chapter 4.

Everything here works in float64 NumPy unless a name says otherwise, so that the three ways of
computing a gradient (the derivation, ``tf.GradientTape``, central finite differences) can be
compared to about ten significant digits.

The model the chapter differentiates (names match the chapter's equations)::

    z   = x U + c                  # (batch, positions, hidden)
    h   = tanh(z)
    s_i = (w . h_i + b) / temperature
    a   = softmax(s)               # over positions
    y   = sum_i a_i h_i            # (batch, hidden)
    L   = 0.5 * sum (y - target)^2

Softmax ignores a shift shared by every score, so ``dL/db`` is exactly zero: the bias ``b``
of the seed document's formula never learns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np

from .layers import AttentionPooling

__all__ = [
    "softmax",
    "softmax_jacobian",
    "PoolingForward",
    "pooling_forward",
    "pooling_backward",
    "squared_error",
    "pooling_loss",
    "tape_gradients",
    "numeric_gradient",
    "relative_error",
    "attention_pool_custom_gradient",
    "CustomGradientAttentionPooling",
    "train_losses",
    "scaled_dot_product_attention",
    "mha_weights_from_keras",
    "multi_head_attention",
    "saturation_stats",
    "jacobian_norm",
]


# --------------------------------------------------------------------------- validation


def _array(x, name: str, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``x`` as a finite float64 array of the expected rank, or raise a clear ValueError."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {type(x).__name__} ({exc}): pass a NumPy array") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have rank {want}, got rank {arr.ndim} with shape {arr.shape}: reshape it")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values: check the inputs and the learning rate")
    return arr


def _temperature(temperature: float) -> float:
    t = float(temperature)
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    return t


# --------------------------------------------------------------------------- softmax


def softmax(s, axis: int = -1) -> np.ndarray:
    """Return ``softmax(s)`` along ``axis`` in float64 (weights that are positive and sum to 1).

    Introduced in chapter 4. The largest score is subtracted first; this changes nothing (softmax
    ignores a shared shift) and keeps ``exp`` from overflowing.
    """
    s = _array(s, "s")
    if s.ndim == 0:
        raise ValueError("s must have at least one axis of scores, got a scalar: pass e.g. [s1, s2, s3]")
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian(a) -> np.ndarray:
    """Return the Jacobian ``da/ds = diag(a) - a a^T`` of softmax at weights ``a``.

    Introduced in chapter 4. ``a`` has shape ``(..., n)`` (the *output* of softmax); the result
    has shape ``(..., n, n)`` with ``J[..., i, j] = da_i / ds_j``. Every row and column sums to
    zero because the weights always sum to one.
    """
    a = _array(a, "a")
    if a.ndim == 0:
        raise ValueError("a must be a vector of softmax weights, got a scalar")
    if np.any(a < 0) or not np.allclose(a.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError("a must be softmax weights (non-negative, summing to 1 on the last axis): pass softmax(s)")
    return np.einsum("...i,ij->...ij", a, np.eye(a.shape[-1])) - a[..., :, None] * a[..., None, :]


def jacobian_norm(s, temperature: float = 1.0) -> float | np.ndarray:
    """Return the Frobenius norm of ``d softmax(s / temperature) / ds`` (one number per score vector).

    Introduced in chapter 4. The chain rule adds a factor ``1 / temperature`` to
    :func:`softmax_jacobian`. Small values mean the weights barely move when the scores move:
    the vanishing gradient of a saturated softmax.
    """
    t = _temperature(temperature)
    J = softmax_jacobian(softmax(_array(s, "s") / t)) / t
    return np.sqrt((J**2).sum(axis=(-2, -1)))


# --------------------------------------------------------------------------- pooling model


class PoolingForward(NamedTuple):
    """Intermediate values of :func:`pooling_forward`; the names match chapter 4's equations."""

    z: np.ndarray  # (batch, positions, hidden) pre-activation x U + c
    h: np.ndarray  # (batch, positions, hidden) tanh(z)
    s: np.ndarray  # (batch, positions) scores
    a: np.ndarray  # (batch, positions) attention weights
    y: np.ndarray  # (batch, hidden) attention-weighted summary


def _check_params(x, U, c, w, b):
    x = _array(x, "x", 3)
    U = _array(U, "U", 2)
    c = _array(c, "c", 1)
    w = _array(w, "w", 1)
    b = _array(b, "b", 0)
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
    ``(in_features, hidden)``, ``c`` and ``w`` are ``(hidden,)``, ``b`` is a scalar.
    """
    x, U, c, w, b = _check_params(x, U, c, w, b)
    t = _temperature(temperature)
    z = x @ U + c
    h = np.tanh(z)
    s = (h @ w + b) / t
    a = softmax(s, axis=-1)
    y = np.einsum("bn,bnf->bf", a, h)
    return PoolingForward(z, h, s, a, y)


def squared_error(y, target) -> tuple[float, np.ndarray]:
    """Return ``(L, dL/dy)`` for ``L = 0.5 * sum((y - target)**2)``. Introduced in chapter 4."""
    y = _array(y, "y")
    target = _array(target, "target")
    if y.shape != target.shape:
        raise ValueError(f"y and target must have the same shape, got {y.shape} and {target.shape}")
    diff = y - target
    return 0.5 * float(np.sum(diff**2)), diff


def pooling_loss(x, U, c, w, b, target, temperature: float = 1.0) -> float:
    """Return the scalar loss ``0.5 * sum((y - target)**2)`` of the chapter-4 model.

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
        dh_i = a_i dy + ds_i w / t
        dz   = dh * (1 - h**2)
        dx   = dz U^T,  dU = sum x^T dz,  dc = sum dz
    """
    x, U, c, w, b = _check_params(x, U, c, w, b)
    t = _temperature(temperature)
    fwd = pooling_forward(x, U, c, w, b, t)
    dy = _array(dy, "dy", 2)
    if dy.shape != fwd.y.shape:
        raise ValueError(f"dy must have the shape of y, {fwd.y.shape}, got {dy.shape}")
    h, a = fwd.h, fwd.a
    da = np.einsum("bnf,bf->bn", h, dy)
    ds = a * (da - np.sum(a * da, axis=-1, keepdims=True))
    dw = np.einsum("bn,bnf->f", ds, h) / t
    db = np.sum(ds) / t
    dh = a[..., None] * dy[:, None, :] + ds[..., None] * w / t
    dz = dh * (1.0 - h**2)
    dx = dz @ U.T
    dU = np.einsum("bni,bnh->ih", x, dz)
    dc = dz.sum(axis=(0, 1))
    return {"dx": dx, "dU": dU, "dc": dc, "dh": dh, "dw": dw, "db": np.asarray(db), "ds": ds, "da": da}


def tape_gradients(x, U, c, w, b, target, temperature: float = 1.0) -> dict[str, np.ndarray]:
    """Return ``{"dx", "dU", "dc", "dw", "db"}`` computed by ``tf.GradientTape`` in float64.

    Introduced in chapter 4. The forward pass is written again with TensorFlow ops
    (``tf.nn.softmax``), independently of :func:`pooling_forward`, so that agreement is evidence.
    """
    import tensorflow as tf

    x, U, c, w, b = _check_params(x, U, c, w, b)
    t = _temperature(temperature)
    target = _array(target, "target", 2)
    names = ("x", "U", "c", "w", "b")
    tensors = [tf.constant(v, dtype=tf.float64) for v in (x, U, c, w, b)]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        xt, Ut, ct, wt, bt = tensors
        h = tf.tanh(tf.einsum("bni,ih->bnh", xt, Ut) + ct)
        a = tf.nn.softmax((tf.einsum("bnh,h->bn", h, wt) + bt) / t, axis=-1)
        y = tf.einsum("bn,bnh->bh", a, h)
        loss = 0.5 * tf.reduce_sum((y - target) ** 2)
    grads = tape.gradient(loss, tensors)
    return {f"d{n}": g.numpy() for n, g in zip(names, grads, strict=True)}


# --------------------------------------------------------------------------- gradient checks


def numeric_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    """Return the central finite-difference gradient ``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``.

    Introduced in chapter 4. ``f`` maps a float64 array shaped like ``x`` to a scalar; ``x`` is
    not modified. Costs two calls of ``f`` per element, so keep ``x`` small. The error is about
    ``eps**2`` (truncation) plus ``1e-16 / eps`` (rounding); ``eps=1e-6`` balances the two in float64.
    """
    x = _array(x, "x")
    eps = float(eps)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a positive number such as 1e-6, got {eps!r}")
    grad = np.zeros_like(x)
    probe = x.copy()
    for k in np.ndindex(x.shape):
        old = probe[k]
        probe[k] = old + eps
        f_plus = f(probe.copy())
        probe[k] = old - eps
        f_minus = f(probe.copy())
        probe[k] = old
        if not (np.isscalar(f_plus) or np.ndim(f_plus) == 0):
            raise ValueError(f"f must return a scalar, got shape {np.shape(f_plus)}: sum the loss first")
        grad[k] = (float(f_plus) - float(f_minus)) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """Return ``||a - b|| / max(||a||, ||b||)`` (0.0 when both are exactly zero).

    Introduced in chapter 4. Use it for gradients that are not zero; a gradient that should be
    zero (such as ``dL/db``) is checked with an absolute tolerance instead, since its "relative"
    error is rounding noise divided by rounding noise.
    """
    a = _array(a, "a")
    b = _array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)


# --------------------------------------------------------------------------- custom gradient


def attention_pool_custom_gradient(H, w, b, temperature: float = 1.0):
    """Return ``y = sum_i a_i h_i`` (a ``tf.Tensor``, ``(batch, features)``) with the chapter-4
    gradients of ``H``, ``w`` and ``b`` supplied by ``tf.custom_gradient`` instead of autodiff.

    Introduced in chapter 4. ``H`` is ``(batch, positions, features)``; ``w`` is ``(features,)``;
    ``b`` is a scalar. Works in the dtype of ``H``.
    """
    import tensorflow as tf

    H = tf.convert_to_tensor(H)
    if H.shape.rank != 3:
        raise ValueError(f"H must be (batch, positions, features), got rank {H.shape.rank}: reshape it")
    w = tf.cast(tf.convert_to_tensor(w), H.dtype)
    b = tf.cast(tf.convert_to_tensor(b), H.dtype)
    if w.shape.rank != 1 or (H.shape[-1] is not None and w.shape[0] != H.shape[-1]):
        raise ValueError(f"w must have shape ({H.shape[-1]},) to match the features of H, got {tuple(w.shape)}")
    t = _temperature(temperature)

    @tf.custom_gradient
    def _pool(H, w, b):
        s = (tf.einsum("bnf,f->bn", H, w) + b) / t
        a = tf.nn.softmax(s, axis=-1)
        y = tf.einsum("bn,bnf->bf", a, H)

        def grad(dy):
            da = tf.einsum("bnf,bf->bn", H, dy)
            ds = a * (da - tf.reduce_sum(a * da, axis=-1, keepdims=True))
            dH = a[..., None] * dy[:, None, :] + ds[..., None] * w / t
            dw = tf.einsum("bn,bnf->f", ds, H) / t
            db = tf.reduce_sum(ds) / t
            return dH, dw, db

        return y, grad

    return _pool(H, w, b)


@keras.saving.register_keras_serializable(package="elastic_attention")
class CustomGradientAttentionPooling(AttentionPooling):
    """Return the same ``y`` as :class:`~elastic_attention.layers.AttentionPooling`, with the
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


def train_losses(model, x, labels, steps: int, batch_size: int = 64, learning_rate: float = 0.1) -> np.ndarray:
    """Return the ``steps`` training losses of plain SGD on ``model`` over fixed, unshuffled batches.

    Introduced in chapter 4, to show that two models with the same starting weights train
    identically. ``model`` maps ``x`` to logits; the loss is sparse categorical cross-entropy.
    """
    import keras
    import tensorflow as tf

    if not isinstance(steps, int) or steps <= 0:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    x = np.asarray(x, dtype=np.float32)
    labels = np.asarray(labels)
    if len(x) != len(labels):
        raise ValueError(f"x and labels must have the same length, got {len(x)} and {len(labels)}")
    if len(x) < batch_size:
        raise ValueError(f"need at least batch_size={batch_size} examples, got {len(x)}")
    optimizer = keras.optimizers.SGD(learning_rate)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    losses = []
    per_epoch = len(x) // batch_size
    for step in range(steps):
        k = step % per_epoch
        xb = tf.constant(x[k * batch_size : (k + 1) * batch_size])
        yb = tf.constant(labels[k * batch_size : (k + 1) * batch_size])
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        losses.append(float(loss))
    return np.asarray(losses)


# --------------------------------------------------------------------------- dot-product attention


def scaled_dot_product_attention(Q, K, V, mask=None, scale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(softmax(Q K^T * scale) V, weights)`` in float64; ``scale`` defaults to ``1/sqrt(d_k)``.

    Introduced in chapter 4. ``Q`` is ``(..., T, d_k)``, ``K`` is ``(..., S, d_k)``, ``V`` is
    ``(..., S, d_v)``; ``weights`` is ``(..., T, S)``. ``mask`` (broadcastable to ``(..., T, S)``,
    True = may attend) sends masked scores to ``-inf``; every query must keep one key.
    """
    Q = _array(Q, "Q")
    K = _array(K, "K")
    V = _array(V, "V")
    if Q.ndim < 2 or K.ndim < 2 or V.ndim < 2:
        raise ValueError(f"Q, K, V must have rank >= 2 (..., positions, dim), got ranks {Q.ndim}, {K.ndim}, {V.ndim}")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K must share the last axis d_k, got {Q.shape} and {K.shape}")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V must have the same number of positions, got {K.shape} and {V.shape}")
    scale = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else float(scale)
    scores = np.einsum("...td,...sd->...ts", Q, K) * scale
    if mask is not None:
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        if not np.all(mask.any(axis=-1)):
            raise ValueError("mask leaves a query with no key to attend to: keep at least one True per row")
        scores = np.where(mask, scores, -np.inf)
    # Subtract the row maximum (finite, since every row keeps a key); exp(-inf) is then exactly 0.
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    return np.einsum("...ts,...sd->...td", weights, V), weights


_MHA_PARTS = ("query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
              "attention_output/kernel", "attention_output/bias")


def mha_weights_from_keras(layer) -> dict[str, np.ndarray]:
    """Return a built ``keras.layers.MultiHeadAttention``'s weights as float64 arrays.

    Introduced in chapter 4. Keys: ``Wq, bq, Wk, bk, Wv, bv, Wo, bo`` with shapes
    ``(d_query, heads, key_dim)``, ``(heads, key_dim)``, ..., ``(heads, value_dim, d_out)``,
    ``(d_out,)``. Call the layer once (which builds it) before reading its weights.
    """
    if not getattr(layer, "built", False) or not layer.weights:
        raise ValueError("the MultiHeadAttention layer is not built: call it once on inputs first")
    found = {}
    for v in layer.weights:
        path = getattr(v, "path", v.name)
        for part in _MHA_PARTS:
            if path.endswith(part):
                found[part] = np.asarray(v.numpy(), dtype=np.float64)
    missing = [p for p in _MHA_PARTS if p not in found]
    if missing:
        raise ValueError(
            f"layer lacks weights {missing}: pass a keras.layers.MultiHeadAttention built with use_bias=True"
        )
    keys = ("Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo")
    return {k: found[p] for k, p in zip(keys, _MHA_PARTS, strict=True)}


def multi_head_attention(query, value, key=None, weights: dict[str, np.ndarray] | None = None,
                         mask=None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(output, attention_weights)`` of multi-head attention, from scratch in float64.

    Introduced in chapter 4. ``query`` is ``(batch, T, d_query)``, ``value`` (and ``key``, which
    defaults to ``value``) ``(batch, S, d_value)``; ``weights`` is the dict from
    :func:`mha_weights_from_keras`. Each head ``j`` projects ``Q_j = query Wq[:, j] + bq[j]`` (and
    likewise ``K_j``, ``V_j``), runs :func:`scaled_dot_product_attention`, and the heads are
    mixed by ``Wo``. ``attention_weights`` is ``(batch, heads, T, S)``, as Keras returns it.
    """
    if weights is None:
        raise ValueError("weights is required: pass mha_weights_from_keras(layer) or a dict with Wq..bo")
    query = _array(query, "query", 3)
    value = _array(value, "value", 3)
    key = value if key is None else _array(key, "key", 3)
    W = {k: _array(weights[k], k) for k in ("Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo")}
    if W["Wq"].shape[0] != query.shape[-1]:
        raise ValueError(f"Wq expects {W['Wq'].shape[0]} query features, query has {query.shape[-1]}")
    if W["Wk"].shape[0] != key.shape[-1] or W["Wv"].shape[0] != value.shape[-1]:
        raise ValueError(f"Wk/Wv expect {W['Wk'].shape[0]}/{W['Wv'].shape[0]} features, key/value have "
                         f"{key.shape[-1]}/{value.shape[-1]}")
    if key.shape[:2] != value.shape[:2]:
        raise ValueError(f"key and value must share (batch, positions), got {key.shape} and {value.shape}")
    # Move heads next to batch: (batch, heads, positions, dim).
    Q = np.einsum("btd,dhk->bhtk", query, W["Wq"]) + W["bq"][None, :, None, :]
    K = np.einsum("bsd,dhk->bhsk", key, W["Wk"]) + W["bk"][None, :, None, :]
    V = np.einsum("bsd,dhk->bhsk", value, W["Wv"]) + W["bv"][None, :, None, :]
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)[:, None]  # broadcast the same mask to every head
    heads, attn = scaled_dot_product_attention(Q, K, V, mask=mask)
    out = np.einsum("bhtv,hvo->bto", heads, W["Wo"]) + W["bo"]
    return out, attn


# --------------------------------------------------------------------------- saturation


def saturation_stats(dims, num_keys: int = 16, num_samples: int = 200, seed: int = 0,
                     scaled: bool = True) -> dict[str, np.ndarray]:
    """Return per-dimension statistics of ``softmax(q . k_j [/ sqrt(d)])`` for random unit-variance q, k.

    Introduced in chapter 4. Keys: ``dims``, ``score_std`` (spread of the scores),
    ``max_weight`` (mean largest weight; 1 means one-hot, saturated) and ``jacobian_norm``
    (mean Frobenius norm of the softmax Jacobian; near 0 means vanishing gradients).
    """
    dims = np.asarray(dims)
    if dims.ndim != 1 or dims.size == 0 or np.any(dims < 1) or not np.all(dims == np.round(dims)):
        raise ValueError(f"dims must be a 1-D list of positive integers, got {dims!r}")
    if num_keys < 2 or num_samples < 2:
        raise ValueError(f"need num_keys >= 2 and num_samples >= 2, got {num_keys} and {num_samples}")
    rng = np.random.default_rng(seed)
    out = {"dims": dims.astype(int), "score_std": [], "max_weight": [], "jacobian_norm": []}
    for d in dims.astype(int):
        q = rng.standard_normal((num_samples, 1, d))
        k = rng.standard_normal((num_samples, num_keys, d))
        s = np.einsum("nqd,nkd->nk", q, k)
        if scaled:
            s = s / np.sqrt(d)
        a = softmax(s)
        out["score_std"].append(s.std())
        out["max_weight"].append(a.max(axis=-1).mean())
        out["jacobian_norm"].append(jacobian_norm(s).mean())
    return {k: np.asarray(v) for k, v in out.items()}
