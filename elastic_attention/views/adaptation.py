"""Adaptive learning: the drift statistic and accuracy of a stream of batches. Introduced in chapter 3.6."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["stream_figure"]


def stream_figure(drift, threshold: float, accuracy, shift_at: int, adapted_at: int | None = None):
    """Return a two-panel figure over batch index: the drift statistic with its alarm ``threshold``,
    and the accuracy per batch; ``shift_at`` marks the first shifted batch, ``adapted_at`` the
    first batch served by the adapted model.

    Introduced in chapter 3.6.
    """
    drift, accuracy = np.asarray(drift), np.asarray(accuracy)
    if drift.shape != accuracy.shape or drift.ndim != 1:
        raise ValueError(f"drift and accuracy must be 1-D and of equal length, got {drift.shape} and {accuracy.shape}")
    batches = np.arange(len(drift))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.0, 3.0))
    a1.plot(batches, drift, "o-", ms=3)
    a1.axhline(threshold, color="tab:red", ls="--", lw=1, label="alarm threshold")
    a1.set_ylabel("drift (drop in mean confidence)")
    a2.plot(batches, accuracy, "o-", ms=3, color="tab:green")
    a2.set_ylabel("accuracy of the served model")
    for ax in (a1, a2):
        ax.axvline(shift_at - 0.5, color="gray", ls=":", label="shift starts")
        if adapted_at is not None:
            ax.axvline(adapted_at - 0.5, color="tab:purple", ls="-.", lw=1, label="adapted model serves")
        ax.set_xlabel("batch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
