"""Choosing an elastic operating point and the held-out split (chapter 3.5)."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention.train import elastic as E


def test_choose_operating_point_takes_the_cheapest_within_tolerance():
    points = [{"accuracy": 0.99, "flops": 10.0}, {"accuracy": 0.985, "flops": 4.0}, {"accuracy": 0.95, "flops": 1.0}]
    assert E.choose_operating_point(points, 0.002)["flops"] == 10.0
    assert E.choose_operating_point(points, 0.01)["flops"] == 4.0
    assert E.choose_operating_point(points, 0.05)["flops"] == 1.0
    with pytest.raises(ValueError, match="points is empty"):
        E.choose_operating_point([])
    with pytest.raises(ValueError, match="tolerance must lie in"):
        E.choose_operating_point(points, -0.1)


def test_held_out_digits_never_train():
    data = E.elastic_data("quick", 0)
    assert set(data["train"].source_ids).isdisjoint(data["val"].source_ids)
    assert set(data["extra"].source_ids).isdisjoint(data["val"].source_ids)
    assert E.held_out(data["val"].source_ids).all() and not E.held_out(data["train"].source_ids).any()
    assert len(data["val"]) > 600 and np.array_equal(np.unique(data["val"].labels), np.arange(10))


def test_plain_digits_hold_out_every_fifth_training_digit():
    d = E.plain_digits()
    (xt, yt), (xv, yv), (xs, ys) = d["train"], d["val"], d["test"]
    assert xt.shape[1:] == (16, 16, 1) and xt.dtype == np.float32 and 0.0 <= xt.min() and xt.max() <= 1.0
    assert len(xv) == -(-(len(xt) + len(xv)) // 5) and len(xs) > 300
    assert np.array_equal(np.unique(yv), np.arange(10)) and len(yt) == len(xt) and len(ys) == len(xs)


def test_exit_head_rate_is_the_committed_sweeps_best_mean():
    import json
    from pathlib import Path

    from benchmarks.elastic_inference import best_exit_rate

    rows = json.loads((Path(__file__).resolve().parents[3] / "benchmarks/results/elastic_inference.json").read_text())
    assert all(set(r["exit_head_sweep"]) == {str(lr) for lr in E.EXIT_HEAD_LEARNING_RATES} for r in rows)
    assert sorted(r["seed"] for r in rows) == [0, 1, 2]
    assert best_exit_rate(rows) == E.EXIT_HEAD_LEARNING_RATE


def test_best_exit_rate_takes_the_best_mean_over_seeds():
    from benchmarks.elastic_inference import best_exit_rate

    rows = [{"exit_head_sweep": {"0.1": 0.5, "0.3": 0.4}}, {"exit_head_sweep": {"0.1": 0.2, "0.3": 0.4}}]
    assert best_exit_rate(rows) == 0.3
    tie = [{"exit_head_sweep": {"0.1": 0.5, "0.3": 0.5}}]
    assert best_exit_rate(tie) == 0.1


def test_canvases_are_made_once_and_shared_read_only():
    from elastic_attention.train import zoo

    first, again = E.elastic_data("quick", 0), E.elastic_data("quick", 0)
    assert first["val"] is again["val"] and zoo.cluttered_data("quick", 0)[1] is first["test"]
    with pytest.raises(ValueError, match="read-only"):
        first["val"].images[0, 0, 0, 0] = 1.0
    first["val"] = None  # the dict is the caller's own; the shared sets stay
    assert E.elastic_data("quick", 0)["val"] is again["val"]


def test_shared_canvases_keep_a_few_sets_and_check_what_they_hold(monkeypatch):
    from elastic_attention.train import zoo

    monkeypatch.setattr(zoo, "_CANVASES", type(zoo._CANVASES)())
    calls = []

    def make(i):
        calls.append(i)
        return (zoo.ClutteredDigits(np.zeros((1, 4, 4, 1), np.float32), np.zeros(1), np.zeros((1, 4)), np.zeros(1)),)

    for i in range(zoo._CANVASES_KEPT + 1):
        zoo.shared_canvases(("toy", i), lambda i=i: make(i))
    zoo.shared_canvases(("toy", zoo._CANVASES_KEPT), lambda: make("again"))
    zoo.shared_canvases(("toy", 0), lambda: make("again"))
    assert calls == [*range(zoo._CANVASES_KEPT + 1), "again"]  # the oldest was dropped, the newest kept
    with pytest.raises(TypeError, match="ClutteredDigits"):
        zoo.shared_canvases(("bad",), lambda: (np.zeros(3),))
