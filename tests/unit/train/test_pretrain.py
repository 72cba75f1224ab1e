"""Pretraining helpers: the trunk classifier shares the cluttered classifier's layer names; time to accuracy."""

from __future__ import annotations

import pytest

from elastic_attention.nn import architectures, models
from elastic_attention.train import pretrain


def test_trunk_classifier_transfers_to_the_cluttered_classifier():
    source = pretrain.trunk_classifier()
    target = models.cluttered_classifier("attention")
    assert len(architectures.copy_trunk(source, target)) == 6


def test_plain_digits_are_upscaled():
    x, y = pretrain.plain_digits("test", scale=2)
    assert x.shape[1:] == (16, 16, 1) and len(x) == len(y) and 0 <= x.min() and x.max() <= 1


def test_time_to_accuracy():
    assert pretrain.time_to_accuracy([0.5, 0.8, 0.9], [1.0, 2.0, 3.0], 0.8) == 2.0
    assert pretrain.time_to_accuracy([0.5, 0.6], [1.0, 2.0], 0.8) is None
    with pytest.raises(ValueError, match="per epoch"):
        pretrain.time_to_accuracy([0.5], [1.0, 2.0], 0.8)
