import pytest

from elastic_attention import runtime
from elastic_attention.runtime import ConfigError, parse_profile, parse_seed, parse_switch


@pytest.mark.parametrize(
    ("value", "gpu", "expected"),
    [(None, False, "quick"), (None, True, "full"), ("", True, "full"), ("FULL", False, "full"), (" quick ", True, "quick")],
)
def test_parse_profile(value, gpu, expected):
    assert parse_profile(value, has_gpu=gpu) == expected


@pytest.mark.parametrize("value", ["fast", "Quik", "gpu"])
def test_unknown_profile_is_a_clear_error(value):
    with pytest.raises(ConfigError, match="EA_PROFILE"):
        parse_profile(value, has_gpu=False)


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), ("7", 7), (" 42 ", 42), (3, 3)])
def test_parse_seed(value, expected):
    assert parse_seed(value) == expected


@pytest.mark.parametrize("value", ["zero", "1.5", "-1", True, 2**32])
def test_bad_seed_is_a_clear_error(value):
    with pytest.raises(ConfigError, match="seed"):
        parse_seed(value)


def test_setup_reads_environment(monkeypatch, capsys):
    monkeypatch.setenv("EA_PROFILE", "full")
    monkeypatch.setenv("EA_SEED", "5")
    cfg = runtime.setup()
    line = capsys.readouterr().out.strip()
    assert cfg.profile == "full" and cfg.seed == 5 and not cfg.quick
    for part in ("profile=full", "seed=5", "device=", "determinism=on", "tensorflow=", "keras="):
        assert part in line
    monkeypatch.setenv("EA_PROFILE", "turbo")
    with pytest.raises(ConfigError):
        runtime.setup()


def test_setup_seeds_numpy_and_keras():
    import keras
    import numpy as np

    def draw():
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return np.random.rand(3), layer.kernel.numpy()

    runtime.setup(profile="quick", seed=11, verbose=False)
    first = draw()
    runtime.setup(profile="quick", seed=11, verbose=False)
    second = draw()
    runtime.setup(profile="quick", seed=12, verbose=False)
    third = draw()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], third[1])


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("", True), ("1", True), (" ON ", True), ("true", True),
                                                 ("0", False), ("off", False), ("False", False), (False, False)])
def test_parse_switch(value, expected):
    assert parse_switch(value, "EA_DETERMINISM") is expected


def test_bad_switch_is_a_clear_error():
    with pytest.raises(ConfigError, match="EA_DETERMINISM must be 1 or 0"):
        parse_switch("maybe", "EA_DETERMINISM")


def test_op_determinism_and_exactness_on_this_cpu(monkeypatch):
    from tensorflow.python.framework import config as tf_config  # the public API has no getter

    monkeypatch.delenv("EA_DETERMINISM", raising=False)
    cfg = runtime.setup(profile="quick", seed=0, verbose=False)
    assert cfg.deterministic and tf_config.is_op_determinism_enabled()
    assert cfg.exact == (cfg.num_gpus == 0)
    off = runtime.RuntimeConfig(profile="quick", seed=0, device="GPU:0", num_gpus=1, mixed_precision=True,
                                tf_version="", keras_version="", in_colab=False, deterministic=True)
    assert not off.exact, "a GPU run is compared to a tolerance, not bit for bit"
    assert "determinism=off" in runtime.RuntimeConfig(**{**off.__dict__, "deterministic": False}).summary()
