"""Chapter 6's training helpers: equal-budget tuning returns a score per rate, settings scale with the profile."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention.nn import applications as app
from elastic_attention.train import applications as tapp


def test_tune_learning_rate_scores_every_rate_and_training_lowers_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6, 3)).astype("float32")
    y = (x[:, :, 0].max(axis=1) > 1.5).astype("float32")
    fit_one = lambda m, lr: tapp.train_app(m, x, y, lr, epochs=3, batch_size=16)  # noqa: E731
    best, scores = tapp.tune_learning_rate(lambda: app.fraud_model(6, 3).model, fit_one,
                                           lambda m: -m.run_.history["loss"][-1], grid=(1e-3, 1e-2))
    assert set(scores) == {1e-3, 1e-2} and best in scores
    model = tapp.train_app(app.fraud_model(6, 3).model, x, y, 1e-2, epochs=4, batch_size=16)
    assert model.run_.history["loss"][-1] < model.run_.history["loss"][0]


def test_bad_input():
    with pytest.raises(ValueError, match="grid is empty"):
        tapp.tune_learning_rate(lambda: None, lambda m, lr: m, lambda m: 0.0, grid=())
    with pytest.raises(ValueError, match="differ in length"):
        tapp.train_app(app.fraud_model(4, 2).model, np.zeros((5, 4, 2)), np.zeros(4), 1e-3, epochs=1)
    with pytest.raises(ValueError, match="case"):
        tapp.case_settings("weather")
    assert tapp.case_settings("mil", quick=False)["train"] == tuple(2 * n for n in tapp.CASE_SETTINGS["mil"]["train"])
    tr, va = tapp.split_validation(20, 0.25, seed=0)
    assert len(va) == 5 and not set(tr) & set(va)


def test_chosen_settings_are_the_committed_sweeps_best():
    """Every rate, C and traffic setting the chapters use is the sweep's best, over seeds 0-2."""
    import json
    from pathlib import Path

    from elastic_attention.nn import traffic

    results = json.loads((Path(__file__).resolve().parents[3] / "benchmarks/results/applications_sweep.json").read_text())
    for case, rates in tapp.APP_LEARNING_RATES.items():
        record = results[case]
        assert record["seeds"] == [0, 1, 2], (case, record["seeds"])
        for model, rate in rates.items():
            assert set(record["scores"]["0"][model]) == {str(r) for r in tapp.LEARNING_RATE_GRID}, (case, model)
            assert float(record["best"][model]) == rate, (case, model, record["best"][model], rate)
    assert float(results["tabular"]["best"]["logistic"]) == tapp.LOGISTIC_C
    assert results["traffic"]["best"]["fixed"] == str(traffic.TUNED_GREEN_STEPS)
    assert results["traffic"]["best"]["attention"] == str((traffic.TUNED_ATTENTION["temperature"],
                                                           traffic.TUNED_ATTENTION["min_green"]))
