"""Figures of chapter 3.7: learning-rate schedules, the search grid, training curves side by side.

Introduced in chapter 3.7. Each function returns the ``Figure`` it drew.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .figures import finish_axes

__all__ = ["schedule_curves", "grid_heatmap", "loss_curves"]


def _check_curves(curves: dict, name: str) -> dict:
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"{name} must be a non-empty dict mapping a name to a sequence of numbers")
    out = {k: np.asarray(v, dtype=float) for k, v in curves.items()}
    if any(v.ndim != 1 or len(v) == 0 for v in out.values()):
        raise ValueError(f"every value of {name} must be a non-empty 1-D sequence of numbers")
    return out


def schedule_curves(curves: dict):
    """Return a plot of the learning rate against the step for each schedule in ``curves`` (name -> rates).

    Introduced in chapter 3.7.
    """
    curves = _check_curves(curves, "curves")
    fig, ax = plt.subplots(figsize=(5.6, 3.2))
    for name, rates in curves.items():
        ax.plot(np.arange(len(rates)), rates, label=name)
    finish_axes(ax, "training step", "learning rate", "Schedules with the same peak and budget")
    fig.tight_layout()
    return fig


def grid_heatmap(scores, rows: list[str], columns: list[str], title: str = "mean validation accuracy"):
    """Return a heatmap of ``scores`` (``len(rows) x len(columns)``) with each cell's value written in it.

    Introduced in chapter 3.7.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.shape != (len(rows), len(columns)):
        raise ValueError(f"scores must have shape (len(rows), len(columns)) = {(len(rows), len(columns))}, "
                         f"got {scores.shape}")
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(columns), 0.9 + 0.38 * len(rows)))
    ax.imshow(scores, cmap="viridis", aspect="auto")
    for (i, j), value in np.ndenumerate(scores):
        ax.text(j, i, f"{value:.3f}", ha="center", va="center", fontsize=8,
                color="black" if value > np.nanmean(scores) else "white")
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def loss_curves(losses: dict, title: str = "training loss per epoch"):
    """Return a plot of the training loss per epoch (log scale) of each run in ``losses`` (name -> losses).

    Introduced in chapter 3.7.
    """
    losses = _check_curves(losses, "losses")
    fig, ax = plt.subplots(figsize=(5.6, 3.2))
    for name, values in losses.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker=".", label=name)
    ax.set_yscale("log")
    finish_axes(ax, "epoch", "training loss", title)
    fig.tight_layout()
    return fig
