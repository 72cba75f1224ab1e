"""Input checks shared by the whole package, one copy each. Introduced in chapter 4.

Every public function of the library validates its arguments with these helpers, so that the
same mistake (a ``True`` where a count belongs, a NaN in an array, a temperature of zero) gets
the same clear message wherever it is made. This module imports nothing from the package.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["array", "temperature", "positive_int", "positive_number", "probability", "finite", "one_of"]


def array(x, name: str, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``x`` as a finite float64 array of the expected rank, or raise a clear ValueError.

    Introduced in chapter 4.
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric, got {type(x).__name__} ({exc}): pass a NumPy array") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have rank {want}, got rank {arr.ndim} with shape {arr.shape}: reshape it")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values: check the inputs and the learning rate")
    return arr


def positive_number(value, name: str) -> float:
    """Return ``value`` as a float if it is a finite number above zero, else raise ValueError.

    Introduced in chapter 4. Booleans are refused: ``True`` is not a learning rate.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return v


def temperature(value) -> float:
    """Return a softmax temperature as a float, or raise ValueError unless it is positive and finite.

    Introduced in chapter 4.
    """
    return positive_number(value, "temperature")


def positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` if it is an integer ``>= minimum`` (booleans refused), else raise ValueError.

    Introduced in chapter 4.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def probability(value, name: str, open_interval: bool = False) -> float:
    """Return ``value`` as a float in [0, 1] (or in (0, 1) with ``open_interval``), else raise ValueError.

    Introduced in chapter 5.2.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    v = float(value)
    ok = 0 < v < 1 if open_interval else 0 <= v <= 1
    if not ok:
        where = "strictly between 0 and 1" if open_interval else "in [0, 1]"
        raise ValueError(f"{name} must lie {where}, got {value!r}")
    return v


def finite(x, name: str) -> np.ndarray:
    """Return ``x`` as an array, or raise ValueError naming how many entries are NaN or infinite.

    Introduced in chapter 5.5.
    """
    arr = np.asarray(x)
    if arr.dtype.kind in "fc" and arr.size and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{name} contain {bad} NaN or infinite values: clean or drop those samples first")
    return arr


def one_of(value, choices, name: str):
    """Return ``value`` if it is one of ``choices``, else raise ValueError listing them.

    Introduced in chapter 5.2.
    """
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}: use one of {', '.join(map(str, choices))}")
    return value
