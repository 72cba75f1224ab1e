"""Static matplotlib figures. Each function returns the ``Figure`` it drew, so a chapter (and its
tests) can check that a figure was produced. Introduced in chapter 5.4 ("Results").
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def _check_images(images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, 1), got shape {images.shape}")
    return images


def learning_curves(histories: dict, metrics=("loss", "accuracy"), title: str | None = None):
    """Return a figure with one panel per metric; ``histories`` maps a run name to a Keras history dict."""
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
    """Return a heat-map figure of a count matrix (rows: true class, columns: predicted)."""
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


def upsample_weights(weights, image_shape) -> np.ndarray:
    """Return attention ``weights`` ``(gh, gw)`` or ``(N, gh, gw)`` repeated to image resolution."""
    weights = np.asarray(weights)
    gh, gw = weights.shape[-2:]
    ih, iw = image_shape
    if ih % gh or iw % gw:
        raise ValueError(f"image {image_shape} is not a whole multiple of the attention grid {(gh, gw)}")
    return np.repeat(np.repeat(weights, ih // gh, axis=-2), iw // gw, axis=-1)


def draw_attention(ax, image, weights, box=None, alpha: float = 0.55, title: str | None = None):
    """Draw ``image`` with its attention ``weights`` overlaid (and the object's ``box``) on ``ax``."""
    image = np.asarray(image).squeeze()
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    heat = upsample_weights(weights, image.shape)
    ax.imshow(heat, cmap="inferno", alpha=alpha, vmin=0, vmax=max(float(heat.max()), 1e-12))
    gh, gw = np.asarray(weights).shape
    r, c = np.unravel_index(int(np.argmax(weights)), (gh, gw))
    ch, cw = image.shape[0] / gh, image.shape[1] / gw
    ax.plot((c + 0.5) * cw - 0.5, (r + 0.5) * ch - 0.5, marker="+", color="cyan", ms=10, mew=2)
    if box is not None:
        top, left, bottom, right = box
        ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, ec="lime", lw=1.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def attention_grid(images, weights, boxes=None, labels=None, predictions=None, ncols: int = 6, alpha: float = 0.55):
    """Return a figure of images with attention overlays, peak cell (+) and digit box (green)."""
    images = _check_images(images)
    weights = np.asarray(weights)
    if weights.ndim != 3 or len(weights) != len(images):
        raise ValueError(f"weights must be (N, gh, gw) with N={len(images)}, got shape {weights.shape}")
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.9 * ncols, 2.1 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        title = None
        if labels is not None:
            title = f"true {labels[k]}" + (f", pred {predictions[k]}" if predictions is not None else "")
        draw_attention(ax, images[k], weights[k], None if boxes is None else boxes[k], alpha=alpha, title=title)
    fig.tight_layout()
    return fig


def image_grid(images, labels=None, boxes=None, ncols: int = 8, title: str | None = None):
    """Return a figure showing greyscale ``images`` with optional labels and boxes."""
    images = _check_images(images)
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
    """Return an IPython ``Markdown`` table of ``rows`` (dicts sharing keys), for results side by side."""
    from IPython.display import Markdown

    if not rows:
        raise ValueError("markdown_table needs at least one row")
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return Markdown("\n".join(lines))
