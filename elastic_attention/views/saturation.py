"""Dot-product saturation as the key dimension grows: static figures, the ipywidgets viewer and
the HTML explorer. Introduced in chapter 4.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..nn.dot_product import dot_product_stats, saturation_stats
from . import explorer as X

__all__ = ["saturation_figure", "dot_product_weights_figure", "query_gradient_figure", "saturation_viewer",
           "saturation_explorer"]


def saturation_figure(dims=(2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), num_keys: int = 16,
                      num_samples: int = 200, seed: int = 0):
    """Return a figure of score spread, largest weight and Jacobian norm against the key dimension ``d``,
    with and without the ``1/sqrt(d)`` scaling.

    Introduced in chapter 4; uses :func:`elastic_attention.nn.dot_product.saturation_stats`.
    """
    raw = saturation_stats(dims, num_keys, num_samples, seed, scaled=False)
    scaled = saturation_stats(dims, num_keys, num_samples, seed, scaled=True)
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    panels = (("score_std", "std of scores"), ("max_weight", "mean largest weight"),
              ("jacobian_norm", "mean Jacobian norm"))
    for ax, (key, label) in zip(axes, panels, strict=True):
        ax.semilogx(raw["dims"], raw[key], "o-", ms=3, base=2, label=r"$q \cdot k$")
        ax.semilogx(scaled["dims"], scaled[key], "s-", ms=3, base=2, label=r"$q \cdot k / \sqrt{d}$")
        ax.set_xlabel("key dimension d")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].semilogx(raw["dims"], np.sqrt(raw["dims"]), ":", color="gray", base=2, label=r"$\sqrt{d}$")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Random unit-variance queries and keys ({num_keys} keys, {num_samples} draws)")
    fig.tight_layout()
    return fig


def _draw_dot_product(ax, d: int, scaled: bool, num_keys: int, seed: int, num_samples: int = 200) -> None:
    """Draw the weights sorted from largest to smallest, averaged over random queries and keys.

    Averaging sorted weights shows the typical shape of one row of attention; a single draw can
    be unrepresentative.
    """
    mean_sorted, max_weight, jac = dot_product_stats(d, scaled, num_keys, seed, num_samples)
    ax.bar(np.arange(1, num_keys + 1), mean_sorted, color="tab:green" if scaled else "tab:red")
    ax.set_ylim(0, 1)
    ax.set_xlabel("key, by rank of its weight")
    ax.set_ylabel("mean weight")
    name = "scaled" if scaled else "unscaled"
    ax.set_title(f"d={d} {name}: max {max_weight:.2f}, |J| {jac:.3f}", fontsize=9)


def dot_product_weights_figure(dims=(4, 64, 1024), num_keys: int = 16, seed: int = 0):
    """Return a figure of attention weights over ``num_keys`` keys, sorted and averaged over random
    unit-variance queries and keys, per ``d``: unscaled (top) and scaled by ``1/sqrt(d)`` (bottom).

    Introduced in chapter 4; the static twin of :func:`saturation_explorer`.
    """
    dims = [int(d) for d in dims]
    if not dims or min(dims) < 1:
        raise ValueError(f"dims must be positive integers, got {dims}")
    fig, axes = plt.subplots(2, len(dims), figsize=(3.4 * len(dims), 5.0), squeeze=False)
    for j, d in enumerate(dims):
        _draw_dot_product(axes[0, j], d, False, num_keys, seed)
        _draw_dot_product(axes[1, j], d, True, num_keys, seed)
    fig.tight_layout()
    return fig


def query_gradient_figure(norms: dict):
    """Return a figure of the per-query gradient norms ``||dq_t||`` with and without ``1/sqrt(d)``.

    Introduced in chapter 4. ``norms`` maps ``(d, scaled)`` to the norms of
    :func:`elastic_attention.nn.attention_grad.query_gradient_norms`. Left: median (line) and the
    10th-90th percentile band against ``d``; right: histograms at the largest ``d``. Norms below
    ``1e-12`` are drawn at ``1e-12`` so that the log axes can show them.
    """
    dims = sorted({d for d, _ in norms})
    if not dims or any((d, sc) not in norms for d in dims for sc in (True, False)):
        raise ValueError("norms must map (d, True) and (d, False) to arrays for every d: build it with query_gradient_norms")
    fig, (ax_l, ax_r) = plt.subplots(1, 2, figsize=(11, 3.4))
    for scaled, color, label in ((True, "tab:green", r"$q \cdot k / \sqrt{d}$"), (False, "tab:red", r"$q \cdot k$")):
        lo, med, hi = np.array([np.percentile(norms[d, scaled], (10, 50, 90)) for d in dims]).T
        ax_l.fill_between(dims, np.maximum(lo, 1e-12), hi, color=color, alpha=0.2)
        ax_l.plot(dims, med, "o-", ms=3, color=color, label=f"{label}: median, 10-90%")
        values = np.maximum(np.asarray(norms[dims[-1], scaled]), 1e-12)
        ax_r.hist(np.log10(values), bins=40, color=color, alpha=0.6, label=label)
    ax_l.set_xscale("log", base=2)
    ax_l.set_yscale("log")
    ax_l.set_xlabel("key dimension d")
    ax_l.set_ylabel(r"$\|dq_t\|$ per query")
    ax_r.set_xlabel(rf"$\log_{{10}} \|dq_t\|$ at d = {dims[-1]}")
    ax_r.set_ylabel("queries")
    for ax in (ax_l, ax_r):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def saturation_viewer(num_keys: int = 16, seed: int = 0):
    """Return an ipywidgets box: a slider for the key dimension ``d`` (powers of two) and a
    "scale by 1/sqrt(d)" checkbox, redrawing the sorted, averaged weights of random queries over
    the keys.

    Introduced in chapter 4; :func:`saturation_explorer` offers it in a live kernel; :func:`dot_product_weights_figure` is its static twin.
    """
    import ipywidgets as widgets

    if num_keys < 2:
        raise ValueError(f"num_keys must be at least 2, got {num_keys}")
    d = widgets.SelectionSlider(options=[2**k for k in range(1, 13)], value=64, description="d")
    scaled = widgets.Checkbox(value=False, description="divide by sqrt(d)")
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(5.0, 2.8))
            _draw_dot_product(ax, d.value, scaled.value, num_keys, seed)
            fig.tight_layout()
            plt.show()

    d.observe(redraw, names="value")
    scaled.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([d, scaled]), out])


def saturation_explorer(num_keys: int = 16, seed: int = 0, *, dims=tuple(2**k for k in range(1, 11)),
                        num_samples: int = 200, title: str = "One row of dot-product attention as the key dimension d grows",
                        mode: str = "auto") -> X.Explorer:
    """Return an :class:`Explorer` of the sorted, averaged attention weights of random unit-variance
    queries over ``num_keys`` keys: a slider over the key dimension ``d`` and a "divide by sqrt(d)"
    checkbox.

    Introduced in chapter 4; :func:`dot_product_weights_figure` is
    its static twin. The HTML view embeds the weights precomputed for every ``d`` in ``dims``.
    """
    if int(num_keys) < 2:
        raise ValueError(f"num_keys must be at least 2, got {num_keys}")
    dims = [int(d) for d in dims]
    if not dims or min(dims) < 1 or len(dims) > 16:
        raise ValueError(f"dims must be 1 to 16 positive integers, got {dims}")
    X.check_mode(mode)
    data: dict = {"dims": dims, "samples": int(num_samples), "raw": [], "scaled": []}
    for d in dims:
        for key, scaled in (("raw", False), ("scaled", True)):
            w, mx, jac = dot_product_stats(d, scaled, int(num_keys), seed, int(num_samples))
            data[key].append({"w": np.round(w, 4).tolist(), "max": round(mx, 4), "jac": round(jac, 5)})
    uid = X.new_id("saturation", X.json_payload(data))
    start = dims.index(64) if 64 in dims else 0
    controls = X.slider(uid, "dim", "Key dimension d", 0, len(dims) - 1, 1, start)
    controls += (f'<span class="ea-ctl"><input type="checkbox" id="{uid}-scaled">'
                 f'<label for="{uid}-scaled">Divide scores by √d</label></span>')
    page = X.assemble("saturation", uid, title, controls, (560, 240), data, "saturation.js")

    def factory():
        return saturation_viewer(num_keys, seed)

    return X.Explorer("saturation", page, f"{num_keys} keys, d in {dims[0]}..{dims[-1]}", factory, mode)
