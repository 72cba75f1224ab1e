"""Chapter 3.7's figures draw what they are given and refuse mismatched inputs."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from elastic_attention.views import optim  # noqa: E402


def test_figures_draw():
    assert len(optim.schedule_curves({"a": [1, 0.5], "b": [0.1, 0.2]}).axes[0].lines) == 2
    fig = optim.grid_heatmap(np.arange(6).reshape(2, 3) / 6, ["r1", "r2"], ["c1", "c2", "c3"])
    assert fig.axes[0].images and len(fig.axes[0].texts) == 6
    assert len(optim.loss_curves({"x": [1.0, 0.5, 0.2]}).axes[0].lines) == 1


def test_bad_inputs():
    with pytest.raises(ValueError, match="non-empty dict"):
        optim.schedule_curves({})
    with pytest.raises(ValueError, match="1-D"):
        optim.loss_curves({"x": []})
    with pytest.raises(ValueError, match="shape"):
        optim.grid_heatmap(np.zeros((2, 2)), ["a"], ["b", "c"])
