"""Scaled dot-product and multi-head attention differentiated by hand, the same gradients from
``tf.GradientTape``, and the per-query gradient norms behind the ``1/sqrt(d)``. Introduced in
chapter 4.

With ``S = Q K^T * scale``, ``A = softmax(S)`` (over keys) and ``O = A V``, and ``dO = dL/dO``::

    dV = A^T dO
    dA = dO V^T
    dS = A * (dA - rowsum(dA * A))          # the softmax Jacobian, row by row
    dQ = dS K * scale
    dK = dS^T Q * scale

Masked positions have ``A = 0``, hence ``dS = 0``: they receive no gradient.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as valid
from .dot_product import mha_projections, scaled_dot_product_attention

__all__ = ["sdpa_backward", "sdpa_tape_gradients", "mha_backward", "mha_tape_gradients",
           "query_gradient_norms"]

_MHA_KEYS = ("Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo")


def _scale(Q, scale):
    return 1.0 / np.sqrt(Q.shape[-1]) if scale is None else float(scale)


def sdpa_backward(Q, K, V, dO, mask=None, scale: float | None = None) -> dict[str, np.ndarray]:
    """Return the hand-derived ``{"dQ", "dK", "dV", "dS", "dA", "A", "O"}`` of scaled dot-product attention.

    Introduced in chapter 4. Shapes as in :func:`~elastic_attention.nn.dot_product.scaled_dot_product_attention`;
    ``dO`` is ``dL/dO`` shaped like the output ``(..., T, d_v)``. ``scale`` defaults to ``1/sqrt(d_k)``.
    """
    out, A = scaled_dot_product_attention(Q, K, V, mask=mask, scale=scale)
    Q, K, V = (np.asarray(m, dtype=np.float64) for m in (Q, K, V))
    dO = valid.array(dO, "dO")
    if dO.shape != out.shape:
        raise ValueError(f"dO must have the shape of the output, {out.shape}, got {dO.shape}")
    k = _scale(Q, scale)
    dV = np.einsum("...ts,...td->...sd", A, dO)
    dA = np.einsum("...td,...sd->...ts", dO, V)
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True))
    dQ = np.einsum("...ts,...sd->...td", dS, K) * k
    dK = np.einsum("...ts,...td->...sd", dS, Q) * k
    return {"dQ": dQ, "dK": dK, "dV": dV, "dS": dS, "dA": dA, "A": A, "O": out}


def sdpa_tape_gradients(Q, K, V, dO, mask=None, scale: float | None = None) -> dict[str, np.ndarray]:
    """Return ``{"dQ", "dK", "dV"}`` of ``L = sum(O * dO)`` from ``tf.GradientTape`` in float64.

    Introduced in chapter 4. The forward pass is written again with TensorFlow ops (masked scores
    set to ``-inf`` before ``tf.nn.softmax``), independently of the NumPy code.
    """
    import tensorflow as tf

    Q, K, V, dO = (valid.array(m, n) for m, n in ((Q, "Q"), (K, "K"), (V, "V"), (dO, "dO")))
    k = _scale(Q, scale)
    tensors = [tf.constant(m) for m in (Q, K, V)]
    with tf.GradientTape() as tape:
        tape.watch(tensors)
        S = tf.linalg.matmul(tensors[0], tensors[1], transpose_b=True) * k
        if mask is not None:
            keep = tf.broadcast_to(tf.constant(np.asarray(mask, dtype=bool)), tf.shape(S))
            S = tf.where(keep, S, tf.constant(-np.inf, tf.float64))
        out = tf.linalg.matmul(tf.nn.softmax(S, axis=-1), tensors[2])
        loss = tf.reduce_sum(out * dO)
    return {n: g.numpy() for n, g in zip(("dQ", "dK", "dV"), tape.gradient(loss, tensors), strict=True)}


def mha_backward(query, value, dout, weights: dict[str, np.ndarray], key=None, mask=None) -> dict[str, np.ndarray]:
    """Return the hand-derived gradients of multi-head attention for ``dout = dL/d output``.

    Introduced in chapter 4. Keys: ``dWq, dbq, dWk, dbk, dWv, dbv, dWo, dbo`` (shaped like the
    weights of :func:`~elastic_attention.nn.dot_product.mha_weights_from_keras`) and ``dquery``,
    ``dkey``, ``dvalue`` (``dkey`` is added into ``dvalue`` when ``key`` is None, since then the
    keys are the values). Per head ``j``: ``dhead_j = dout Wo[j]^T``, then :func:`sdpa_backward`,
    then each projection ``X W + b`` gives ``dW = X^T dX_j`` and ``db = sum dX_j``.
    """
    if weights is None or any(k not in weights for k in _MHA_KEYS):
        raise ValueError(f"weights must be a dict with {_MHA_KEYS}: pass mha_weights_from_keras(layer)")
    W = {k: valid.array(weights[k], k) for k in _MHA_KEYS}
    query = valid.array(query, "query", 3)
    value = valid.array(value, "value", 3)
    key_in = value if key is None else valid.array(key, "key", 3)
    Q, K, V = mha_projections(query, key_in, value, W)
    m = None if mask is None else np.asarray(mask, dtype=bool)[:, None]
    heads, _ = scaled_dot_product_attention(Q, K, V, mask=m)
    dout = valid.array(dout, "dout", 3)
    if dout.shape[:2] != query.shape[:2] or dout.shape[-1] != W["Wo"].shape[-1]:
        raise ValueError(f"dout must be (batch, T, d_out) = {query.shape[:2] + W['Wo'].shape[-1:]}, got {dout.shape}")
    dheads = np.einsum("bto,hvo->bhtv", dout, W["Wo"])
    g = sdpa_backward(Q, K, V, dheads, mask=m)
    out = {"dWo": np.einsum("bhtv,bto->hvo", heads, dout), "dbo": dout.sum(axis=(0, 1))}
    for name, x, dX in (("q", query, g["dQ"]), ("k", key_in, g["dK"]), ("v", value, g["dV"])):
        out[f"dW{name}"] = np.einsum("bpd,bhpk->dhk", x, dX)
        out[f"db{name}"] = dX.sum(axis=(0, 2))
        out[f"d{name}_input"] = np.einsum("bhpk,dhk->bpd", dX, W[f"W{name}"])
    out["dquery"] = out.pop("dq_input")
    dkey, out["dvalue"] = out.pop("dk_input"), out.pop("dv_input")
    if key is None:
        out["dvalue"] = out["dvalue"] + dkey
    else:
        out["dkey"] = dkey
    return out


def mha_tape_gradients(layer, query, value, dout, key=None, mask=None) -> dict[str, np.ndarray]:
    """Return the gradients of :func:`mha_backward` computed by ``tf.GradientTape`` through a Keras layer.

    Introduced in chapter 4. ``layer`` is a built ``keras.layers.MultiHeadAttention`` (use
    ``dtype="float64"`` for a ten-digit comparison); the loss is ``sum(layer(...) * dout)``.
    Keras multiplies the queries by ``1/sqrt(key_dim)`` rounded to float32 (exact when ``key_dim``
    is a power of 4), so other key dimensions agree only to about ``1e-8``.
    """
    import tensorflow as tf

    from .dot_product import mha_weights_from_keras

    mha_weights_from_keras(layer)  # raises a clear error when the layer is not built
    dtype = layer.variable_dtype
    query_t = tf.constant(query, dtype)
    value_t = tf.constant(value, dtype)
    inputs = [query_t, value_t] + ([] if key is None else [tf.constant(key, dtype)])
    variables = {}
    for v in layer.trainable_weights:
        for part, name in zip(("query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel",
                               "value/bias", "attention_output/kernel", "attention_output/bias"), _MHA_KEYS, strict=True):
            if v.path.endswith(part):
                variables["d" + name] = v
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        out = layer(query_t, value_t, key=None if key is None else inputs[2],
                    attention_mask=None if mask is None else tf.constant(np.asarray(mask, dtype=bool)))
        loss = tf.reduce_sum(out * tf.constant(dout, dtype))
    names = list(variables)
    grads = tape.gradient(loss, [variables[n] for n in names] + inputs)
    result = {n: np.asarray(g, dtype=np.float64) for n, g in zip(names, grads, strict=False)}
    input_names = ["dquery", "dvalue"] + ([] if key is None else ["dkey"])
    result.update({n: g.numpy() for n, g in zip(input_names, grads[len(names):], strict=True)})
    return result


def query_gradient_norms(d: int, scaled: bool, num_queries: int = 512, num_keys: int = 16, d_v: int = 16,
                         seed: int = 0) -> np.ndarray:
    """Return ``||dQ_t||`` for each of ``num_queries`` random queries, with or without ``1/sqrt(d)``.

    Introduced in chapter 4. Queries, keys and values are unit-variance Gaussians (queries and
    keys of dimension ``d``, values of dimension ``d_v``), and so is ``dO``: each query row is
    its own attention problem over the same ``num_keys`` keys drawn afresh per query.
    """
    d = valid.positive_int(d, "d")
    num_queries = valid.positive_int(num_queries, "num_queries")
    num_keys = valid.positive_int(num_keys, "num_keys", minimum=2)
    rng = np.random.default_rng(seed)
    Q = rng.standard_normal((num_queries, 1, d))
    K = rng.standard_normal((num_queries, num_keys, d))
    V = rng.standard_normal((num_queries, num_keys, d_v))
    dO = rng.standard_normal((num_queries, 1, d_v))
    dQ = sdpa_backward(Q, K, V, dO, scale=None if scaled else 1.0)["dQ"]
    return np.linalg.norm(dQ[:, 0], axis=-1)
