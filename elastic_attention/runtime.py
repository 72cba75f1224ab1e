"""Runtime set-up: profile, seed, device, distribution strategy, precision.

Introduced in chapter 5.1 ("The environment"). Every chapter's first cell calls
:func:`setup`, which reads two environment variables:

* ``EA_PROFILE``: ``quick`` (small, CPU-friendly runs) or ``full`` (larger data and longer
  training). Default: ``full`` when TensorFlow sees a GPU, else ``quick``.
* ``EA_SEED``: an integer seed (default ``0``) for Python, NumPy, TensorFlow and Keras.
* ``EA_DETERMINISM``: ``1`` (default) switches TensorFlow's op determinism on, on a CPU and on a
  GPU; ``0`` leaves it off (faster on a GPU, but repeated runs then differ in the last bits).

Importing :mod:`elastic_attention` also quietens TensorFlow's C++ logging
(:func:`quiet_tensorflow_startup`): the notices TensorFlow prints while it loads, before it reads
``TF_CPP_MIN_LOG_LEVEL``, are held to that level too.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConfigError",
    "RuntimeConfig",
    "parse_profile",
    "parse_seed",
    "parse_switch",
    "in_colab",
    "quiet_tensorflow_startup",
    "tensorflow_log_filter",
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
    deterministic: bool = True
    strategy: Any = field(repr=False, compare=False, default=None)

    @property
    def quick(self) -> bool:
        """True in the quick profile."""
        return self.profile == "quick"

    @property
    def exact(self) -> bool:
        """True where TensorFlow promises bit-identical repeats: op determinism on, on a CPU.

        On a GPU the book switches op determinism on as well, but float16 arithmetic and kernels
        whose determinism TensorFlow does not guarantee make chapters compare to a stated
        tolerance there instead of bit for bit.
        """
        return self.deterministic and self.num_gpus == 0

    def summary(self) -> str:
        """Return the one-line report that :func:`setup` prints."""
        precision = "mixed_float16" if self.mixed_precision else "float32"
        return (
            f"profile={self.profile} seed={self.seed} device={self.device} "
            f"precision={precision} xla={'on' if self.jit_compile else 'off'} "
            f"determinism={'on' if self.deterministic else 'off'} tensorflow={self.tf_version} keras={self.keras_version}"
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


def parse_switch(value: str | bool | None, name: str, default: bool = True) -> bool:
    """Return the on/off setting ``value`` (``1``/``0``, ``on``/``off``, ``true``/``false``); empty gives ``default``.

    Introduced in chapter 5.1.
    """
    if value is None or isinstance(value, bool):
        return default if value is None else value
    text = str(value).strip().lower()
    if text == "":
        return default
    if text in ("1", "on", "true", "yes"):
        return True
    if text in ("0", "off", "false", "no"):
        return False
    raise ConfigError(f"{name} must be 1 or 0 (on or off), got {value!r}")


def in_colab() -> bool:
    """Return True when running inside Google Colab. Introduced in chapter 5.1."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def setup(profile: str | None = None, seed: int | str | None = None, verbose: bool = True,
          deterministic: bool | None = None) -> RuntimeConfig:
    """Seed everything, pick device, strategy and precision; return a :class:`RuntimeConfig`.

    Arguments override ``EA_PROFILE``, ``EA_SEED`` and ``EA_DETERMINISM``. TensorFlow's op
    determinism is switched on by default, on a CPU and on a GPU: on a CPU the same seed then
    gives bit-identical results (``cfg.exact``). On a GPU it costs speed (cuDNN takes the first
    deterministic algorithm instead of the fastest, XLA compiles with deterministic reductions,
    a few ops such as scatter updates move to the CPU, ``tf.data`` maps run in order) and some
    ops raise ``UnimplementedError``; the float16 mixed precision policy is enabled there (float32
    softmax, attention weights and loss). TensorFlow cannot switch op determinism off again in a
    running process: restart the kernel to change ``EA_DETERMINISM``.

    Introduced in chapter 5.1.
    """
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    chosen_profile = parse_profile(profile if profile is not None else os.environ.get("EA_PROFILE"), bool(gpus))
    chosen_seed = parse_seed(seed if seed is not None else os.environ.get("EA_SEED"))
    if deterministic is None:
        deterministic = parse_switch(os.environ.get("EA_DETERMINISM"), "EA_DETERMINISM")

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
        strategy = tf.distribute.get_strategy()
        device = f"CPU ({os.cpu_count()} cores)"
    if deterministic:
        tf.config.experimental.enable_op_determinism()

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
        deterministic=bool(deterministic),
        strategy=strategy,
    )
    if verbose:
        print(cfg.summary())
    return cfg


