"""Runtime set-up: profile, seed, device, distribution strategy, precision.

Introduced in chapter 5.1 ("The environment"). Every chapter's first cell calls
:func:`setup`, which reads two environment variables:

* ``EA_PROFILE``: ``quick`` (small, CPU-friendly runs) or ``full`` (larger data and longer
  training). Default: ``full`` when TensorFlow sees a GPU, else ``quick``.
* ``EA_SEED``: an integer seed (default ``0``) for Python, NumPy, TensorFlow and Keras.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConfigError",
    "RuntimeConfig",
    "parse_profile",
    "parse_seed",
    "in_colab",
    "setup",
    "PROFILES",
    "DEFAULT_SEED",
]

PROFILES = ("quick", "full")
DEFAULT_SEED = 0


class ConfigError(ValueError):
    """A runtime setting (profile, seed) has a value the book cannot use. Introduced in chapter 5.1."""


@dataclass(frozen=True)
class RuntimeConfig:
    """What :func:`setup` chose; chapters read ``cfg.quick`` to size their runs. Introduced in chapter 5.1."""

    profile: str
    seed: int
    device: str
    num_gpus: int
    mixed_precision: bool
    tf_version: str
    keras_version: str
    in_colab: bool
    jit_compile: bool = False
    strategy: Any = field(repr=False, compare=False, default=None)

    @property
    def quick(self) -> bool:
        """True in the quick profile."""
        return self.profile == "quick"

    def summary(self) -> str:
        """Return the one-line report that :func:`setup` prints."""
        precision = "mixed_float16" if self.mixed_precision else "float32"
        return (
            f"profile={self.profile} seed={self.seed} device={self.device} "
            f"precision={precision} xla={'on' if self.jit_compile else 'off'} tensorflow={self.tf_version} keras={self.keras_version}"
        )


def parse_profile(value: str | None, has_gpu: bool) -> str:
    """Return the profile named by ``value`` (case-insensitive), or the default for the device.

    >>> parse_profile(None, has_gpu=False)
    'quick'

    Introduced in chapter 5.1.
    """
    if value is None or value.strip() == "":
        return "full" if has_gpu else "quick"
    name = value.strip().lower()
    if name not in PROFILES:
        raise ConfigError(
            f"unknown profile {value!r}: set EA_PROFILE to one of {', '.join(PROFILES)} "
            "(or unset it to pick full on a GPU and quick on a CPU)"
        )
    return name


def parse_seed(value: str | int | None) -> int:
    """Return the seed as a non-negative int; ``None`` or empty gives the default 0. Introduced in chapter 5.1."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return DEFAULT_SEED
    if isinstance(value, bool):
        raise ConfigError(f"seed must be an integer, got {value!r}")
    if isinstance(value, int):
        seed = value
    else:
        try:
            seed = int(str(value).strip(), 10)
        except ValueError:
            raise ConfigError(
                f"seed must be an integer, got {value!r}: set EA_SEED to a whole number such as 0"
            ) from None
    if not 0 <= seed < 2**32:
        raise ConfigError(f"seed must lie in [0, 2**32), got {seed}: set EA_SEED to e.g. 0")
    return seed


def in_colab() -> bool:
    """Return True when running inside Google Colab. Introduced in chapter 5.1."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def setup(profile: str | None = None, seed: int | str | None = None, verbose: bool = True) -> RuntimeConfig:
    """Seed everything, pick device, strategy and precision; return a :class:`RuntimeConfig`.

    Arguments override ``EA_PROFILE`` and ``EA_SEED``. On a CPU, TensorFlow's op determinism is
    switched on so that the same seed gives bit-identical results; on a GPU the float16 mixed
    precision policy is enabled (and float32 everywhere else).

    Introduced in chapter 5.1.
    """
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    chosen_profile = parse_profile(profile if profile is not None else os.environ.get("EA_PROFILE"), bool(gpus))
    chosen_seed = parse_seed(seed if seed is not None else os.environ.get("EA_SEED"))

    keras.utils.set_random_seed(chosen_seed)
    if gpus:
        for gpu in gpus:
            try:
                tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError:
                pass  # already initialised: the setting can only be made before first use
        keras.mixed_precision.set_global_policy("mixed_float16")
        if len(gpus) > 1:
            strategy = tf.distribute.MirroredStrategy()
            device = f"{len(gpus)} GPUs (MirroredStrategy)"
        else:
            strategy = tf.distribute.OneDeviceStrategy("/gpu:0")
            device = "GPU:0"
        try:
            name = tf.config.experimental.get_device_details(gpus[0]).get("device_name")
            if name:
                device += f" {name}"
        except Exception:  # details are cosmetic
            pass
    else:
        keras.mixed_precision.set_global_policy("float32")
        tf.config.experimental.enable_op_determinism()
        strategy = tf.distribute.get_strategy()
        device = f"CPU ({os.cpu_count()} cores)"

    cfg = RuntimeConfig(
        profile=chosen_profile,
        seed=chosen_seed,
        device=device,
        num_gpus=len(gpus),
        mixed_precision=bool(gpus),
        tf_version=tf.__version__,
        keras_version=keras.__version__,
        in_colab=in_colab(),
        # XLA pays off on a GPU; on a CPU it is slower than plain execution beyond tiny inputs.
        jit_compile=bool(gpus),
        strategy=strategy,
    )
    if verbose:
        print(cfg.summary())
    return cfg
