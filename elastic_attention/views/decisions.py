"""Decisions from model outputs: reliability diagrams and the cost of an abstain threshold.

Introduced in chapter 3.4. Each function returns the ``Figure`` it drew.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..nn.calibration import Reliability
from .figures import finish_axes

__all__ = ["reliability_diagram", "cost_curve"]


def reliability_diagram(panels: dict[str, Reliability], title: str = "Reliability (evaluation canvases)"):
    """Return a figure with one reliability panel per ``name -> Reliability``: accuracy against mean
    confidence per bin, the diagonal of perfect calibration, and bin counts as bar shading.

    Introduced in chapter 3.4.
    """
    if not panels:
        raise ValueError("panels is empty: pass {'name': reliability(probs, labels)}")
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), squeeze=False)
    for ax, (name, r) in zip(axes[0], panels.items(), strict=True):
        centres = (r.edges[:-1] + r.edges[1:]) / 2
        width = np.diff(r.edges)
        shade = r.counts / max(r.counts.max(), 1)
        ax.bar(centres, np.nan_to_num(r.accuracy), width=width, color=plt.cm.Blues(0.3 + 0.7 * shade),
               edgecolor="k", lw=0.5, label="accuracy per bin")
        ax.plot([0, 1], [0, 1], "k--", lw=1, label="calibrated")
        ax.plot(r.confidence, r.accuracy, "o", color="tab:red", ms=3, label="mean confidence")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence (top softmax probability)")
        ax.set_ylabel("accuracy")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def cost_curve(thresholds, costs: dict, chosen: float | None = None, title: str = "Expected cost per input"):
    """Return a figure of mean cost against the answer threshold, one line per ``name -> costs``,
    with the ``chosen`` threshold marked.

    Introduced in chapter 3.4.
    """
    thresholds = np.asarray(thresholds)
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    for name, c in costs.items():
        if len(c) != len(thresholds):
            raise ValueError(f"costs[{name!r}] has {len(c)} values for {len(thresholds)} thresholds")
        ax.plot(thresholds, c, label=name)
    if chosen is not None:
        ax.axvline(chosen, color="gray", ls=":", label=f"chosen threshold {chosen:.2f}")
    finish_axes(ax, "answer when confidence >= threshold", "mean cost", title)
    fig.tight_layout()
    return fig
