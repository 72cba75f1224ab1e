"""Figures for choosing and initializing models: accuracy against cost, accuracy against time.

Introduced in chapter 3.2.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["cost_scatter", "time_to_accuracy_curves"]


def cost_scatter(rows: list[dict]):
    """Return a two-panel figure: test accuracy against parameters and against training seconds,
    one point per row (dicts with ``name``, ``accuracy``, ``params``, ``seconds``).

    Introduced in chapter 3.2.
    """
    if not rows or not all({"name", "accuracy", "params", "seconds"} <= set(r) for r in rows):
        raise ValueError("rows must be a non-empty list of dicts with name, accuracy, params and seconds")
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.2))
    for ax, key, label in ((axes[0], "params", "parameters"), (axes[1], "seconds", "training seconds")):
        for row in rows:
            ax.scatter(row[key], row["accuracy"], s=40)
            ax.annotate(row["name"], (row[key], row["accuracy"]), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def time_to_accuracy_curves(runs: dict, target: float | None = None):
    """Return a figure of test accuracy against wall-clock seconds, one line per run; ``runs`` maps
    a name to ``{"seconds": [...], "history": {"val_accuracy": [...]}}``, and ``target`` draws a
    horizontal line.

    Introduced in chapter 3.2.
    """
    if not runs:
        raise ValueError("runs is empty: pass at least one {'seconds', 'history'} run")
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for name, run in runs.items():
        acc = np.asarray(run["history"]["val_accuracy"])
        ax.plot(run["seconds"], acc, marker="o", ms=3, label=name)
    if target is not None:
        ax.axhline(target, color="grey", ls=":", lw=1)
    ax.set_xlabel("training seconds")
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
