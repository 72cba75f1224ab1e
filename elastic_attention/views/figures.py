"""Training figures: learning curves, confusion matrices, image grids and result tables.

Introduced in chapter 5.2. Each figure function returns the ``Figure`` it drew, so a chapter (and
its tests) can check that a figure was produced.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["check_images", "finish_axes", "learning_curves", "confusion_matrix", "image_grid", "markdown_table"]


def check_images(images) -> np.ndarray:
    """Return greyscale images as ``(N, H, W)``, or raise a clear ValueError. Introduced in chapter 5.2."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, 1), got shape {images.shape}")
    return images


def finish_axes(ax, xlabel: str, ylabel: str, title: str | None = None, legend_size: int = 8) -> None:
    """Label ``ax``, add a light grid and a legend: the finish every line chart of the book shares.

    Introduced in chapter 3.4.
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=legend_size)


def learning_curves(histories: dict, metrics=("loss", "accuracy"), title: str | None = None):
    """Return a figure with one panel per metric; ``histories`` maps a run name to a Keras history dict.

    Introduced in chapter 5.2.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        for name, hist in histories.items():
            hist = getattr(hist, "history", hist)
            if metric in hist:
                epochs = np.arange(1, len(hist[metric]) + 1)
                line, = ax.plot(epochs, hist[metric], marker="o", ms=3, label=f"{name} train")
                if f"val_{metric}" in hist:
                    ax.plot(epochs, hist[f"val_{metric}"], ls="--", color=line.get_color(), label=f"{name} val")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(matrix, class_names=None, title: str = "Confusion matrix (test set)"):
    """Return a heat-map figure of a count matrix (rows: true class, columns: predicted). Introduced in chapter 5.2."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    n = matrix.shape[0]
    names = class_names or [str(i) for i in range(n)]
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    im = ax.imshow(matrix, cmap="Blues")
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                colour = "white" if matrix[i, j] > matrix.max() / 2 else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def image_grid(images, labels=None, boxes=None, ncols: int = 8, title: str | None = None):
    """Return a figure showing greyscale ``images`` with optional labels and boxes. Introduced in chapter 5.2."""
    images = check_images(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, 1.7 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k], cmap="gray", vmin=0, vmax=1)
        if labels is not None:
            ax.set_title(str(labels[k]), fontsize=9)
        if boxes is not None:
            top, left, bottom, right = boxes[k]
            ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, ec="lime", lw=1.2))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def markdown_table(rows: list[dict]):
    """Return an IPython ``Markdown`` table of ``rows`` (dicts sharing keys), for results side by side.

    Introduced in chapter 5.3.
    """
    from IPython.display import Markdown

    if not rows:
        raise ValueError("markdown_table needs at least one row")
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return Markdown("\n".join(lines))
