"""Calibrated confidence and decisions with costs: temperature scaling, reliability data, expected
calibration error, and the abstain rule that minimizes the expected cost.

Introduced in chapter 3.4. A classifier's top softmax probability is a *confidence*; it is
calibrated when, among the inputs given confidence ``p``, a share ``p`` is right. Temperature
scaling divides the logits by one number ``T`` fitted on held-out data (Guo et al. 2017). A
decision rule then answers when the confidence reaches a threshold and otherwise abstains
(defers to a person or a bigger model) at a fixed cost.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as valid
from .softmax import softmax

__all__ = ["check_probs", "nll", "fit_temperature", "Reliability", "reliability", "expected_calibration_error",
           "decision_costs", "best_threshold", "scaled_probs"]


def _labels(labels, n: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be {n} integer class indices (one per row), got shape {y.shape} dtype {y.dtype}")
    return y


def check_probs(probs) -> np.ndarray:
    """Return ``probs`` as an ``(N, classes)`` float64 array whose rows are probability vectors, or
    raise a clear ValueError.

    Introduced in chapter 3.4.
    """
    p = valid.array(probs, "probs", ndim=2)
    if len(p) == 0:
        raise ValueError("probs is empty: pass at least one row")
    if (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("probs rows must be non-negative and sum to 1: apply a softmax to logits first")
    return p


def nll(logits, labels, temperature: float = 1.0) -> float:
    """Return the mean negative log-likelihood of ``labels`` under ``softmax(logits / temperature)``.

    Introduced in chapter 3.4.
    """
    z = valid.array(logits, "logits", ndim=2) / valid.temperature(temperature)
    y = _labels(labels, len(z))
    z = z - z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(z)), y]))


def fit_temperature(logits, labels, bounds=(0.05, 20.0)) -> float:
    """Return the temperature ``T`` in ``bounds`` that minimizes :func:`nll` on ``(logits, labels)``.

    Introduced in chapter 3.4. One parameter, fitted on held-out data: it rescales confidence and
    never changes which class wins.
    """
    from scipy.optimize import minimize_scalar

    lo, hi = (valid.positive_number(b, "bounds") for b in bounds)
    if lo >= hi:
        raise ValueError(f"bounds must be (low, high) with low < high, got {bounds!r}")
    z = valid.array(logits, "logits", ndim=2)
    y = _labels(labels, len(z))
    result = minimize_scalar(lambda log_t: nll(z, y, float(np.exp(log_t))), bounds=(np.log(lo), np.log(hi)),
                             method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))


class Reliability(NamedTuple):
    """Per-bin reliability data: bin ``edges`` (bins + 1), mean ``confidence``, ``accuracy`` and
    ``counts`` per bin (empty bins hold NaN confidence and accuracy).

    Introduced in chapter 3.4.
    """

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray


def reliability(probs, labels, bins: int = 10) -> Reliability:
    """Return :class:`Reliability` data of the top-class confidence over ``bins`` equal-width bins.

    Introduced in chapter 3.4.
    """
    p = check_probs(probs)
    y = _labels(labels, len(p))
    bins = valid.positive_int(bins, "bins")
    conf, right = p.max(axis=1), p.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore"):
        mean_conf = np.bincount(which, conf, bins) / counts
        acc = np.bincount(which, right.astype(float), bins) / counts
    return Reliability(edges, mean_conf, acc, counts)


def expected_calibration_error(probs, labels, bins: int = 10) -> float:
    """Return the ECE: the count-weighted mean gap ``|accuracy - confidence|`` over reliability bins.

    Introduced in chapter 3.4.
    """
    r = reliability(probs, labels, bins)
    full = r.counts > 0
    return float(np.sum(r.counts[full] * np.abs(r.accuracy[full] - r.confidence[full])) / r.counts.sum())


def decision_costs(probs, labels, thresholds, error_cost: float = 1.0, abstain_cost: float = 0.2) -> np.ndarray:
    """Return the mean cost per input for each threshold: answer when the top probability reaches it
    (cost ``error_cost`` when wrong, 0 when right), abstain otherwise (cost ``abstain_cost``).

    Introduced in chapter 3.4. Thresholds must lie in [0, 1].
    """
    p = check_probs(probs)
    y = _labels(labels, len(p))
    ts = np.array([valid.probability(t, "threshold") for t in np.atleast_1d(thresholds)])
    error_cost = valid.positive_number(error_cost, "error_cost")
    abstain_cost = valid.positive_number(abstain_cost, "abstain_cost")
    conf, wrong = p.max(axis=1), p.argmax(axis=1) != y
    answer = conf[None, :] >= ts[:, None]
    return np.where(answer, wrong[None, :] * error_cost, abstain_cost).mean(axis=1)


def best_threshold(probs, labels, error_cost: float = 1.0, abstain_cost: float = 0.2) -> float:
    """Return the threshold in [0, 1] with the lowest :func:`decision_costs` on ``(probs, labels)``
    (the smallest one on ties), searched over every distinct confidence.

    Introduced in chapter 3.4. With calibrated probabilities the answer is near
    ``1 - abstain_cost / error_cost``: answering costs ``(1 - p) * error_cost`` in expectation.
    """
    p = check_probs(probs)
    candidates = np.unique(np.concatenate([[0.0, 1.0], p.max(axis=1)]))
    costs = decision_costs(p, labels, candidates, error_cost, abstain_cost)
    return float(candidates[int(np.argmin(costs))])


def scaled_probs(logits, temperature: float = 1.0) -> np.ndarray:
    """Return ``softmax(logits / temperature)`` row-wise. Introduced in chapter 3.4."""
    return softmax(valid.array(logits, "logits", ndim=2) / valid.temperature(temperature))

