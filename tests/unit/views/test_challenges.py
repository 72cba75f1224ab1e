"""Chapter 8's figures draw what they are given and refuse mismatched inputs."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from elastic_attention.views import challenges  # noqa: E402


def test_figures_draw():
    rows = [{"name": "a", "flops": 10, "accuracy": 0.9}, {"name": "b", "flops": 100, "accuracy": 0.95}]
    assert len(challenges.cost_accuracy(rows).axes[0].collections) == 2
    images, maps = np.zeros((2, 10, 10)), {"x": np.random.rand(2, 5, 5), "y": -np.random.rand(2, 5, 5)}
    assert sum(bool(ax.images) for ax in challenges.explanation_grid(images, maps).axes) == 4
    curve = {"deletion": np.ones(3), "insertion": np.ones(3), "deletion_auc": 1.0, "insertion_auc": 1.0}
    assert all(len(ax.lines) == 1 for ax in challenges.faithfulness_curves({"m": curve}).axes)
    assert len(challenges.accuracy_curves([0, 0.1], {"m": [0.9, 0.5]}, "epsilon").axes[0].lines) == 2
    assert sum(bool(ax.images) for ax in challenges.attack_maps(images, images, maps["x"], maps["x"]).axes) == 4


def test_bad_inputs():
    with pytest.raises(ValueError, match="rows must"):
        challenges.cost_accuracy([{"name": "a"}])
    with pytest.raises(ValueError, match="maps must"):
        challenges.explanation_grid(np.zeros((2, 10, 10)), {"x": np.zeros((3, 5, 5))})
    with pytest.raises(ValueError, match="one per x value"):
        challenges.accuracy_curves([0, 0.1], {"m": [0.9]}, "epsilon")
    with pytest.raises(ValueError, match="differ in shape"):
        challenges.attack_maps(np.zeros((2, 10, 10)), np.zeros((3, 10, 10)), np.zeros((2, 5, 5)), np.zeros((3, 5, 5)))
