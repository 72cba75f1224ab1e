import keras
import numpy as np
import pytest

from elastic_attention.nn import metrics, models
from elastic_attention.train import loops as training


@pytest.mark.parametrize("head", models.HEADS)
def test_heads_build_and_save(head, tmp_path):
    model = models.cluttered_classifier(head, input_shape=(40, 40, 1))
    x = np.random.default_rng(0).random((2, 40, 40, 1)).astype("float32")
    assert model.predict(x, verbose=0).shape == (2, 10)
    path = tmp_path / f"{head}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_explainer_outputs_weights():
    model = models.cluttered_classifier("attention")
    logits, weights = models.attention_explainer(model).predict(np.zeros((3, 40, 40, 1), "float32"), verbose=0)
    assert logits.shape == (3, 10) and weights.shape == (3, 5, 5)
    np.testing.assert_allclose(weights.reshape(3, -1).sum(1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="no layer"):
        models.attention_explainer(models.cluttered_classifier("gap"))


def test_unknown_head():
    with pytest.raises(ValueError, match="unknown head"):
        models.cluttered_classifier("transformer")


@pytest.mark.parametrize(("kwargs", "match"), [({"epochs": 0}, "epochs"), ({"epochs": -3}, "epochs"),
                                               ({"batch_size": 0}, "batch_size"), ({"learning_rate": float("nan")}, "learning_rate")])
def test_bad_hyperparameters(kwargs, match):
    from elastic_attention.data import ClutteredDigits

    tiny = ClutteredDigits(np.zeros((4, 40, 40, 1), "float32"), np.zeros(4, int), np.zeros((4, 4), int), np.arange(4))
    args = {"epochs": 1, "batch_size": 2, "learning_rate": 1e-3} | kwargs
    with pytest.raises(ValueError, match=match):
        training.train_cluttered_head("attention", tiny, tiny, verbose=0, **args)


def test_nan_inputs_rejected():
    model = training.compile_classifier(models.seed_cnn())
    x = np.zeros((4, 8, 8, 1), "float32")
    x[1, 2, 3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        training.fit(model, (x, np.zeros(4, int)), epochs=1, verbose=0)


def test_pointing_game_hits_and_chance():
    weights = np.zeros((2, 5, 5))
    weights[0, 1, 1] = 1.0  # centre (12, 12): inside box 0
    weights[1, 4, 4] = 1.0  # centre (36, 36): outside box 1
    boxes = np.array([[8, 8, 24, 24], [8, 8, 24, 24]])
    score, chance = metrics.pointing_game(weights, boxes, (40, 40))
    assert score == 0.5
    assert chance == pytest.approx(4 / 25)
    loose_score, loose_chance = metrics.pointing_game(weights, boxes, (40, 40), tolerance=1)
    assert loose_chance == pytest.approx(16 / 25) and loose_score == 0.5


def test_pointing_game_bad_shapes():
    with pytest.raises(ValueError, match="weights"):
        metrics.pointing_game(np.zeros((2, 25)), np.zeros((2, 4)), (40, 40))
    with pytest.raises(ValueError, match="boxes"):
        metrics.pointing_game(np.zeros((2, 5, 5)), np.zeros((3, 4)), (40, 40))


def test_confusion_matrix_and_occlusion():
    cm = metrics.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], num_classes=3)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    images = np.ones((2, 40, 40, 1), "float32")
    out = metrics.occlude_cells(images, np.array([[0, 0], [4, 4]]), (5, 5))
    assert out[0, :8, :8].sum() == 0 and out[0, 8:, :].min() == 1 and out[1, 32:, 32:].sum() == 0
    assert images.min() == 1  # the input is not modified


def test_viz_functions_draw():
    from elastic_attention.views import attention, figures

    fig = attention.attention_grid(np.zeros((3, 40, 40, 1)), np.full((3, 5, 5), 1 / 25), np.array([[0, 0, 8, 8]] * 3), [1, 2, 3], [1, 2, 3])
    assert sum(1 for ax in fig.axes if ax.images) == 3
    assert figures.learning_curves({"a": {"loss": [2.0, 1.0], "val_loss": [2.1, 1.2]}}, metrics=("loss",)).axes[0].lines
    with pytest.raises(ValueError):
        attention.upsample_weights(np.ones((3, 3)), (40, 40))
