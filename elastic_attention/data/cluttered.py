"""Cluttered canvases: one shipped digit, upscaled, at a random spot among fragments of others.

Introduced in chapter 5.3. Generated from the shipped digits on demand (same arguments, same
canvases), so nothing extra is stored in ``data/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import _validate as valid
from .digits import DIGIT_SIZE, SPLITS, load_digit_arrays, upscale

__all__ = ["ClutteredDigits", "make_cluttered"]


@dataclass(frozen=True)
class ClutteredDigits:
    """Cluttered canvases: ``images`` float32 ``(N, H, W, 1)`` in [0, 1], ``labels`` ``(N,)``,
    ``boxes`` ``(N, 4)`` as ``(top, left, bottom, right)`` with bottom/right exclusive (the tight
    box of the digit's ink), ``source_ids`` ``(N,)`` the shipped image each digit came from.

    Introduced in chapter 5.3.
    """

    images: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    source_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def make_cluttered(
    split: str,
    canvas_size: int = 40,
    scale: int = 2,
    clutter: tuple[int, int] = (4, 8),
    fragment_size: tuple[int, int] = (3, 5),
    copies: int = 1,
    seed: int = 0,
    root: Path | None = None,
) -> ClutteredDigits:
    """Return cluttered canvases made from one split of the shipped digits.

    Each canvas holds one digit, upscaled ``scale`` times, at a random spot, plus between
    ``clutter[0]`` and ``clutter[1]`` fragments: random ``fragment_size`` crops of *other* digits
    of the same split, upscaled alike and kept off the digit's square. Train and test canvases
    therefore never share a source digit. ``copies`` canvases are made per source digit. The
    result depends only on the arguments (same seed, same canvases).

    Introduced in chapter 5.3.
    """
    valid.one_of(split, SPLITS, "split")
    side = DIGIT_SIZE * scale
    valid.positive_int(scale, "scale")
    if canvas_size < side:
        raise ValueError(f"canvas_size={canvas_size} is smaller than the scaled digit ({side} px): enlarge the canvas")
    lo, hi = clutter
    if not 0 <= lo <= hi:
        raise ValueError(f"clutter must be (min, max) with 0 <= min <= max, got {clutter!r}")
    if not 1 <= fragment_size[0] <= fragment_size[1] <= DIGIT_SIZE:
        raise ValueError(f"fragment_size must satisfy 1 <= min <= max <= 8, got {fragment_size!r}")
    valid.positive_int(copies, "copies")

    digits, labels, ids = load_digit_arrays(split, root)
    digits = digits.astype(np.float32) / 255.0
    # Split-specific stream: the test canvases do not depend on how many train canvases exist.
    rng = np.random.default_rng([seed, SPLITS.index(split), canvas_size, scale])
    n = len(labels) * copies
    images = np.zeros((n, canvas_size, canvas_size, 1), dtype=np.float32)
    boxes = np.zeros((n, 4), dtype=np.int64)
    out_labels = np.repeat(labels, copies)
    out_ids = np.repeat(ids, copies)
    source = np.repeat(np.arange(len(labels)), copies)
    for k in range(n):
        canvas = images[k, :, :, 0]
        top, left = rng.integers(0, canvas_size - side + 1, size=2)
        for _ in range(int(rng.integers(lo, hi + 1))):
            other = int(rng.integers(len(labels) - 1))
            other += other >= source[k]  # never the digit itself
            fh, fw = rng.integers(fragment_size[0], fragment_size[1] + 1, size=2)
            fy, fx = rng.integers(0, DIGIT_SIZE - fh + 1), rng.integers(0, DIGIT_SIZE - fw + 1)
            patch = upscale(digits[other, fy : fy + fh, fx : fx + fw], scale)
            ph, pw = patch.shape
            for _attempt in range(20):
                py, px = rng.integers(0, canvas_size - ph + 1), rng.integers(0, canvas_size - pw + 1)
                apart = py + ph <= top or py >= top + side or px + pw <= left or px >= left + side
                if apart:
                    region = canvas[py : py + ph, px : px + pw]
                    np.maximum(region, patch, out=region)
                    break
        digit = upscale(digits[source[k]], scale)
        canvas[top : top + side, left : left + side] = digit
        rows, cols = np.nonzero(digit > 0)
        boxes[k] = (top + rows.min(), left + cols.min(), top + rows.max() + 1, left + cols.max() + 1)
    return ClutteredDigits(images=images, labels=out_labels, boxes=boxes, source_ids=out_ids)


