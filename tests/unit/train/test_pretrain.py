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


def test_compare_starts_trains_both_runs_once_then_reads_them_back(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from elastic_attention.train.cache import CachedModel

    monkeypatch.setenv("EA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EA_CACHE", raising=False)
    monkeypatch.setattr(pretrain, "START_SIZES", {"quick": {"copies": 1, "epochs": 1}})
    cfg = SimpleNamespace(profile="quick", seed=0)
    trunk = CachedModel(pretrain.trunk_classifier(), {}, False, 0.0, "untrained-trunk")
    first = pretrain.compare_starts(cfg, trunk)
    again = pretrain.compare_starts(cfg, trunk)
    assert set(first) == {"from scratch", "pretrained trunk"}
    for name, run in first.items():
        assert len(run["seconds"]) == len(run["history"]["val_accuracy"]) == 1
        assert again[name]["seconds"] == run["seconds"], "the second call must read the cached run, not retrain"
    assert len(list(tmp_path.glob("cluttered-start-*.keras"))) == 2
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        pretrain.start_data(SimpleNamespace(profile="fast", seed=0))
