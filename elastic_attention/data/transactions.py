"""Synthetic card transactions with injected fraud, and where it was injected (chapter 6.3).

Introduced in chapter 6.3. Each account has a sequence of ``length`` transactions, five features
each (:data:`FEATURES`). A fraudulent sequence holds one injected transaction that is large, at
night, far from home and at a new merchant, all at once; normal transactions show each of these
traits two at a time now and then (``decoy_rate``), so no single feature gives fraud away and the
detector must combine them. The injected position is returned, so that "does attention point at
the fraud" is measurable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as valid
from .registry import register_generated

__all__ = ["TRANSACTIONS", "FEATURES", "Transactions", "make_transactions"]

FEATURES = ("log_amount", "hour_sin", "hour_cos", "log_distance", "new_merchant")

TRANSACTIONS = register_generated("transactions", "6.3", "elastic_attention.data.make_transactions",
                                  "synthetic: elastic_attention.data.make_transactions (no files; drawn from a seed)")


@dataclass(frozen=True)
class Transactions:
    """``x`` ``(N, length, 5)`` float32 features, 0/1 ``labels`` ``(N,)`` and ``fraud_at`` ``(N,)``,
    the injected position (-1 for a normal sequence). Introduced in chapter 6.3."""

    x: np.ndarray
    labels: np.ndarray
    fraud_at: np.ndarray


def _traits(rng, shape, on):
    """Return amount, hour and distance draws; where ``on`` is True the trait is the unusual one."""
    amount = np.where(on[0], rng.normal(5.5, 0.8, shape), rng.normal(3.5, 0.8, shape))
    hour = np.where(on[1], rng.uniform(0, 6, shape), rng.uniform(7, 24, shape))
    distance = np.where(on[2], rng.normal(4.5, 1.0, shape), rng.normal(1.5, 1.0, shape))
    new = on[3] | (rng.random(shape) < 0.05)
    return amount, hour, distance, new


def make_transactions(num_accounts: int, length: int = 20, fraud_rate: float = 0.3, decoy_rate: float = 0.15,
                      seed: int = 0) -> Transactions:
    """Return :class:`Transactions` for ``num_accounts`` sequences drawn with ``seed``.

    Introduced in chapter 6.3. The fraud sits at a uniform random position; ``decoy_rate`` is the
    chance that a normal transaction shows two unusual traits.
    """
    valid.positive_int(num_accounts, "num_accounts")
    valid.positive_int(length, "length")
    valid.probability(fraud_rate, "fraud_rate")
    valid.probability(decoy_rate, "decoy_rate")
    rng = np.random.default_rng(seed)
    shape = (num_accounts, length)
    decoy = rng.random(shape) < decoy_rate
    # A decoy shows two of the four unusual traits; only fraud shows all four.
    ranks = rng.random((4, *shape)).argsort(axis=0).argsort(axis=0)
    on = decoy & (ranks < 2)
    labels = rng.random(num_accounts) < fraud_rate
    fraud_at = np.where(labels, rng.integers(0, length, num_accounts), -1)
    rows = np.flatnonzero(labels)
    on[:, rows, fraud_at[rows]] = True
    amount, hour, distance, new = _traits(rng, shape, on)
    angle = 2 * np.pi * hour / 24
    x = np.stack([(amount - 3.5) / 1.5, np.sin(angle), np.cos(angle), (distance - 1.5) / 2.0, new], axis=-1)
    return Transactions(x.astype(np.float32), labels.astype(np.float32), fraud_at.astype(np.int64))
