"""Figures of chapter 8's challenges: cost against accuracy, explanations side by side, deletion
and insertion curves, accuracy under attack, attention maps before and after an attack.

Introduced in chapter 8.1. Each function returns the ``Figure`` it drew, so a chapter (and its
tests) can check that a figure was produced.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .attention import draw_attention
from .figures import check_images, finish_axes

__all__ = ["cost_accuracy", "explanation_grid", "faithfulness_curves", "accuracy_curves", "attack_maps"]


def cost_accuracy(rows: list[dict], cost: str = "flops", accuracy: str = "accuracy"):
    """Return a scatter of ``accuracy`` against ``cost`` with one labelled point per row (a dict with ``name``).

    Introduced in chapter 8.1.
    """
    if not rows or any(k not in row for row in rows for k in ("name", cost, accuracy)):
        raise ValueError(f"rows must be a non-empty list of dicts with keys 'name', {cost!r} and {accuracy!r}")
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for row in rows:
        ax.scatter(row[cost], row[accuracy], s=40)
        ax.annotate(row["name"], (row[cost], row[accuracy]), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel(f"{cost} per example (log scale)")
    ax.set_ylabel(f"test {accuracy}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def explanation_grid(images, maps: dict, boxes=None, ncols: int | None = None):
    """Return a figure with one row per image and one column per explanation in ``maps`` (name -> ``(N, gh, gw)``).

    Introduced in chapter 8.2. Each map is scaled to its own range; the cyan cross marks its top
    cell and the green box the digit.
    """
    images = check_images(images)
    if not maps or any(np.asarray(m).shape[0] != len(images) or np.asarray(m).ndim != 3 for m in maps.values()):
        raise ValueError(f"maps must map a name to an (N, gh, gw) array with N={len(images)}")
    fig, axes = plt.subplots(len(images), len(maps), figsize=(1.9 * len(maps), 1.9 * len(images)), squeeze=False)
    for i in range(len(images)):
        for j, (name, m) in enumerate(maps.items()):
            m = np.asarray(m, dtype=float)[i]
            shifted = m - m.min()  # occlusion can be negative; the overlay needs a non-negative map
            draw_attention(axes[i, j], images[i], shifted, None if boxes is None else boxes[i],
                           title=name if i == 0 else None)
    fig.tight_layout()
    return fig


def faithfulness_curves(results: dict):
    """Return deletion and insertion curves side by side; ``results`` maps a name to a
    :func:`~elastic_attention.nn.explain.deletion_insertion` dict. Introduced in chapter 8.2.
    """
    if not results or any("deletion" not in r or "insertion" not in r for r in results.values()):
        raise ValueError("results must map a name to a deletion_insertion() dict")
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
    for name, r in results.items():
        for ax, kind in zip(axes, ("deletion", "insertion"), strict=True):
            ax.plot(np.arange(len(r[kind])), r[kind], marker="o", ms=2,
                    label=f"{name} (area {r[f'{kind}_auc']:.2f})")
    for ax, kind in zip(axes, ("deletion: top cells blacked out", "insertion: only top cells shown"), strict=True):
        finish_axes(ax, "cells", "mean true-class probability", kind, legend_size=7)
    fig.tight_layout()
    return fig


def accuracy_curves(x, accuracies: dict, xlabel: str, ylabel: str = "test accuracy", chance: float | None = 0.1):
    """Return accuracy against ``x`` (attack size, epochs ...); ``accuracies`` maps a run name to one value per ``x``.

    Introduced in chapter 8.1.
    """
    x = np.asarray(x, dtype=float)
    if not accuracies or any(len(a) != len(x) for a in accuracies.values()):
        raise ValueError(f"accuracies must map a name to {len(x)} values, one per x value")
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for name, acc in accuracies.items():
        ax.plot(x, acc, marker="o", label=name)
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", label="chance")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def attack_maps(clean, attacked, clean_weights, attacked_weights, boxes=None, titles=("clean", "attacked")):
    """Return a two-row figure: clean images with their attention, then the attacked ones with theirs.

    Introduced in chapter 8.3.
    """
    clean, attacked = check_images(clean), check_images(attacked)
    if clean.shape != attacked.shape:
        raise ValueError(f"clean and attacked images differ in shape: {clean.shape} vs {attacked.shape}")
    fig, axes = plt.subplots(2, len(clean), figsize=(1.9 * len(clean), 4.1), squeeze=False)
    for row, (imgs, weights, title) in enumerate(zip((clean, attacked), (clean_weights, attacked_weights), titles,
                                                      strict=True)):
        for k in range(len(clean)):
            draw_attention(axes[row, k], imgs[k], np.asarray(weights)[k], None if boxes is None else boxes[k],
                           title=title if k == 0 else None)
    fig.tight_layout()
    return fig
