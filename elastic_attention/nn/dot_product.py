"""Scaled dot-product and multi-head attention written from scratch in float64, and the
statistics of dot-product scores as the key dimension grows. Introduced in chapter 4.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as valid
from .softmax import jacobian_norm, softmax

__all__ = ["scaled_dot_product_attention", "mha_weights_from_keras", "mha_projections", "multi_head_attention",
           "saturation_stats", "dot_product_stats"]


def scaled_dot_product_attention(Q, K, V, mask=None, scale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(softmax(Q K^T * scale) V, weights)`` in float64; ``scale`` defaults to ``1/sqrt(d_k)``.

    Introduced in chapter 4. ``Q`` is ``(..., T, d_k)``, ``K`` is ``(..., S, d_k)``, ``V`` is
    ``(..., S, d_v)``; ``weights`` is ``(..., T, S)``. ``mask`` (broadcastable to ``(..., T, S)``,
    True = may attend) sends masked scores to ``-inf``; every query must keep one key.
    """
    Q = valid.array(Q, "Q")
    K = valid.array(K, "K")
    V = valid.array(V, "V")
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


def mha_projections(query, key, value, weights: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the per-head projections ``(Q, K, V)``, each ``(batch, heads, positions, dim)``.

    Introduced in chapter 4. Head ``j`` gets ``Q_j = query Wq[:, j] + bq[j]`` and likewise ``K_j``
    (from ``key``) and ``V_j`` (from ``value``); ``weights`` as from :func:`mha_weights_from_keras`.
    """
    W = weights
    # Move heads next to batch: (batch, heads, positions, dim).
    Q = np.einsum("btd,dhk->bhtk", query, W["Wq"]) + W["bq"][None, :, None, :]
    K = np.einsum("bsd,dhk->bhsk", key, W["Wk"]) + W["bk"][None, :, None, :]
    V = np.einsum("bsd,dhk->bhsk", value, W["Wv"]) + W["bv"][None, :, None, :]
    return Q, K, V


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
    query = valid.array(query, "query", 3)
    value = valid.array(value, "value", 3)
    key = value if key is None else valid.array(key, "key", 3)
    W = {k: valid.array(weights[k], k) for k in ("Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo")}
    if W["Wq"].shape[0] != query.shape[-1]:
        raise ValueError(f"Wq expects {W['Wq'].shape[0]} query features, query has {query.shape[-1]}")
    if W["Wk"].shape[0] != key.shape[-1] or W["Wv"].shape[0] != value.shape[-1]:
        raise ValueError(f"Wk/Wv expect {W['Wk'].shape[0]}/{W['Wv'].shape[0]} features, key/value have "
                         f"{key.shape[-1]}/{value.shape[-1]}")
    if key.shape[:2] != value.shape[:2]:
        raise ValueError(f"key and value must share (batch, positions), got {key.shape} and {value.shape}")
    Q, K, V = mha_projections(query, key, value, W)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)[:, None]  # broadcast the same mask to every head
    heads, attn = scaled_dot_product_attention(Q, K, V, mask=mask)
    out = np.einsum("bhtv,hvo->bto", heads, W["Wo"]) + W["bo"]
    return out, attn


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


def dot_product_stats(d: int, scaled: bool, num_keys: int, seed: int, num_samples: int = 200):
    """Return (mean sorted weights, mean largest weight, mean Jacobian norm) of random dot-product attention.

    Introduced in chapter 4. Queries and keys are unit-variance Gaussians of dimension ``d``;
    sorting each row before averaging shows the typical shape of one row of attention.
    """
    d = valid.positive_int(d, "d")
    num_keys = valid.positive_int(num_keys, "num_keys", minimum=2)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((num_samples, 1, d))
    k = rng.standard_normal((num_samples, num_keys, d))
    s = np.einsum("nqd,nkd->nk", q, k) / (np.sqrt(d) if scaled else 1.0)
    a = -np.sort(-softmax(s), axis=-1)
    return a.mean(axis=0), float(a[:, 0].mean()), float(jacobian_norm(s).mean())
