"""Chapter 6's figures are drawn (one panel per row) and refuse empty input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import elastic_attention as ea  # noqa: E402
from elastic_attention.views import applications as views  # noqa: E402


def test_figures_are_drawn():
    w = np.full((2, 5), 0.2)
    assert len(views.weight_bars(w, w > 0.3).axes) == 2
    assert len(views.token_weights([["where", "is", "it"]], [[0.2, 0.5, 0.3, 0.0]]).axes) == 1
    assert len(views.bag_weights(np.zeros((1, 3, 8, 8)), [[0.2, 0.3, 0.5]], [[0, 1, 0]]).axes) == 3
    assert len(views.feature_weights(["a", "b", "c"], [0.2, 0.3, 0.5]).axes) == 1
    run = ea.data.simulate(lambda q, p, t: p, steps=20)
    assert len(views.signal_timeline({"hold": run}, weights=np.full((20, 4), 0.25)).axes) == 2


def test_bad_input():
    with pytest.raises(ValueError, match="at least one position"):
        views.weight_bars(np.zeros((2, 0)), np.zeros((2, 0)))
    with pytest.raises(ValueError, match="empty"):
        views.token_weights([], [])
    with pytest.raises(ValueError, match="one weight per feature"):
        views.feature_weights(["a"], [0.5, 0.5])
