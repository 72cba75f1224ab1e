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


def test_gmp_head_takes_each_features_largest_cell():
    model = models.cluttered_classifier("gmp")
    x = np.random.default_rng(1).random((2, 40, 40, 1)).astype("float32")
    features = keras.Model(model.inputs, model.get_layer("pool3").output).predict(x, verbose=0)
    pooled = keras.Model(model.inputs, model.get_layer("gmp").output).predict(x, verbose=0)
    np.testing.assert_allclose(pooled, features.max(axis=(1, 2)), rtol=1e-6)


@pytest.mark.parametrize("head", ["gap", "gmp"])
def test_class_activation_maps_are_distributions(head):
    model = models.cluttered_classifier(head)
    x = np.random.default_rng(2).random((3, 40, 40, 1)).astype("float32")
    maps = models.class_activation_maps(model, x, np.array([0, 3, 9]))
    assert maps.shape == (3, 5, 5) and (maps >= 0).all()
    np.testing.assert_allclose(maps.sum(axis=(1, 2)), 1.0, rtol=1e-6)


def test_class_activation_maps_sum_to_the_gap_logit():
    model = models.cluttered_classifier("gap")
    x = np.random.default_rng(3).random((2, 40, 40, 1)).astype("float32")
    features = keras.Model(model.inputs, model.get_layer("pool3").output).predict(x, verbose=0)
    kernel, bias = (np.asarray(v) for v in model.get_layer("logits").weights)
    logits = model.predict(x, verbose=0)
    np.testing.assert_allclose(np.einsum("nhwf,fc->nc", features, kernel) / 25 + bias, logits, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="gap or gmp"):
        models.class_activation_maps(models.cluttered_classifier("attention"), x, [0, 1])
    with pytest.raises(ValueError, match="one class per image"):
        models.class_activation_maps(model, x, [0])


def test_cell_ink_sums_each_cell():
    images = np.zeros((2, 40, 40, 1))
    images[0, 8:16, 16:24] = 1.0  # the whole of cell (1, 2)
    images[1, 39, 39] = 0.5
    ink = metrics.cell_ink(images, (5, 5))
    assert ink.shape == (2, 5, 5) and ink[0, 1, 2] == 64 and ink[0].sum() == 64 and ink[1, 4, 4] == 0.5
    score, _ = metrics.pointing_game(ink, np.array([[8, 16, 16, 24], [0, 0, 8, 8]]), (40, 40))
    assert score == 0.5
    with pytest.raises(ValueError, match="multiple of the grid"):
        metrics.cell_ink(images, (3, 3))


def test_cells_in_box_draws_hits_of_the_pointing_game():
    rng = np.random.default_rng(0)
    boxes = np.tile([[8, 8, 24, 24]], (200, 1))  # centres 12 and 20 on each axis: cells 1..2
    cells = metrics.cells_in_box(boxes, (5, 5), (40, 40), rng)
    assert set(map(tuple, cells)) == {(1, 1), (1, 2), (2, 1), (2, 2)}
    avoid = np.tile([[1, 1]], (200, 1))
    assert (1, 1) not in set(map(tuple, metrics.cells_in_box(boxes, (5, 5), (40, 40), rng, avoid=avoid)))
    weights = np.zeros((200, 5, 5))
    weights[np.arange(200), cells[:, 0], cells[:, 1]] = 1.0
    assert metrics.pointing_game(weights, boxes, (40, 40))[0] == 1.0
    thin = np.array([[9, 9, 11, 11]])  # holds no cell centre: the cell under the box's centre
    assert metrics.cells_in_box(thin, (5, 5), (40, 40), rng).tolist() == [[1, 1]]
    with pytest.raises(ValueError, match="Generator"):
        metrics.cells_in_box(boxes, (5, 5), (40, 40), 0)
