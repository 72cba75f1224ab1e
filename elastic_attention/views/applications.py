"""Static figures of chapter 6's case studies: where each model's attention went.

Introduced in chapter 6.1. One function per case; each returns the ``Figure`` it drew, so a chapter
(and its tests) can check that a figure was produced.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .figures import check_images

__all__ = ["weight_bars", "token_weights", "bag_weights", "feature_weights", "signal_timeline"]


def _rows(weights, name: str) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim == 1:
        w = w[None]
    if w.ndim != 2 or w.shape[1] == 0:
        raise ValueError(f"{name} must be (rows, positions) with at least one position, got shape {w.shape}")
    return w


def weight_bars(weights, marked, titles=None, xlabel: str = "position in the history", marked_label: str = "ground truth"):
    """Return a figure with one bar chart of attention weights per row; ``marked`` ``(rows, positions)``
    colours the bars the ground truth singles out. Introduced in chapter 6.1 (used again in 6.3)."""
    w = _rows(weights, "weights")
    mark = np.asarray(marked, dtype=bool).reshape(w.shape)
    fig, axes = plt.subplots(1, len(w), figsize=(3.4 * len(w), 2.6), squeeze=False, sharey=True)
    for i, ax in enumerate(axes[0]):
        colors = np.where(mark[i], "tab:red", "tab:gray")
        ax.bar(np.arange(w.shape[1]), w[i], color=colors)
        ax.axhline(1 / w.shape[1], color="k", lw=0.8, ls=":", label="uniform")
        ax.set_xlabel(xlabel)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    axes[0][0].set_ylabel("attention weight")
    axes[0][0].bar([], [], color="tab:red", label=marked_label)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def token_weights(tokens: list[list[str]], weights, titles=None):
    """Return a figure that writes each utterance's tokens on a background as dark as its weight.

    Introduced in chapter 6.2. ``tokens[i]`` are the words of utterance ``i``; ``weights[i]`` holds
    at least as many weights (padding beyond the words is ignored).
    """
    if not tokens:
        raise ValueError("tokens is empty: pass at least one tokenised utterance")
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(tokens) + 0.4))
    ax.set_axis_off()
    cmap = plt.get_cmap("Oranges")
    for i, words in enumerate(tokens):
        w = np.asarray(weights[i], dtype=float)[: len(words)]
        x, y = 0.0, 1 - (i + 0.5) / len(tokens)
        if titles is not None:
            ax.text(x, y, titles[i], fontsize=8, color="0.35", va="center", transform=ax.transAxes)
            x = 0.22
        for word, weight in zip(words, w, strict=False):
            text = ax.text(x, y, word, fontsize=10, va="center", transform=ax.transAxes,
                           bbox={"facecolor": cmap(min(1.0, weight / max(w.max(), 1e-9))), "edgecolor": "none", "pad": 2})
            fig.canvas.draw()
            box = text.get_window_extent().transformed(ax.transAxes.inverted())
            x = box.x1 + 0.012
    return fig


def bag_weights(bags, weights, instances, ncols: int | None = None):
    """Return a figure of bags of images (one row each), every image titled with its attention weight
    and framed in red when it is a positive instance. Introduced in chapter 6.4."""
    w = _rows(weights, "weights")
    rows = [check_images(b) for b in bags]
    k = ncols or w.shape[1]
    fig, axes = plt.subplots(len(rows), k, figsize=(0.9 * k, 1.15 * len(rows)), squeeze=False)
    for r, images in enumerate(rows):
        for c in range(k):
            ax = axes[r][c]
            ax.imshow(images[c], cmap="gray_r")
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_title(f"{w[r, c]:.2f}", fontsize=8)
            for spine in ax.spines.values():
                spine.set_color("tab:red" if instances[r][c] else "0.8")
                spine.set_linewidth(2.5 if instances[r][c] else 0.8)
    fig.tight_layout()
    return fig


def feature_weights(names, weights, top: int = 10, title: str = "mean attention per feature (test records)"):
    """Return a horizontal bar chart of the ``top`` features by mean weight. Introduced in chapter 6.4."""
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(names),):
        raise ValueError(f"need one weight per feature name ({len(names)}), got shape {w.shape}")
    order = np.argsort(w)[::-1][:top][::-1]
    fig, ax = plt.subplots(figsize=(5.5, 0.28 * len(order) + 0.8))
    ax.barh([names[i] for i in order], w[order], color="tab:orange")
    ax.axvline(1 / len(w), color="k", lw=0.8, ls=":", label="uniform")
    ax.set_xlabel("attention weight")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def signal_timeline(runs: dict, weights=None, lanes=("north", "south", "east", "west"), steps: int = 150):
    """Return a figure: total queue over the first ``steps`` steps for each named run (a
    :class:`~elastic_attention.data.SimResult`), and the attention controller's lane weights below.

    Introduced in chapter 6.5.
    """
    if not runs:
        raise ValueError("runs is empty: pass {name: SimResult}")
    panels = 2 if weights is not None else 1
    fig, axes = plt.subplots(panels, 1, figsize=(8, 2.4 * panels), sharex=True, squeeze=False)
    for name, run in runs.items():
        axes[0][0].plot(run.queues[:steps].sum(axis=1), label=f"{name} (mean wait {run.mean_wait:.1f} steps)")
    axes[0][0].set_ylabel("vehicles queued")
    axes[0][0].legend(fontsize=8)
    if weights is not None:
        w = _rows(weights, "weights")[:steps]
        axes[1][0].stackplot(np.arange(len(w)), w.T, labels=lanes, alpha=0.8)
        axes[1][0].set_ylabel("lane weight")
        axes[1][0].legend(fontsize=7, ncol=4, loc="upper right")
    axes[-1][0].set_xlabel("step (about 2 s each)")
    fig.tight_layout()
    return fig
