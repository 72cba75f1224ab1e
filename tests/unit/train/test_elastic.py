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
