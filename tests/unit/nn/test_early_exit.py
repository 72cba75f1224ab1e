"""The early-exit model's exit position and its accuracy-compute curve (chapters 5.5 and 3.5)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.nn import early_exit as X
from elastic_attention.nn import glimpse as G


def test_exit_after_the_first_stage_moves_compute_to_the_late_part():
    keras.utils.set_random_seed(0)
    one, two = X.early_exit_classifier((16, 16, 1), exit_after=1), X.early_exit_classifier((16, 16, 1))
    assert G.count_flops(one.stem) < G.count_flops(two.stem) and G.count_flops(one.late) > G.count_flops(two.late)
    assert one.stem.output.shape[1:] == (8, 8, 32)
    with pytest.raises(ValueError, match="exit_after must be 1 or 2"):
        X.early_exit_classifier(exit_after=3)


def test_exit_curve_matches_predict_elastic():
    keras.utils.set_random_seed(0)
    parts = X.early_exit_classifier((16, 16, 1), exit_after=1)
    images = np.random.default_rng(0).uniform(size=(10, 16, 16, 1)).astype(np.float32)
    labels = np.arange(10)
    curve = X.exit_curve(parts, images, labels, (0.0, 0.105, 1.0))
    for row in curve:
        pred, late = X.predict_elastic(parts, images, row["threshold"])
        assert row["accuracy"] == pytest.approx((pred == labels).mean()) and row["late"] == pytest.approx(late / 10)
    cheap = G.count_flops(parts.stem) + G.count_flops(parts.early)
    assert curve[0]["flops"] == pytest.approx(cheap) and curve[-1]["flops"] == pytest.approx(cheap + G.count_flops(parts.late))
    with pytest.raises(ValueError, match="one length"):
        X.exit_curve(parts, images, labels[:3], (0.5,))
    with pytest.raises(ValueError, match=r"threshold must lie in \[0, 1\]"):
        X.exit_curve(parts, images, labels, (1.5,))
