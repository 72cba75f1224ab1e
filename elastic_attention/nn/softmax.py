"""Softmax, its Jacobian, and the tools that check a gradient: central differences and the
relative error. Introduced in chapter 4.

Everything works in float64 NumPy, so that the three ways of computing a gradient (the
derivation, ``tf.GradientTape``, central finite differences) agree to about ten digits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _validate as valid

__all__ = ["softmax", "softmax_jacobian", "jacobian_norm", "numeric_gradient", "relative_error"]


def softmax(s, axis: int = -1) -> np.ndarray:
    """Return ``softmax(s)`` along ``axis`` in float64 (weights that are positive and sum to 1).

    Introduced in chapter 4. The largest score is subtracted first; this changes nothing (softmax
    ignores a shared shift) and keeps ``exp`` from overflowing.
    """
    s = valid.array(s, "s")
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
    a = valid.array(a, "a")
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
    t = valid.temperature(temperature)
    J = softmax_jacobian(softmax(valid.array(s, "s") / t)) / t
    return np.sqrt((J**2).sum(axis=(-2, -1)))


def numeric_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    """Return the central finite-difference gradient ``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``.

    Introduced in chapter 4. ``f`` maps a float64 array shaped like ``x`` to a scalar; ``x`` is
    not modified. Costs two calls of ``f`` per element, so keep ``x`` small. The error is about
    ``eps**2`` (truncation) plus ``1e-16 / eps`` (rounding); ``eps=1e-6`` balances the two in float64.
    """
    x = valid.array(x, "x")
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
    a = valid.array(a, "a")
    b = valid.array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)
