"""Chapter 3's layers and builders: augmentation, small architectures, trunk transfer, fusion, temperature."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.nn import architectures, augment, fusion, metrics, models


def test_augmenter_acts_only_while_training():
    x = np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32")
    aug = augment.augmenter(rotation=30, translation=0.1, zoom=0.1, noise=0.1)
    assert not np.allclose(keras.ops.convert_to_numpy(aug(x, training=True)), x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(aug(x, training=False)), x)
    wrapped = augment.with_augmentation(models.seed_cnn(), aug)
    assert wrapped.output_shape == (None, 10)
    with pytest.raises(ValueError, match="every transform is off"):
        augment.augmenter(rotation=0, translation=0, zoom=0)
    with pytest.raises(ValueError, match="degrees"):
        augment.augmenter(rotation=400)


@pytest.mark.parametrize("kind", architectures.ARCHITECTURES)
def test_small_models_output_logits(kind):
    model = architectures.small_model(kind)
    out = model(np.zeros((2, 8, 8, 1), dtype="float32"))
    assert tuple(out.shape) == (2, 10)


def test_small_model_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown architecture"):
        architectures.small_model("lstm")
    with pytest.raises(ValueError, match="S even"):
        architectures.small_model("cnn", input_shape=(7, 7, 1))


def test_copy_trunk_moves_weights_and_checks_names():
    source = models.cluttered_classifier("gap", input_shape=(16, 16, 1))
    target = models.cluttered_classifier("attention")
    for layer in source.layers:
        if layer.name.startswith("conv"):
            layer.set_weights([w + 1.0 for w in layer.get_weights()])
    copied = architectures.copy_trunk(source, target, freeze=True)
    assert copied[0] == "conv1"
    np.testing.assert_array_equal(target.get_layer("conv2").get_weights()[0], source.get_layer("conv2").get_weights()[0])
    assert not target.get_layer("conv1").trainable
    with pytest.raises(ValueError, match="layer named 'conv9'"):
        architectures.copy_trunk(source, target, names=("conv9",))
    with pytest.raises(ValueError, match="same filters"):
        architectures.copy_trunk(models.cluttered_classifier("gap", filters=8), target, names=("conv1",))


def test_fusion_weights_start_equal_and_follow_scores():
    layer = fusion.ModalityFusion()
    a = np.ones((3, 4), dtype="float32")
    b = np.zeros((3, 4), dtype="float32")
    y, w = layer([a, b], return_weights=True)
    np.testing.assert_allclose(np.asarray(w), 0.5)
    np.testing.assert_allclose(np.asarray(y), 0.5)
    layer.b.assign([0.0, np.log(3.0)])
    np.testing.assert_allclose(np.asarray(layer([a, b], return_weights=True)[1]), [[0.25, 0.75]] * 3, rtol=1e-5)
    with pytest.raises(ValueError, match="same"):
        fusion.ModalityFusion()([a, np.zeros((3, 5), dtype="float32")])
    with pytest.raises(ValueError, match="at least two"):
        fusion.ModalityFusion()([a])


def test_fusion_classifier_and_explainer_shapes():
    model = fusion.fusion_classifier()
    logits, weights = fusion.fusion_explainer(model).predict([np.zeros((2, 8, 8, 1)), np.zeros((2, 10))], verbose=0)
    assert logits.shape == (2, 10) and weights.shape == (2, 2)
    with pytest.raises(ValueError, match="no layer"):
        fusion.fusion_explainer(models.seed_cnn())


def test_with_temperature_keeps_weights_and_changes_peakedness():
    model = models.cluttered_classifier("attention")
    model.get_layer("attention_pool").w.assign(np.linspace(-1, 1, 32))
    x = np.random.default_rng(0).random((4, 40, 40, 1)).astype("float32")
    maps = {t: models.attention_explainer(models.with_temperature(model, t)).predict(x, verbose=0)[1] for t in (0.5, 1.0, 4.0)}
    np.testing.assert_allclose(maps[1.0], models.attention_explainer(model).predict(x, verbose=0)[1], rtol=1e-5)
    entropies = [metrics.peakedness(maps[t])["entropy"] for t in (0.5, 1.0, 4.0)]
    assert entropies[0] < entropies[1] < entropies[2]
    with pytest.raises(ValueError, match="no attention layer"):
        models.with_temperature(models.seed_cnn(), 2.0)
    with pytest.raises(ValueError, match="temperature"):
        models.with_temperature(model, 0.0)


def test_peakedness_of_uniform_and_one_hot():
    assert metrics.peakedness(np.full((2, 4), 0.25)) == pytest.approx({"peak": 0.25, "entropy": 1.0})
    assert metrics.peakedness(np.eye(4)[:2])["peak"] == 1.0
    with pytest.raises(ValueError, match="summing to 1"):
        metrics.peakedness(np.ones((2, 4)))
