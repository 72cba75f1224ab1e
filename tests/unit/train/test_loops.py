"""The learning rates of the heads and the committed sweep they come from (chapter 5.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from elastic_attention.nn import models
from elastic_attention.train import loops

SWEEP = Path(__file__).resolve().parents[3] / "benchmarks" / "results" / "lr_sweep.json"


def test_every_head_has_a_rate_from_the_grid():
    assert set(loops.HEAD_LEARNING_RATES) == set(models.HEADS)
    assert all(rate in loops.LR_GRID for rate in loops.HEAD_LEARNING_RATES.values())


def test_rates_equal_the_committed_sweeps_choice():
    from benchmarks.lr_sweep import choose

    record = json.loads(SWEEP.read_text())
    assert record["grid"] == list(loops.LR_GRID) and record["profile"] == "quick"
    assert choose(record["runs"]) == record["choice"]
    for head, rate in record["choice"].items():
        covered = [s for s in record["runs"] if set(record["runs"][s].get(head, {})) == {str(r) for r in loops.LR_GRID}]
        assert covered, f"{head}: the sweep did not run the whole grid for any seed"
        assert loops.HEAD_LEARNING_RATES[head] == rate, (head, rate)


def test_sweep_choice_prefers_the_best_mean_then_the_smaller_rate():
    from benchmarks.lr_sweep import choose

    runs = {"0": {"a": {"0.01": 0.9, "0.03": 0.8}}, "1": {"a": {"0.01": 0.7, "0.03": 0.9}}}
    assert choose(runs) == {"a": 0.03}
    tie = {"0": {"a": {"0.01": 0.9, "0.03": 0.9}}}
    assert choose(tie) == {"a": 0.01}


def test_seed_cnn_with_valid_padding_cannot_build_on_8x8_digits():
    with pytest.raises(ValueError):
        models.seed_cnn(input_shape=(8, 8, 1), padding="valid")
    assert models.seed_cnn(input_shape=(28, 28, 1), padding="valid").output_shape == (None, 10)
    with pytest.raises(ValueError, match="padding"):
        models.seed_cnn(padding="full")
