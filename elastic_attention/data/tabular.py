"""The Breast Cancer Wisconsin (Diagnostic) records bundled with scikit-learn (chapter 6.4).

Introduced in chapter 6.4, as a teaching stand-in for tabular medical data: 569 records, 30
features computed from images of cell nuclei, each labelled malignant or benign. Nothing is
downloaded: scikit-learn ships the file. It is not a medical tool, and neither is any model the
book trains on it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate as valid
from .registry import DatasetSpec, register

__all__ = ["BREAST_CANCER", "TabularSplit", "breast_cancer_split"]

BREAST_CANCER = register(DatasetSpec(
    "breast_cancer", "external/sklearn_breast_cancer", (), "CC BY 4.0",
    "Breast Cancer Wisconsin (Diagnostic), Wolberg, Street and Mangasarian, UCI (1995), as bundled with "
    "scikit-learn (sklearn.datasets.load_breast_cancer)", "6.4", "elastic_attention.data.breast_cancer_split",
    "ships with scikit-learn; nothing to rebuild"))


class TabularSplit(NamedTuple):
    """Standardised ``x_train``, ``x_test`` (float32), 0/1 labels ``y_train``, ``y_test`` (1 = malignant)
    and the ``feature_names``. Introduced in chapter 6.4."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]


def breast_cancer_split(seed: int = 0, test_fraction: float = 0.3) -> TabularSplit:
    """Return a stratified, seeded :class:`TabularSplit`; the scaling is fitted on the training part only.

    Introduced in chapter 6.4.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    valid.probability(test_fraction, "test_fraction", open_interval=True)
    data = load_breast_cancer()
    # scikit-learn codes malignant as 0; the book counts the finding it looks for as positive.
    y = (data.target == 0).astype(np.float32)
    x_tr, x_te, y_tr, y_te = train_test_split(data.data, y, test_size=test_fraction, stratify=y, random_state=seed)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
    scale = lambda x: ((x - mean) / std).astype(np.float32)  # noqa: E731
    return TabularSplit(scale(x_tr), y_tr, scale(x_te), y_te, tuple(data.feature_names))
