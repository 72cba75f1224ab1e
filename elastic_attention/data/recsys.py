"""Synthetic click logs with known ground-truth preferences, for target attention (chapter 6.1).

Introduced in chapter 6.1. Items belong to categories (item ``i`` is in category
``i % num_categories``). Each user has a few favourite categories; half of the history comes from
them, the rest is drawn at random. A candidate item is clicked when the history holds an item of
the candidate's category (the *relevant* items), with labels flipped at a small ``noise`` rate. So
"which past items explain this click" has a right answer, and an attention map can be scored
against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as valid
from .registry import register_generated

__all__ = ["RECSYS", "ClickLog", "make_clicks"]

RECSYS = register_generated("recsys", "6.1", "elastic_attention.data.make_clicks",
                            "synthetic: elastic_attention.data.make_clicks (no files; drawn from a seed)")


@dataclass(frozen=True)
class ClickLog:
    """Histories ``(N, L)`` of item ids, ``candidates`` ``(N,)``, 0/1 ``labels`` ``(N,)``, the ground
    truth ``relevant`` ``(N, L)`` (history items in the candidate's category) and ``num_items``.

    Introduced in chapter 6.1.
    """

    history: np.ndarray
    candidates: np.ndarray
    labels: np.ndarray
    relevant: np.ndarray
    num_items: int
    num_categories: int

    def category(self, items) -> np.ndarray:
        """Return the category of each item id in ``items``."""
        return np.asarray(items) % self.num_categories


def make_clicks(num_users: int, history_length: int = 10, num_items: int = 60, num_categories: int = 20,
                favourites: int = 3, noise: float = 0.05, seed: int = 0) -> ClickLog:
    """Return a :class:`ClickLog` of ``num_users`` (user, candidate) pairs drawn with ``seed``.

    Introduced in chapter 6.1. Half of the candidates come from the user's favourite categories.
    """
    valid.positive_int(num_users, "num_users")
    valid.positive_int(history_length, "history_length")
    valid.positive_int(num_categories, "num_categories", minimum=2)
    valid.positive_int(favourites, "favourites")
    valid.probability(noise, "noise")
    if favourites >= num_categories:
        raise ValueError(f"favourites ({favourites}) must be fewer than num_categories ({num_categories})")
    valid.positive_int(num_items, "num_items", minimum=num_categories)
    rng = np.random.default_rng(seed)
    per_category = num_items // num_categories
    fav = np.stack([rng.choice(num_categories, favourites, replace=False) for _ in range(num_users)])
    from_fav = rng.random((num_users, history_length)) < 0.5
    cats = np.where(from_fav, np.take_along_axis(fav, rng.integers(0, favourites, (num_users, history_length)), 1),
                    rng.integers(0, num_categories, (num_users, history_length)))
    history = cats + num_categories * rng.integers(0, per_category, cats.shape)
    cand_cat = np.where(rng.random(num_users) < 0.5, fav[np.arange(num_users), rng.integers(0, favourites, num_users)],
                        rng.integers(0, num_categories, num_users))
    candidates = cand_cat + num_categories * rng.integers(0, per_category, num_users)
    relevant = cats == cand_cat[:, None]
    labels = relevant.any(axis=1) ^ (rng.random(num_users) < noise)
    return ClickLog(history.astype(np.int64), candidates.astype(np.int64), labels.astype(np.float32), relevant,
                    num_items=per_category * num_categories, num_categories=num_categories)
