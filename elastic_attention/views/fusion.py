"""Figures for attention in use: modality weights under corruption, and the effect of the
attention temperature on accuracy and on how peaked the maps are. Introduced in chapter 3.3.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["modality_weights", "temperature_sweep"]


def modality_weights(weights: dict, modalities=("image", "hint")):
    """Return a bar figure of mean modality weights; ``weights`` maps a condition name to an
    ``(N, modalities)`` array of per-example weights.

    Introduced in chapter 3.3.
    """
    if not weights:
        raise ValueError("weights is empty: pass {condition: (N, modalities) array}")
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * len(weights), 3.2))
    names = list(weights)
    bottom = np.zeros(len(names))
    for m, modality in enumerate(modalities):
        means = np.array([np.asarray(weights[n])[:, m].mean() for n in names])
        ax.bar(names, means, bottom=bottom, label=modality)
        bottom += means
    ax.set_ylabel("mean modality weight")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def temperature_sweep(temperatures, accuracy, peak, entropy):
    """Return a two-panel figure against ``temperatures`` (log scale): accuracy; peak weight and
    normalized entropy of the maps.

    Introduced in chapter 3.3.
    """
    t = np.asarray(temperatures, dtype=float)
    if not (len(t) == len(accuracy) == len(peak) == len(entropy)) or len(t) < 2:
        raise ValueError("pass at least two temperatures and one accuracy, peak and entropy per temperature")
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.2))
    axes[0].plot(t, accuracy, marker="o")
    axes[0].set_ylabel("test accuracy")
    axes[1].plot(t, peak, marker="o", label="largest weight")
    axes[1].plot(t, entropy, marker="s", label="entropy / log(cells)")
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("temperature")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
