"""Figures of chapter 4's hand-derived training: loss curves per step. Introduced in chapter 4."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["loss_curve_figure"]


def loss_curve_figure(curves: dict, title: str | None = None, ylabel: str = "training loss (batch mean)"):
    """Return a figure of one loss value per training step for each named curve in ``curves``.

    Introduced in chapter 4. ``curves`` maps a label to a 1-D sequence of losses; a dashed line
    marks each curve's mean over its last tenth, the level it settles at.
    """
    if not curves:
        raise ValueError("curves is empty: pass {'label': losses, ...} with one loss per step")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for name, losses in curves.items():
        losses = np.asarray(losses, dtype=float)
        if losses.ndim != 1 or losses.size < 2 or not np.all(np.isfinite(losses)):
            raise ValueError(f"curve {name!r} must be a 1-D sequence of at least 2 finite losses, got shape {losses.shape}")
        line, = ax.plot(np.arange(1, losses.size + 1), losses, lw=1.2, label=name)
        tail = losses[-max(1, losses.size // 10):].mean()
        ax.axhline(tail, ls="--", lw=0.8, color=line.get_color())
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
