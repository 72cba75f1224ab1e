"""Interactive viewers. Introduced in chapter 4 (softmax) and chapter 5.4 (attention maps).

One entry point per view; each returns an :class:`~elastic_attention.explorer.Explorer` that
shows a self-contained HTML + JavaScript explorer everywhere (the static site included, with no
kernel and no network) and, in a live kernel, also offers the ipywidgets viewer below (see
:mod:`elastic_attention.explorer` for which one a frontend shows). Every chapter still puts a
static figure from :mod:`elastic_attention.viz` beside each explorer.

- :func:`attention_explorer`: attention maps over images (chapter 5.4);
- :func:`softmax_explorer`: softmax weights and gradients against temperature (chapter 4);
- :func:`saturation_explorer`: dot-product attention as the key dimension grows (chapter 4);
- :func:`attention_viewer`: the ipywidgets viewer behind :func:`attention_explorer`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import viz
from .explorer import Explorer, attention_explorer, saturation_explorer, softmax_explorer

__all__ = ["Explorer", "attention_explorer", "softmax_explorer", "saturation_explorer", "attention_viewer"]


def attention_viewer(images, weights, boxes=None, labels=None, predictions=None, choices=None):
    """Return an ipywidgets box: a sample slider, an opacity slider and, for ``(N, K, gh, gw)``
    weights, a dropdown over the ``K`` maps (``choices`` names them), over attention overlays.

    Introduced in chapter 5.4; needs a live kernel (:func:`attention_explorer` works without one).
    """
    import ipywidgets as widgets

    images = viz._check_images(images)
    weights = np.asarray(weights)
    if weights.ndim == 3:
        weights = weights[:, None]
    if weights.ndim != 4 or len(weights) != len(images):
        raise ValueError(f"weights must be (N, gh, gw) or (N, K, gh, gw) with N={len(images)}, got shape {weights.shape}")
    k_maps = weights.shape[1]
    names = [str(c) for c in choices] if choices is not None else [f"map {i}" for i in range(k_maps)]
    if len(names) != k_maps:
        raise ValueError(f"choices names {len(names)} maps but weights has {k_maps} per image (axis 1)")
    sample = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="sample")
    opacity = widgets.FloatSlider(value=0.55, min=0.0, max=1.0, step=0.05, description="opacity")
    choice = widgets.Dropdown(options=list(zip(names, range(k_maps), strict=True)), value=0, description="map")
    out = widgets.Output()

    def redraw(*_):
        k = sample.value
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(3.2, 3.2))
            title = f"#{k}"
            if k_maps > 1:
                title += f" {names[choice.value]}"
            if labels is not None:
                title += f" true {labels[k]}"
            if predictions is not None:
                title += f" pred {predictions[k]}"
            viz.draw_attention(ax, images[k], weights[k, choice.value], None if boxes is None else boxes[k],
                               alpha=opacity.value, title=title)
            plt.show()

    for w in (sample, opacity, choice):
        w.observe(redraw, names="value")
    redraw()
    controls = [sample, opacity] + ([choice] if k_maps > 1 else [])
    return widgets.VBox([widgets.HBox(controls), out])
