"""Bags of digit images for multiple-instance learning (chapter 6.4), after Ilse et al. (2018).

Introduced in chapter 6.4. A bag holds ``bag_size`` 8x8 digits from the shipped digits; it is
positive when at least one of them is ``positive_digit``. Only the bag's label is given for
training; the per-instance labels are kept to measure whether attention finds the positive
instances (as a pathologist's region of interest would be found among tissue patches). Training
bags draw from the train split and test bags from the test split, so no image is in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as valid
from .digits import load_digit_arrays
from .registry import register_generated

__all__ = ["DIGIT_BAGS", "Bags", "make_bags"]

DIGIT_BAGS = register_generated("digit_bags", "6.4", "elastic_attention.data.make_bags",
                                "bags drawn by elastic_attention.data.make_bags from data/digits (UCI digits, CC BY 4.0)",
                                licence="CC BY 4.0 (from the shipped digits)")


@dataclass(frozen=True)
class Bags:
    """``x`` ``(N, bag_size, 8, 8)`` float32 in [0, 1], bag ``labels`` ``(N,)`` and instance labels
    ``instances`` ``(N, bag_size)`` (1 where the digit is the positive one). Introduced in chapter 6.4."""

    x: np.ndarray
    labels: np.ndarray
    instances: np.ndarray


def make_bags(split: str, num_bags: int, bag_size: int = 10, positive_digit: int = 9, positive_fraction: float = 0.5,
              max_positives: int = 2, seed: int = 0) -> Bags:
    """Return :class:`Bags` of ``num_bags`` bags from one split of the shipped digits.

    Introduced in chapter 6.4. A positive bag holds 1 to ``max_positives`` positive digits at
    random places; a negative bag holds none.
    """
    valid.positive_int(num_bags, "num_bags")
    if isinstance(bag_size, (int, np.integer)) and not isinstance(bag_size, bool) and bag_size < 1:
        raise ValueError(f"bag_size must be at least 1, got {bag_size}: an empty bag has no instance to attend to")
    valid.positive_int(bag_size, "bag_size")
    valid.positive_int(max_positives, "max_positives")
    valid.one_of(positive_digit, range(10), "positive_digit")
    valid.probability(positive_fraction, "positive_fraction")
    if max_positives > bag_size:
        raise ValueError(f"max_positives ({max_positives}) cannot exceed bag_size ({bag_size})")
    images, labels, _ = load_digit_arrays(split)
    pos_pool, neg_pool = np.flatnonzero(labels == positive_digit), np.flatnonzero(labels != positive_digit)
    rng = np.random.default_rng(seed)
    bag_labels = rng.random(num_bags) < positive_fraction
    index = rng.choice(neg_pool, (num_bags, bag_size))
    instances = np.zeros((num_bags, bag_size), dtype=np.int64)
    for b in np.flatnonzero(bag_labels):
        places = rng.choice(bag_size, rng.integers(1, max_positives + 1), replace=False)
        index[b, places] = rng.choice(pos_pool, len(places))
        instances[b, places] = 1
    return Bags(images[index].astype(np.float32) / 255.0, bag_labels.astype(np.float32), instances)
