"""The model cache trains once per key and loads afterwards; any change to the key retrains."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from elastic_attention.train import cache


def tiny_trainer(calls: list):
    def train():
        calls.append(1)
        keras.utils.set_random_seed(0)
        inputs = keras.Input((3,))
        model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
        return model, {"accuracy": 0.5}

    return train


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    monkeypatch.setenv("EA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("EA_CACHE", raising=False)
    return tmp_path


def test_second_call_loads_the_same_model(cache_in):
    calls = []
    first = cache.cached_model("tiny", tiny_trainer(calls), seed=0, profile="quick", params={"epochs": 1})
    second = cache.cached_model("tiny", tiny_trainer(calls), seed=0, profile="quick", params={"epochs": 1})
    assert len(calls) == 1 and not first.from_cache and second.from_cache
    assert second.info == {"accuracy": 0.5}
    x = np.ones((2, 3), dtype="float32")
    np.testing.assert_array_equal(first.model.predict(x, verbose=0), second.model.predict(x, verbose=0))


@pytest.mark.parametrize("change", [{"seed": 1}, {"profile": "full"}, {"params": {"epochs": 2}}, {"precision": "mixed_float16"}])
def test_a_different_key_trains_again(cache_in, change):
    calls = []
    base = {"seed": 0, "profile": "quick", "params": {"epochs": 1}}
    cache.cached_model("tiny", tiny_trainer(calls), **base)
    cache.cached_model("tiny", tiny_trainer(calls), **{**base, **change})
    assert len(calls) == 2


def test_code_change_changes_the_key(monkeypatch):
    key = cache.cache_key("m", 0, "quick")
    cache.code_version.cache_clear()
    monkeypatch.setattr(cache, "code_version", lambda: "000000000000")
    assert cache.cache_key("m", 0, "quick") != key


def test_half_written_entry_is_ignored(cache_in):
    calls = []
    entry = cache.cached_model("tiny", tiny_trainer(calls), seed=0, profile="quick")
    (cache_in / f"{entry.key}.keras").unlink()  # a crash between the two writes
    again = cache.cached_model("tiny", tiny_trainer(calls), seed=0, profile="quick")
    assert len(calls) == 2 and not again.from_cache


def test_cache_can_be_switched_off(cache_in, monkeypatch):
    calls = []
    cache.cached_model("tiny", tiny_trainer(calls), seed=0, profile="quick")
    monkeypatch.setenv("EA_CACHE", "off")
    cache.cached_model("tiny", tiny_trainer(calls), seed=0, profile="quick")
    assert len(calls) == 2
    assert cache.clear("tiny") == 2 and not list(cache_in.iterdir())


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"name": "bad name"}, "letters, digits"), ({"profile": "fast"}, "unknown profile"),
    ({"params": {"x": object()}}, "JSON-serializable"),
])
def test_bad_keys_get_clear_errors(kwargs, match):
    args = {"name": "m", "seed": 0, "profile": "quick", **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        cache.cache_key(**args)
