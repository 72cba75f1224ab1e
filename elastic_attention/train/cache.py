"""The model cache: a model several chapters need is trained once per (model, seed, profile, code
version) and loaded from disk afterwards. Introduced in chapter 5.4.

A chapter never relies on a file that exists only because an earlier notebook happened to run:
it asks the cache, and the cache trains the model when no entry matches. The key holds

- the model's ``name`` and the ``params`` that define its training (a dict, hashed);
- the ``seed`` and the ``profile`` of the run;
- the *code version*: a hash of every source file of this package, so that any change to the
  library (a layer, a data generator, a training loop) retrains instead of reusing a stale model;
- the precision (mixed precision on a GPU trains a different model than float32 on a CPU).

Entries live in ``EA_CACHE_DIR`` (default ``~/.cache/elastic_attention/models``), one ``.keras``
archive and one ``.json`` record each, both written atomically. ``EA_CACHE=off`` disables reuse.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import _validate as valid
from .artifacts import load_json, load_model, save_json, save_model

__all__ = ["code_version", "cache_dir", "cache_key", "CachedModel", "cached_model", "clear"]

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def code_version() -> str:
    """Return a 12-hex-digit hash of every ``.py``, ``.js`` and ``.css`` file of the package.

    Introduced in chapter 5.4.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.suffix in (".py", ".js", ".css") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir() -> Path:
    """Return the cache folder (``EA_CACHE_DIR`` or ``~/.cache/elastic_attention/models``), created if needed.

    Introduced in chapter 5.4.
    """
    folder = Path(os.environ.get("EA_CACHE_DIR") or Path.home() / ".cache" / "elastic_attention" / "models")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PermissionError(
            f"cannot create the model cache folder {folder} ({exc.strerror or exc}): set EA_CACHE_DIR to a "
            "folder you can write to"
        ) from None
    return folder


def cache_key(name: str, seed: int, profile: str, params: dict | None = None, precision: str = "float32") -> str:
    """Return the file stem of a cache entry: name, profile, seed, precision, params hash, code version.

    Introduced in chapter 5.4.
    """
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"name must be letters, digits, '-' or '_', got {name!r}")
    valid.one_of(profile, ("quick", "full"), "profile")
    try:
        blob = json.dumps(params or {}, sort_keys=True)
    except TypeError as exc:
        raise TypeError(f"params must be JSON-serializable (numbers, strings, lists, dicts): {exc}") from None
    params_hash = hashlib.sha256(blob.encode()).hexdigest()[:8]
    return f"{name}-{profile}-seed{int(seed)}-{precision}-{params_hash}-{code_version()}"


class CachedModel:
    """A model from :func:`cached_model`: ``model``, the ``info`` dict its trainer returned,
    ``from_cache`` (True when loaded), ``train_seconds`` (of the run that trained it) and ``key``.

    Introduced in chapter 5.4.
    """

    def __init__(self, model, info: dict, from_cache: bool, train_seconds: float, key: str):
        self.model, self.info, self.from_cache = model, info, from_cache
        self.train_seconds, self.key = train_seconds, key

    def __repr__(self) -> str:
        how = "loaded from the cache" if self.from_cache else "trained now"
        return f"<{self.key}: {how}, trained in {self.train_seconds:.1f} s>"


def cached_model(name: str, train: Callable[[], tuple[Any, dict]], *, seed: int, profile: str,
                 params: dict | None = None, precision: str = "float32") -> CachedModel:
    """Return a :class:`CachedModel`: loaded when an entry with the same key exists, else made by
    ``train()`` (which returns ``(keras model, JSON-serializable info dict)``) and stored.

    Introduced in chapter 5.4. ``params`` must name everything that changes the result besides
    seed, profile and code (epochs, learning rate, data sizes ...).
    """
    key = cache_key(name, seed, profile, params, precision)
    folder = cache_dir()
    model_path, record_path = folder / f"{key}.keras", folder / f"{key}.json"
    if os.environ.get("EA_CACHE", "on").lower() != "off" and model_path.is_file() and record_path.is_file():
        record = load_json(record_path)
        return CachedModel(load_model(model_path), record["info"], True, record["train_seconds"], key)
    start = time.perf_counter()
    model, info = train()
    seconds = time.perf_counter() - start
    # The record is written first and checked on load with the model, so a crash between the two
    # writes leaves an entry that is ignored (the model file is missing), never a half entry.
    save_json({"info": info, "train_seconds": seconds, "key": key}, record_path)
    save_model(model, model_path)
    return CachedModel(model, info, False, seconds, key)


def clear(name: str | None = None) -> int:
    """Delete the cache entries (of model ``name``, or all) and return how many files went.

    Introduced in chapter 5.4.
    """
    folder = cache_dir()
    pattern = f"{name}-*" if name else "*"
    gone = 0
    for path in folder.glob(pattern):
        if path.suffix in (".keras", ".json"):
            path.unlink(missing_ok=True)
            gone += 1
    return gone
