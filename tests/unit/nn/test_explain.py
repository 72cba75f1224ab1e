"""Saliency, occlusion, deletion/insertion and FGSM on models whose answers are known (chapter 8.2)."""

import keras
import numpy as np
import pytest

from elastic_attention.nn import explain


def _ink_in_cell_model(cell=(0, 0), size=8, grid=2):
    """Logit 0 = the ink in one grid cell; logit 1 = 0: class 0 depends on that cell alone."""
    h = size // grid
    weights = np.zeros((size, size, 1, 2), "float32")
    weights[cell[0] * h:(cell[0] + 1) * h, cell[1] * h:(cell[1] + 1) * h, 0, 0] = 1.0
    inputs = keras.Input(shape=(size, size, 1))
    x = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(2, use_bias=False)
    model = keras.Model(inputs, dense(x))
    dense.set_weights([weights.reshape(-1, 2)])
    return model


def test_saliency_and_occlusion_find_the_cell():
    model = _ink_in_cell_model(cell=(1, 0))
    x = np.ones((3, 8, 8, 1), "float32")
    y = np.zeros(3, int)
    saliency = explain.gradient_saliency(model, x, y, grid_shape=(2, 2))
    np.testing.assert_allclose(saliency[0], [[0, 0], [16, 0]])
    occlusion = explain.occlusion_map(model, x, y, grid_shape=(2, 2))
    assert (occlusion.reshape(3, -1).argmax(1) == 2).all() and np.allclose(occlusion[:, 0], 0)


def test_deletion_insertion_rewards_the_right_ranking():
    model = _ink_in_cell_model(cell=(0, 1))
    x = np.ones((2, 8, 8, 1), "float32")
    y = np.zeros(2, int)
    right = np.array([[[0.0, 1.0], [0.0, 0.0]]] * 2)
    wrong = np.array([[[1.0, 0.0], [0.5, 0.2]]] * 2)
    good, bad = (explain.deletion_insertion(model, x, y, s) for s in (right, wrong))
    assert len(good["deletion"]) == 5
    assert good["deletion_auc"] < bad["deletion_auc"] and good["insertion_auc"] > bad["insertion_auc"]
    # Nothing removed: the full image; everything removed: a black canvas (logits 0, p = 1/2).
    assert np.isclose(good["deletion"][0], bad["deletion"][0]) and np.isclose(good["deletion"][-1], 0.5)


def test_fgsm_moves_each_pixel_by_epsilon_within_range():
    model = _ink_in_cell_model()
    x = np.full((2, 8, 8, 1), 0.5, "float32")
    y = np.zeros(2, int)
    adv = explain.fgsm(model, x, y, 0.1)
    changed = np.abs(adv - x)
    assert np.isclose(changed.max(), 0.1) and adv.min() >= 0 and adv.max() <= 1
    # Raising class 0's loss means removing ink from its cell.
    assert (adv[:, :4, :4] < x[:, :4, :4]).all()
    np.testing.assert_array_equal(explain.fgsm(model, x, y, 0.0), x)


@pytest.mark.parametrize("epsilon", [-0.1, float("nan"), True, "0.1"])
def test_fgsm_bad_epsilon(epsilon):
    with pytest.raises(ValueError, match="epsilon must be a finite number >= 0"):
        explain.fgsm(_ink_in_cell_model(), np.zeros((1, 8, 8, 1)), np.zeros(1, int), epsilon)


def test_bad_shapes():
    model = _ink_in_cell_model()
    with pytest.raises(ValueError, match="rank 4"):
        explain.gradient_saliency(model, np.zeros((8, 8, 1)), np.zeros(1, int))
    with pytest.raises(ValueError, match="integer class indices"):
        explain.occlusion_map(model, np.zeros((2, 8, 8, 1)), np.zeros(3, int), grid_shape=(2, 2))
    with pytest.raises(ValueError, match="must divide"):
        explain.occlusion_map(model, np.zeros((2, 8, 8, 1)), np.zeros(2, int), grid_shape=(3, 3))
    with pytest.raises(ValueError, match="one map per image"):
        explain.deletion_insertion(model, np.zeros((2, 8, 8, 1)), np.zeros(2, int), np.zeros((3, 2, 2)))


def test_fgsm_accuracy_matches_fgsm_per_epsilon():
    model = _ink_in_cell_model()
    rng = np.random.default_rng(1)
    x = rng.random((6, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 2, 6)
    epsilons = [0.0, 0.05, 0.3]
    swept = explain.fgsm_accuracy(model, x, y, epsilons)
    one_by_one = [float((np.asarray(model(explain.fgsm(model, x, y, e))).argmax(1) == y).mean()) for e in epsilons]
    np.testing.assert_allclose(swept, one_by_one)
    with pytest.raises(ValueError, match="epsilon must be"):
        explain.fgsm_accuracy(model, x, y, [0.1, -0.2])
