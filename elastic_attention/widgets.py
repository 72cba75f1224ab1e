"""Interactive viewers (ipywidgets) for a running kernel. Introduced in chapter 5.4.

A widget needs a live kernel; on the static site only its initial state would show, so every
chapter puts a static figure from :mod:`elastic_attention.viz` beside each viewer.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import viz


def attention_viewer(images, weights, boxes=None, labels=None, predictions=None):
    """Return an ipywidgets box: a sample slider and an opacity slider over attention overlays."""
    import ipywidgets as widgets

    images = viz._check_images(images)
    weights = np.asarray(weights)
    if weights.ndim != 3 or len(weights) != len(images):
        raise ValueError(f"weights must be (N, gh, gw) with N={len(images)}, got shape {weights.shape}")
    sample = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="sample")
    opacity = widgets.FloatSlider(value=0.55, min=0.0, max=1.0, step=0.05, description="opacity")
    out = widgets.Output()

    def redraw(*_):
        k = sample.value
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(3.2, 3.2))
            title = f"#{k}"
            if labels is not None:
                title += f" true {labels[k]}"
            if predictions is not None:
                title += f" pred {predictions[k]}"
            viz.draw_attention(ax, images[k], weights[k], None if boxes is None else boxes[k], alpha=opacity.value, title=title)
            plt.show()

    sample.observe(redraw, names="value")
    opacity.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([sample, opacity]), out])
