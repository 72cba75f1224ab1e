"""Evaluation metrics. Introduced in chapter 5.4 ("Results").

The pointing game asks whether a model's attention peak falls on the object: for each image,
take the feature-map cell with the largest weight, map the cell's centre back to pixels, and
count a hit when that point lies inside the object's box. No tolerance is allowed.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "cell_centres",
    "pointing_game",
    "confusion_matrix",
    "peak_cells",
    "occlude_cells",
    "peakedness",
    "cell_ink",
    "cells_in_box",
]


def cell_centres(grid_shape: tuple[int, int], image_shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Return the pixel coordinates ``(rows, cols)`` of the centres of a ``grid_shape`` map over an image.

    Introduced in chapter 5.4.
    """
    gh, gw = grid_shape
    ih, iw = image_shape
    rows = (np.arange(gh) + 0.5) * ih / gh
    cols = (np.arange(gw) + 0.5) * iw / gw
    return rows, cols


def _inside(rows, cols, boxes):
    # boxes: (N, 4) top, left, bottom, right with exclusive bottom/right, in pixels.
    top, left, bottom, right = (boxes[:, i][:, None] for i in range(4))
    return (rows >= top) & (rows < bottom), (cols >= left) & (cols < right)


def _dilate(mask: np.ndarray, tolerance: int) -> np.ndarray:
    # mask: (N, cells) booleans along one axis; a cell is accepted if a neighbour within
    # `tolerance` cells is.
    if tolerance == 0:
        return mask
    out = mask.copy()
    for shift in range(1, tolerance + 1):
        out[:, shift:] |= mask[:, :-shift]
        out[:, :-shift] |= mask[:, shift:]
    return out


def pointing_game(weights, boxes, image_shape, tolerance: int = 0) -> tuple[float, float]:
    """Return ``(score, chance)`` for attention ``weights`` ``(N, gh, gw)`` and ``boxes`` ``(N, 4)``.

    ``score`` is the share of images whose peak cell's centre lies inside the box; ``chance`` is
    the expected score of a peak picked uniformly at random among the cells. ``tolerance=k``
    also accepts a peak up to ``k`` cells away from a cell inside the box, which raises the
    chance level sharply on a coarse grid (chapter 5.4 shows by how much).
    """
    weights = np.asarray(weights)
    boxes = np.asarray(boxes)
    if weights.ndim != 3:
        raise ValueError(f"weights must be (N, grid_h, grid_w), got shape {weights.shape}")
    if boxes.shape != (len(weights), 4):
        raise ValueError(f"boxes must be (N, 4) with N={len(weights)}, got shape {boxes.shape}")
    n, gh, gw = weights.shape
    rows, cols = cell_centres((gh, gw), image_shape)
    if not isinstance(tolerance, int) or tolerance < 0:
        raise ValueError(f"tolerance must be a non-negative integer number of cells, got {tolerance!r}")
    row_in, col_in = _inside(rows[None, :], cols[None, :], boxes)
    row_in, col_in = _dilate(row_in, tolerance), _dilate(col_in, tolerance)
    peak = weights.reshape(n, -1).argmax(axis=1)
    pr, pc = np.unravel_index(peak, (gh, gw))
    hits = row_in[np.arange(n), pr] & col_in[np.arange(n), pc]
    cells_inside = row_in.sum(axis=1) * col_in.sum(axis=1)
    return float(hits.mean()), float((cells_inside / (gh * gw)).mean())


