"""Attention maps over images: the static grid, the ipywidgets viewer and the HTML explorer.

Introduced in chapter 5.4. :func:`attention_grid` is the static figure; :func:`attention_explorer`
the interactive view that works in a kernel and on the static site alike (it offers
:func:`attention_viewer` in a live kernel; see :mod:`.explorer`).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from . import explorer as X
from .figures import check_images

__all__ = ["upsample_weights", "draw_attention", "attention_grid", "attention_viewer", "attention_explorer"]


def upsample_weights(weights, image_shape) -> np.ndarray:
    """Return attention ``weights`` ``(gh, gw)`` or ``(N, gh, gw)`` repeated to image resolution.

    Introduced in chapter 5.4.
    """
    weights = np.asarray(weights)
    gh, gw = weights.shape[-2:]
    ih, iw = image_shape
    if ih % gh or iw % gw:
        raise ValueError(f"image {image_shape} is not a whole multiple of the attention grid {(gh, gw)}")
    return np.repeat(np.repeat(weights, ih // gh, axis=-2), iw // gw, axis=-1)


def draw_attention(ax, image, weights, box=None, alpha: float = 0.55, title: str | None = None):
    """Draw ``image`` with its attention ``weights`` overlaid (and the object's ``box``) on ``ax``.

    Introduced in chapter 5.4.
    """
    image = np.asarray(image).squeeze()
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    heat = upsample_weights(weights, image.shape)
    ax.imshow(heat, cmap="inferno", alpha=alpha, vmin=0, vmax=max(float(heat.max()), 1e-12))
    gh, gw = np.asarray(weights).shape
    r, c = np.unravel_index(int(np.argmax(weights)), (gh, gw))
    ch, cw = image.shape[0] / gh, image.shape[1] / gw
    ax.plot((c + 0.5) * cw - 0.5, (r + 0.5) * ch - 0.5, marker="+", color="cyan", ms=10, mew=2)
    # The peak's weight tells a sharp map (near 1) from a flat one (near 1 / cells).
    ax.text(1, image.shape[0] - 2, f"peak {float(np.max(weights)):.2f}", color="cyan", fontsize=7,
            bbox={"facecolor": "black", "alpha": 0.6, "pad": 1, "lw": 0})
    if box is not None:
        top, left, bottom, right = box
        ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, ec="lime", lw=1.5))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def attention_grid(images, weights, boxes=None, labels=None, predictions=None, ncols: int = 6, alpha: float = 0.55):
    """Return a figure of images with attention overlays, peak cell (+) and its weight, and digit box (green).

    Introduced in chapter 5.4.
    """
    images = check_images(images)
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


def attention_viewer(images, weights, boxes=None, labels=None, predictions=None, choices=None):
    """Return an ipywidgets box: a sample slider, an opacity slider and, for ``(N, K, gh, gw)``
    weights, a dropdown over the ``K`` maps (``choices`` names them), over attention overlays.

    Introduced in chapter 5.4; needs a live kernel (:func:`attention_explorer` works without one).
    """
    import ipywidgets as widgets

    images = check_images(images)
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
            draw_attention(ax, images[k], weights[k, choice.value], None if boxes is None else boxes[k],
                               alpha=opacity.value, title=title)
            plt.show()

    for w in (sample, opacity, choice):
        w.observe(redraw, names="value")
    redraw()
    controls = [sample, opacity] + ([choice] if k_maps > 1 else [])
    return widgets.VBox([widgets.HBox(controls), out])


def _pick(weights, boxes, labels, preds, image_shape, max_samples: int) -> np.ndarray:
    """Return sorted indices: up to half of ``max_samples`` flagged canvases (peak outside the box,
    wrong prediction), the rest evenly spread over all ``N``."""
    n = len(weights)
    if max_samples < 1:
        raise ValueError(f"max_samples must be at least 1, got {max_samples}")
    flagged = np.zeros(n, dtype=bool)
    if boxes is not None:
        flagged |= ~_peak_inside(weights, boxes, image_shape)
    if labels is not None and preds is not None:
        flagged |= labels.astype(str) != preds.astype(str)
    chosen = np.flatnonzero(flagged)
    if len(chosen):
        chosen = chosen[np.unique(np.linspace(0, len(chosen) - 1, min(len(chosen), max_samples // 2)).round().astype(int))]
    rest = np.setdiff1d(np.arange(n), chosen)
    spread = rest[np.unique(np.linspace(0, len(rest) - 1, min(len(rest), max_samples - len(chosen))).round().astype(int))] \
        if len(rest) else rest
    return np.unique(np.concatenate([chosen, spread]))


def _peak_inside(weights, boxes, image_shape) -> np.ndarray:
    gh, gw = weights.shape[1:]
    peak = weights.reshape(len(weights), -1).argmax(axis=1)
    cy = (peak // gw + 0.5) * image_shape[0] / gh
    cx = (peak % gw + 0.5) * image_shape[1] / gw
    b = np.asarray(boxes, dtype=np.float64)
    return (cy >= b[:, 0]) & (cy < b[:, 2]) & (cx >= b[:, 1]) & (cx < b[:, 3])


def attention_explorer(images, weights, boxes=None, labels=None, predictions=None, *,
                       choices: Sequence[str] | None = None, max_samples: int = 48, scale: int | None = None,
                       opacity: float = 0.55, title: str = "Attention over test canvases",
                       mode: str = "auto") -> X.Explorer:
    """Return an :class:`Explorer` of attention maps over images: sample slider, overlay opacity,
    box toggle, a filter (every canvas, peak outside the box, wrong predictions) and a
    head/layer/exit selector when ``weights`` has one map per choice.

    Introduced in chapter 5.4; :func:`attention_grid` is its static twin.
    ``images`` is ``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)`` (floats in [0, 1] or uint8);
    ``weights`` is ``(N, gh, gw)``, or ``(N, K, gh, gw)`` with ``choices`` naming the ``K`` maps;
    ``boxes`` is ``(N, 4)`` as (top, left, bottom, right) pixels with exclusive bottom/right. At
    most ``max_samples`` images, evenly spread over ``N``, go into the HTML view (which keeps it
    under :data:`.explorer.MAX_BYTES`), half of them at most kept for the canvases the filter
    looks for (first map's peak outside the box, or a wrong prediction) so that the filter finds
    them; the ipywidgets view in a live kernel steps through all ``N``.
    """
    imgs = X.as_uint8_images(images)
    n, h, w = imgs.shape[:3]
    wts = np.asarray(weights, dtype=np.float64)
    if wts.ndim == 3:
        wts = wts[:, None]
    if wts.ndim != 4 or len(wts) != n:
        raise ValueError(f"weights must be (N, gh, gw) or (N, K, gh, gw) with N={n} images, got shape {wts.shape}")
    if not np.all(np.isfinite(wts)) or np.any(wts < 0):
        raise ValueError("weights must be finite and non-negative (attention weights after softmax)")
    k_maps, gh, gw = wts.shape[1:]
    if h % gh or w % gw:
        raise ValueError(f"images {h}x{w} are not a whole multiple of the attention grid {gh}x{gw}")
    if choices is not None:
        choices = [str(c) for c in choices]
        if len(choices) != k_maps:
            raise ValueError(f"choices names {len(choices)} maps but weights has {k_maps} per image (axis 1)")
    elif k_maps > 1:
        choices = [f"map {i}" for i in range(k_maps)]
    boxes_a = X.per_sample(boxes, n, "boxes", 4)
    labels_a = X.per_sample(labels, n, "labels")
    preds_a = X.per_sample(predictions, n, "predictions")
    if not 0.0 <= float(opacity) <= 1.0:
        raise ValueError(f"opacity must lie in [0, 1], got {opacity}")
    X.check_mode(mode)
    pick = _pick(wts[:, 0], boxes_a, labels_a, preds_a, (h, w), int(max_samples))
    scale = int(scale or max(1, 240 // max(h, w)))
    sprite, cols = X.sprite(imgs[pick])
    data = {
        "n": len(pick), "h": h, "w": w, "gh": gh, "gw": gw, "scale": scale, "cols": cols, "sprite": sprite,
        "index": pick.tolist(), "lut": X.lut(),
        "weights": [[np.round(wts[k, c].ravel(), 4).tolist() for k in pick] for c in range(k_maps)],
        "boxes": None if boxes_a is None else boxes_a[pick].astype(int).tolist(),
        "labels": None if labels_a is None else [str(v) for v in labels_a[pick]],
        "preds": None if preds_a is None else [str(v) for v in preds_a[pick]],
        "choices": choices,
    }
    uid = X.new_id("attention", X.json_payload(data))
    controls = (
        f'<button type="button" id="{uid}-prev" aria-label="previous canvas">&#9664;</button>'
        + X.slider(uid, "sample", "Canvas", 0, len(pick) - 1, 1, 0)
        + f'<button type="button" id="{uid}-next" aria-label="next canvas">&#9654;</button>'
        + X.slider(uid, "opacity", "Overlay opacity", 0, 100, 5, int(round(100 * float(opacity))))
    )
    if choices:
        options = "".join(f'<option value="{i}">{html_lib.escape(c)}</option>' for i, c in enumerate(choices))
        controls += (f'<span class="ea-ctl"><label for="{uid}-choice">Map</label>'
                     f'<select id="{uid}-choice">{options}</select></span>')
    filters = [("all", "every canvas")]
    if boxes_a is not None:
        filters.append(("miss", "peak outside the box"))
    if labels_a is not None and preds_a is not None:
        filters.append(("wrong", "wrong prediction"))
    if len(filters) > 1:
        options = "".join(f'<option value="{v}">{html_lib.escape(t)}</option>' for v, t in filters)
        controls += (f'<span class="ea-ctl"><label for="{uid}-filter">Show</label>'
                     f'<select id="{uid}-filter">{options}</select></span>')
    if boxes_a is not None:
        controls += (f'<span class="ea-ctl"><input type="checkbox" id="{uid}-box" checked>'
                     f'<label for="{uid}-box">Show digit box</label></span>')
    legend = ('<p class="ea-text">Brighter cells carry more weight (colours scaled to each map\'s largest '
              'weight); the cyan cross marks the peak cell and the green frame the digit\'s box.</p>')
    page = X.assemble("attention", uid, title, controls, (w * scale, h * scale), data, "attention.js", legend)

    def factory():
        return attention_viewer(images, weights, boxes, labels, predictions, choices=choices)

    return X.Explorer("attention", page, f"{len(pick)} of {n} images, {k_maps} map(s) of {gh}x{gw}", factory, mode)