# TensorFlow's C++ logging (issue 11). TensorFlow honours TF_CPP_MIN_LOG_LEVEL for what it logs
# once loaded, but not for the notices its shared libraries print while they load (absl's
# "All log messages before absl::InitializeLog()" line, oneDNN's "custom operations are on"):
# those are filtered here, at the same level, while `import tensorflow` runs.
_SEVERITIES = "IWEF"  # absl's INFO, WARNING, ERROR, FATAL = TF_CPP_MIN_LOG_LEVEL 0..3
_ABSL_HEADER = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d\d")
_ABSL_PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
_PYTHON_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")


def tensorflow_log_filter(min_level: int):
    """Return a function ``keep(line) -> bool`` that drops TensorFlow log lines below ``min_level``.

    ``min_level`` follows ``TF_CPP_MIN_LOG_LEVEL`` (0 keeps all, 3 keeps only FATAL). The lines
    that continue a dropped message go with it; absl's start-up preamble goes at any level above
    0; anything else (a Python warning, a traceback) is kept. Introduced in chapter 5.1.
    """
    state = {"dropping": False}

    def keep(line: str) -> bool:
        text = line.rstrip("\r\n")
        header = _ABSL_HEADER.match(text)
        if header:
            state["dropping"] = _SEVERITIES.index(header.group(1)) < min_level
        elif text == _ABSL_PREAMBLE:
            state["dropping"] = min_level > 0
        elif _PYTHON_WARNING.match(text) or text.startswith("Traceback"):
            state["dropping"] = False
        return not state["dropping"]

    return keep


def _min_log_level() -> int:
    try:
        return min(max(int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")), 0), 3)
    except ValueError:
        return 0


@contextlib.contextmanager
def _filtered_stderr(min_level: int):
    """Pass everything written to file descriptor 2 through :func:`tensorflow_log_filter`."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable stderr: nothing to filter
        yield
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    keep = tensorflow_log_filter(min_level)

    def pump():
        with os.fdopen(read_end, "rb") as source:
            for raw in source:
                if keep(raw.decode("utf-8", "replace")):
                    os.write(saved, raw)

    thread = threading.Thread(target=pump, name="ea-tf-log-filter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last write end closes: the pump reads to the end and stops
        thread.join(timeout=10)
        os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    """Run the real loader of ``tensorflow`` with its start-up notices filtered."""

    def __init__(self, loader, min_level: int):
        self.loader, self.min_level = loader, min_level

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.loader  # TensorFlow sees its own loader
        with _filtered_stderr(self.min_level):
            self.loader.exec_module(module)


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """A one-shot import hook: the first ``import tensorflow`` runs through :class:`_QuietLoader`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow" or self not in sys.meta_path:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        level = _min_log_level()
        if spec is None or spec.loader is None or level == 0:
            return spec
        spec.loader = _QuietLoader(spec.loader, level)
        return spec


def quiet_tensorflow_startup(level: int = 3) -> bool:
    """Hold TensorFlow's C++ logging to ``TF_CPP_MIN_LOG_LEVEL`` (default ``level``), start-up included.

    Sets ``TF_CPP_MIN_LOG_LEVEL`` to ``level`` unless it is already set (set it to ``0`` before
    importing the library to see everything), and, if TensorFlow is not imported yet, installs a
    one-shot import hook that filters what TensorFlow prints while it loads. Level 3 also hides
    TensorFlow's spurious ``E0000 ... NodeDef mentions attribute use_unbounded_threadpool``
    message (logged when op determinism rewrites a parallel ``tf.data`` map); genuine errors
    still reach Python as exceptions. Nothing numerical changes (oneDNN stays on). Returns True
    when the hook was installed. Introduced in chapter 5.1.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", str(level))
    if "tensorflow" in sys.modules or any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _QuietTensorFlowImport())
    return True