def confusion_matrix(y_true, y_pred, num_classes: int = 10) -> np.ndarray:
    """Return the ``(num_classes, num_classes)`` count matrix, rows = true class, cols = predicted.

    Introduced in chapter 5.2.
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {y_true.shape} vs {y_pred.shape}")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def peak_cells(weights) -> np.ndarray:
    """Return the ``(N, 2)`` (row, column) of each map's largest weight in ``weights`` ``(N, gh, gw)``.

    Introduced in chapter 5.4.
    """
    weights = np.asarray(weights)
    if weights.ndim != 3:
        raise ValueError(f"weights must be (N, grid_h, grid_w), got shape {weights.shape}")
    flat = weights.reshape(len(weights), -1).argmax(axis=1)
    return np.stack(np.unravel_index(flat, weights.shape[1:]), axis=1)


def occlude_cells(images, cells, grid_shape) -> np.ndarray:
    """Return a copy of ``images`` ``(N, H, W, C)`` with the pixels under one grid cell per image set to 0.

    ``cells`` is ``(N, 2)`` (row, column) on a ``grid_shape`` grid laid over the image; used to ask
    whether the cell that attention picks is the one the prediction depends on.

    Introduced in chapter 5.4.
    """
    images = np.array(images, copy=True)
    cells = np.asarray(cells)
    if images.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C), got shape {images.shape}")
    if cells.shape != (len(images), 2):
        raise ValueError(f"cells must be (N, 2) with N={len(images)}, got shape {cells.shape}")
    ch, cw = images.shape[1] // grid_shape[0], images.shape[2] // grid_shape[1]
    for k, (r, c) in enumerate(cells):
        images[k, r * ch : (r + 1) * ch, c * cw : (c + 1) * cw] = 0.0
    return images


def peakedness(weights) -> dict[str, float]:
    """Return how peaked attention maps ``(N, ...)`` are: the mean largest weight (``peak``) and the
    mean entropy divided by its maximum ``log(cells)`` (``entropy``, 1 for uniform weights).

    Introduced in chapter 3.3.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim < 2 or w.shape[0] == 0:
        raise ValueError(f"weights must be (N, cells) or (N, gh, gw) with N >= 1, got shape {w.shape}")
    w = w.reshape(len(w), -1)
    if w.shape[1] < 2 or (w < 0).any() or not np.allclose(w.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("each map must hold at least two non-negative weights summing to 1 (softmax outputs)")
    entropy = -(w * np.log(np.clip(w, 1e-30, None))).sum(axis=1) / np.log(w.shape[1])
    return {"peak": float(w.max(axis=1).mean()), "entropy": float(entropy.mean())}


def cell_ink(images, grid_shape) -> np.ndarray:
    """Return ``(N, gh, gw)``: the summed pixel values ("ink") of each cell of a ``grid_shape`` grid
    laid over ``images`` ``(N, H, W)`` or ``(N, H, W, C)``.

    Introduced in chapter 5.4 as a pointing baseline that learns nothing: scored with
    :func:`pointing_game`, the cell with the most ink plays the role of the attention peak.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4:
        images = images.sum(axis=-1)
    if images.ndim != 3:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got shape {images.shape}")
    gh, gw = grid_shape
    n, h, w = images.shape
    if h % gh or w % gw:
        raise ValueError(f"images {h}x{w} are not a whole multiple of the grid {gh}x{gw}: pick a grid that divides them")
    return images.reshape(n, gh, h // gh, gw, w // gw).sum(axis=(2, 4))


def cells_in_box(boxes, grid_shape, image_shape, rng, avoid=None) -> np.ndarray:
    """Return ``(N, 2)`` (row, column): one cell per image drawn at random among the cells whose
    centre lies inside the image's box (the cells the strict :func:`pointing_game` counts as hits).

    ``avoid`` ``(N, 2)``: a cell not to draw when the box holds another one (the control of an
    occlusion test draws a cell of the digit other than the attention peak). A box holding no cell
    centre gives the cell under its own centre. ``rng`` is a ``numpy.random.Generator``.

    Introduced in chapter 5.4.
    """
    boxes = np.asarray(boxes)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must be (N, 4) as (top, left, bottom, right), got shape {boxes.shape}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    gh, gw = grid_shape
    rows, cols = cell_centres(grid_shape, image_shape)
    row_in, col_in = _inside(rows[None, :], cols[None, :], boxes)
    out = np.empty((len(boxes), 2), dtype=np.int64)
    for k in range(len(boxes)):
        cells = [(r, c) for r in np.flatnonzero(row_in[k]) for c in np.flatnonzero(col_in[k])]
        if avoid is not None and len(cells) > 1:
            cells = [cell for cell in cells if tuple(cell) != tuple(np.asarray(avoid)[k])]
        if not cells:
            top, left, bottom, right = boxes[k]
            cells = [(min(int((top + bottom) / 2 * gh / image_shape[0]), gh - 1),
                      min(int((left + right) / 2 * gw / image_shape[1]), gw - 1))]
        out[k] = cells[rng.integers(len(cells))]
    return out
