"""Elastic inference: where the glimpses land, the accuracy-versus-compute curve, its threshold
slider, and attention-guided pruning over k.

Introduced in chapter 3.5. Each figure function returns the ``Figure`` it drew; the slider viewer
has :func:`tradeoff_figure` as its static twin.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .explorer import Explorer
from .figures import check_images

__all__ = ["glimpse_examples", "tradeoff_figure", "threshold_viewer", "topk_figure"]


def glimpse_examples(images, centres, size: int, labels, predictions, columns: int = 6):
    """Return a grid of canvases with the crop each glimpse read drawn as a box, titled
    ``true -> predicted`` (red when wrong).

    Introduced in chapter 3.5.
    """
    images = check_images(images)
    n = len(images)
    if not (len(centres) == len(labels) == len(predictions) == n):
        raise ValueError("images, centres, labels and predictions must have one entry per canvas")
    rows = int(np.ceil(n / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.7 * columns, 1.9 * rows), squeeze=False)
    h, w = images.shape[1:]
    for ax, k in zip(axes.flat, range(rows * columns), strict=True):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k], cmap="gray_r", vmin=0, vmax=1)
        top = np.clip(np.rint(centres[k][0] - size / 2), 0, h - size)
        left = np.clip(np.rint(centres[k][1] - size / 2), 0, w - size)
        wrong = labels[k] != predictions[k]
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, lw=1.5,
                               color="tab:red" if wrong else "tab:green"))
        ax.set_title(f"{labels[k]} -> {predictions[k]}", fontsize=8, color="tab:red" if wrong else "black")
    fig.tight_layout()
    return fig


def _draw_tradeoff(ax, curves: dict, full_accuracy: float, marks: dict | None = None) -> None:
    for name, c in curves.items():
        line, = ax.plot(c["flops"], c["accuracy"], "o-", ms=3, label=name)
        if marks and name in marks:
            m = marks[name]
            ax.plot([m["flops"]], [m["accuracy"]], "*", ms=13, color=line.get_color(), mec="k")
    ax.axhline(full_accuracy, color="gray", ls="--", lw=1, label="full model")
    ax.plot([1.0], [full_accuracy], "ks", ms=6)
    ax.set_xlabel("FLOPs per canvas, share of the full model")
    ax.set_ylabel("test accuracy")
    ax.set_xlim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")


def tradeoff_figure(curves: dict, full_accuracy: float, marks: dict | None = None,
                    title: str = "Accuracy against compute (test canvases)"):
    """Return a figure of accuracy against FLOPs share; ``curves`` maps a name to a dict with arrays
    ``flops`` (share of the full model) and ``accuracy``; ``marks`` maps a name to one chosen point.

    Introduced in chapter 3.5; the static twin of :func:`threshold_viewer`.
    """
    if not curves:
        raise ValueError("curves is empty: pass {'name': {'flops': [...], 'accuracy': [...]}}")
    fig, ax = plt.subplots(figsize=(6.0, 3.8))
    _draw_tradeoff(ax, curves, full_accuracy, marks)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def threshold_viewer(curves: dict, full_accuracy: float) -> Explorer:
    """Return an :class:`~.explorer.Explorer` whose ipywidgets view has one slider per curve over its
    ``thresholds`` (a key of each curve's dict), moving that curve's operating point along the
    accuracy-versus-compute plot. Its HTML view (the static site, a frontend without widgets) says
    that the sliders need a kernel and points to the static figure.

    Introduced in chapter 3.5; :func:`tradeoff_figure` is its static twin.
    """
    for name, c in curves.items():
        if len(c.get("thresholds", ())) != len(c["flops"]):
            raise ValueError(f"curve {name!r} needs one threshold per point in 'thresholds'")
    note = ('<p class="ea-text">The threshold sliders run in a live kernel (Jupyter or Colab); the figure '
            'above shows the same curves.</p>')
    return Explorer("threshold", note, f"{len(curves)} curves", lambda: _threshold_widget(curves, full_accuracy))


def _threshold_widget(curves: dict, full_accuracy: float):
    import ipywidgets as widgets

    sliders = {name: widgets.SelectionSlider(options=[(f"{t:.3f}", i) for i, t in enumerate(c["thresholds"])],
                                             value=len(c["thresholds"]) - 1, description=name[:14])
               for name, c in curves.items()}
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6.0, 3.6))
            marks = {name: {"flops": curves[name]["flops"][s.value], "accuracy": curves[name]["accuracy"][s.value]}
                     for name, s in sliders.items()}
            _draw_tradeoff(ax, curves, full_accuracy, marks)
            fig.tight_layout()
            plt.show()

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return widgets.VBox([*sliders.values(), out])


def topk_figure(ks, accuracy, flops_share, full_accuracy: float):
    """Return a two-panel figure of accuracy and FLOPs share against ``k``, the number of attended
    cells kept. Introduced in chapter 3.5.
    """
    ks = np.asarray(ks)
    if not (len(ks) == len(accuracy) == len(flops_share)):
        raise ValueError("ks, accuracy and flops_share must have the same length")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8.4, 3.0))
    a1.plot(ks, accuracy, "o-", ms=3)
    a1.axhline(full_accuracy, color="gray", ls="--", lw=1, label="full model, whole canvas")
    a1.set_xlabel("cells kept (k of 100)")
    a1.set_ylabel("test accuracy")
    a1.legend(fontsize=8)
    a2.plot(ks, flops_share, "o-", ms=3, color="tab:orange")
    a2.set_xlabel("cells kept (k of 100)")
    a2.set_ylabel("FLOPs share (sparse count)")
    for ax in (a1, a2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
