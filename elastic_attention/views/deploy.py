"""Figures of the FAQ chapters: sparsity against accuracy, requests against replicas, confidence drift.

Introduced in chapter 9.2. Each function returns the ``Figure`` it drew, so a chapter (and its
tests) can check that a figure was produced.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["sparsity_curve", "autoscaling_figure", "drift_figure"]


def sparsity_curve(sparsities, accuracies, baseline: float | None = None):
    """Return a figure of test accuracy against the measured kernel sparsity. Introduced in chapter 9.2."""
    s, a = np.asarray(sparsities, dtype=float), np.asarray(accuracies, dtype=float)
    if s.shape != a.shape or s.ndim != 1 or len(s) == 0:
        raise ValueError(f"sparsities and accuracies must be 1-D and equally long, got {s.shape} and {a.shape}")
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(s, a, marker="o", label="pruned, no fine-tuning")
    if baseline is not None:
        ax.axhline(baseline, ls="--", color="grey", label="dense model")
    ax.set_xlabel("fraction of kernel weights set to zero")
    ax.set_ylabel("test accuracy")
    ax.legend()
    fig.tight_layout()
    return fig


def autoscaling_figure(requests, runs: dict, capacity: float):
    """Return a two-panel figure: requests and served capacity per step, and the queue, for each run.

    ``runs`` maps a name to a :func:`elastic_attention.train.deploy.simulate_autoscaling` result.
    Introduced in chapter 9.2.
    """
    if not runs:
        raise ValueError("runs is empty: pass {name: simulate_autoscaling(...)}")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 4.5), sharex=True)
    steps = np.arange(len(requests))
    top.plot(steps, requests, color="black", lw=1, label="requests per step")
    for name, run in runs.items():
        top.step(steps, run["replicas"] * capacity, where="post", label=f"{name}: capacity")
        bottom.plot(steps, run["queue"], label=name)
    top.set_ylabel("requests / step")
    top.legend(fontsize=8)
    bottom.set_ylabel("queued requests")
    bottom.set_xlabel("time step")
    bottom.legend(fontsize=8)
    fig.tight_layout()
    return fig


def drift_figure(psi, mean_confidence, threshold: float, labels=None):
    """Return a figure of the PSI and mean confidence per window, with the alert threshold.

    Introduced in chapter 9.2.
    """
    psi = np.asarray(psi, dtype=float)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    x = np.arange(len(psi))
    left.bar(x, psi, color=["tab:red" if p > threshold else "tab:blue" for p in psi])
    left.axhline(threshold, ls="--", color="black", label=f"alert threshold {threshold:g}")
    left.set_ylabel("PSI of confidence")
    left.legend(fontsize=8)
    right.plot(x, mean_confidence, marker="o")
    right.set_ylabel("mean top-class confidence")
    for ax in (left, right):
        ax.set_xticks(x)
        ax.set_xticklabels(labels if labels is not None else x, rotation=45, ha="right", fontsize=8)
    fig.tight_layout()
    return fig
