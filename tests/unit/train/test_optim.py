"""Chapter 3.7's schedules, coupled weight decay, training loop and grid search."""

import keras
import numpy as np
import pytest

from elastic_attention.train import loops, optim


def test_schedules_peak_and_shape():
    total = 100
    curves = {k: optim.schedule_curve(optim.learning_rate_schedule(k, 0.1, total), total) for k in optim.SCHEDULES}
    assert np.allclose(curves["constant"], 0.1)
    assert curves["step"][0] == pytest.approx(0.1) and curves["step"][-1] == pytest.approx(0.001)
    assert set(np.round(curves["step"], 6)) == {0.1, 0.01, 0.001}
    assert curves["cosine"][0] == pytest.approx(0.1) and curves["cosine"][-1] < 0.001
    warm = curves["warmup_cosine"]
    assert warm[0] < 0.02 and warm.max() == pytest.approx(0.1, rel=1e-3) and int(np.argmax(warm)) == 10
    assert np.all(np.diff(warm[:10]) > 0) and np.all(np.diff(warm[10:]) <= 1e-9)


def test_schedule_bad_inputs():
    with pytest.raises(ValueError, match="schedule"):
        optim.learning_rate_schedule("linear", 0.1, 10)
    with pytest.raises(ValueError, match="learning_rate"):
        optim.learning_rate_schedule("cosine", -1, 10)
    with pytest.raises(ValueError, match="warmup_fraction"):
        optim.learning_rate_schedule("warmup_cosine", 0.1, 10, warmup_fraction=1.5)
    with pytest.raises(ValueError, match="schedule must be"):
        optim.schedule_curve("fast", 10)


def _tiny(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d")])


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0)


def test_coupled_decay_with_sgd_is_the_seeds_rule():
    x, y = _data()
    a, b = _tiny(), _tiny()
    before = [np.asarray(v.value) for v in a.trainable_variables]  # [kernel, bias]
    optim.train_classifier(a, x, y, keras.optimizers.SGD(0.5), epochs=1, batch_size=64, weight_decay=0.1)
    optim.train_classifier(b, x, y, keras.optimizers.SGD(0.5), epochs=1, batch_size=64)
    # One full-batch step: the two runs share the gradient; the decayed one also moved by -lr * wd * w.
    wa = [np.asarray(v.value) for v in a.trainable_variables]
    wb = [np.asarray(v.value) for v in b.trainable_variables]
    np.testing.assert_allclose(wa[0], wb[0] - 0.5 * 0.1 * before[0], atol=1e-6)
    grad = {"dw": (before[0] - wb[0]) / 0.5}
    expected = loops.sgd_weight_decay_step({"w": before[0]}, grad, 0.5, 0.1)["w"]
    np.testing.assert_allclose(wa[0], expected, atol=1e-6)
    np.testing.assert_allclose(wa[1], wb[1], atol=1e-7)  # biases are not decayed


def test_training_lowers_the_loss_and_scores():
    x, y = _data()
    model = _tiny()
    run = optim.train_classifier(model, x, y, keras.optimizers.Adam(0.05), epochs=20, batch_size=16)
    assert run["loss"][-1] < 0.6 * run["loss"][0] and run["seconds"] > 0
    assert optim.accuracy(model, x, y) > 0.8
    assert optim.kernel_norm(model) > 0


def test_training_bad_inputs():
    x, y = _data()
    with pytest.raises(ValueError, match="weight_decay"):
        optim.train_classifier(_tiny(), x, y, keras.optimizers.SGD(0.1), 1, weight_decay=-1)
    with pytest.raises(ValueError, match="optimizer"):
        optim.train_classifier(_tiny(), x, y, "sgd", 1)
    with pytest.raises(ValueError, match="equal length"):
        optim.train_classifier(_tiny(), x, y[:3], keras.optimizers.SGD(0.1), 1)
    with pytest.raises(ValueError, match="no kernels"):
        optim.kernel_norm(keras.Sequential([keras.Input((2,)), keras.layers.ReLU()]))
    with pytest.raises(ValueError, match="splits"):
        optim.fit_and_score(_tiny, {"fit": (x, y)}, keras.optimizers.SGD(0.1), 1, 0)


