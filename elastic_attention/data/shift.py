"""Distribution shifts: the same digits drawn differently (rotated, thicker, noisier, blurred,
moved), to measure what a model loses when the world changes and what adaptation wins back.

Introduced in chapter 3.1 (augmentation under a shift); chapter 3.5 (adaptive learning) reuses it.
Every transform works on float images in [0, 1] of shape ``(N, H, W)`` or ``(N, H, W, 1)``,
returns a new array of the same shape and dtype (the input is not modified), and depends only on
its arguments (same ``seed``, same result). ``severity`` runs from 0 (no change) to 1 (the
strongest shift the book uses).
"""

from __future__ import annotations

import numpy as np

from .. import _validate as valid

__all__ = ["SHIFTS", "apply_shift"]

SHIFTS = ("rotate", "thicken", "noise", "blur", "translate")
MAX_ROTATION_DEGREES = 45.0
MAX_NOISE_STD = 0.5
MAX_BLUR_SIGMA = 1.5
MAX_TRANSLATION = 0.25  # of the image side


def _as_images(images) -> tuple[np.ndarray, bool]:
    arr = np.asarray(images)
    channel = arr.ndim == 4 and arr.shape[-1] == 1
    if not (arr.ndim == 3 or channel):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, 1), got shape {arr.shape}")
    if len(arr) == 0:
        raise ValueError("images is empty: pass at least one image")
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"images must be floats in [0, 1], got dtype {arr.dtype}: divide uint8 images by 255")
    valid.finite(arr, "images")
    return (arr[..., 0] if channel else arr).astype(np.float64), channel


def apply_shift(images, kind: str, severity: float = 1.0, seed: int = 0) -> np.ndarray:
    """Return ``images`` shifted by ``kind`` (one of :data:`SHIFTS`) at ``severity`` in [0, 1].

    Introduced in chapter 3.1. ``rotate`` turns each image by a random angle of up to
    ``45 * severity`` degrees either way; ``thicken`` dilates strokes (a grey maximum over a
    window that grows with severity, blended); ``noise`` adds Gaussian noise of standard deviation
    ``0.5 * severity``; ``blur`` applies a Gaussian blur of sigma ``1.5 * severity`` pixels;
    ``translate`` moves each image by up to ``severity / 4`` of its side (zeros fill in).
    Results are clipped to [0, 1].
    """
    from scipy import ndimage

    valid.one_of(kind, SHIFTS, "shift")
    severity = valid.probability(severity, "severity")
    x, channel = _as_images(images)
    dtype = np.asarray(images).dtype
    rng = np.random.default_rng([seed, SHIFTS.index(kind)])
    n, h, w = x.shape
    if severity == 0:
        out = x.copy()
    elif kind == "rotate":
        angles = rng.uniform(-1, 1, n) * MAX_ROTATION_DEGREES * severity
        out = np.stack([ndimage.rotate(im, a, reshape=False, order=1, mode="constant") for im, a in zip(x, angles, strict=True)])
    elif kind == "thicken":
        size = 1 + 2 * int(np.ceil(severity))  # a 3x3 window; severity blends towards it
        out = (1 - severity) * x + severity * ndimage.grey_dilation(x, size=(1, size, size))
    elif kind == "noise":
        out = x + rng.normal(0.0, MAX_NOISE_STD * severity, x.shape)
    elif kind == "blur":
        out = ndimage.gaussian_filter(x, sigma=(0, MAX_BLUR_SIGMA * severity, MAX_BLUR_SIGMA * severity))
    else:
        limit = MAX_TRANSLATION * severity
        dy = np.rint(rng.uniform(-limit, limit, n) * h).astype(int)
        dx = np.rint(rng.uniform(-limit, limit, n) * w).astype(int)
        out = np.stack([ndimage.shift(im, (a, b), order=0, mode="constant") for im, a, b in zip(x, dy, dx, strict=True)])
    out = np.clip(out, 0.0, 1.0).astype(dtype)
    return out[..., None] if channel else out