def test_fit_and_score_is_reproducible():
    x, y = _data()
    splits = {"fit": (x[:48], y[:48]), "validation": (x[48:], y[48:])}
    runs = [optim.fit_and_score(_tiny, splits, keras.optimizers.Adam(0.05), 3, seed=1) for _ in range(2)]
    assert runs[0]["loss"] == runs[1]["loss"] and runs[0]["val_accuracy"] == runs[1]["val_accuracy"]


def test_digit_splits_keep_validation_apart():
    splits = optim.digit_splits(seed=3)
    (xf, yf), (xv, yv), (xt, yt) = splits["fit"], splits["validation"], splits["test"]
    assert len(xv) == round(0.2 * (len(xf) + len(xv))) and xf.shape[1:] == xt.shape[1:] == (8, 8, 1)
    assert 0 <= xf.min() <= xf.max() <= 1 and len(yf) == len(xf) and len(yt) == len(xt)
    fit_rows, val_rows = {r.tobytes() for r in xf}, {r.tobytes() for r in xv}
    assert len(val_rows - fit_rows) > 0.9 * len(val_rows)  # a few digits repeat pixel for pixel
    assert np.array_equal(yv, optim.digit_splits(seed=3)["validation"][1])
    assert not np.array_equal(yv, optim.digit_splits(seed=4)["validation"][1])
    with pytest.raises(ValueError, match="fraction"):
        optim.digit_splits(fraction=1.0)


def test_grid_search_and_best():
    rows = optim.grid_search({"a": [1, 2], "b": [10, 20, 30]}, lambda a, b: a * b % 7)
    assert len(rows) == 6 and rows[0] == {"a": 1, "b": 10, "score": 3.0}
    assert optim.best_config(rows) == {"a": 1, "b": 20, "score": 6.0}
    assert optim.best_config([{"k": 1, "score": 1.0}, {"k": 2, "score": 1.0}])["k"] == 1
    with pytest.raises(ValueError, match="space"):
        optim.grid_search({}, lambda: 0)
    with pytest.raises(ValueError, match="non-empty list"):
        optim.grid_search({"a": []}, lambda a: 0)
    with pytest.raises(ValueError, match="score must"):
        optim.grid_search({"a": [1]}, 3)
    with pytest.raises(ValueError, match="rows must"):
        optim.best_config([])


def test_committed_sweep_is_whole_and_its_choices_follow_from_its_scores():
    import json
    from pathlib import Path

    from benchmarks import optim_sweep

    record = json.loads((Path(__file__).resolve().parents[3] / "benchmarks/results/optim_sweep.json").read_text())
    assert sorted(record["runs"]) == ["0", "1", "2"] and record["epochs"] == optim_sweep.EPOCHS
    assert record["space"] == optim_sweep.SPACE and record["decay_grid"] == optim_sweep.DECAY
    assert all(len(r) == 27 for r in record["runs"].values())
    assert optim_sweep.choose(record["runs"]) == record["choice"]
    for style, grid in optim_sweep.DECAY.items():
        means = [np.mean([record["decay"][s][f"{style} {wd:g}"] for s in record["decay"]]) for wd in grid]
        assert record["decay_choice"][style] == grid[int(np.argmax(means))]
    for name in optim.SCHEDULES:
        means = [np.mean([record["schedules"][s][f"{name} {lr:g}"] for s in record["schedules"]])
                 for lr in optim_sweep.SPACE["learning_rate"]]
        assert record["schedule_choice"][name] == optim_sweep.SPACE["learning_rate"][int(np.argmax(means))]
