"""Figures and widgets about softmax: temperature, saturation and vanishing gradients.

Introduced in chapter 4. Each static figure function returns the ``Figure`` it drew; each
widget returns an ipywidgets box and has a static figure that shows the same view, for readers
of the static site (where widgets have no kernel behind them).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import gradients as G

DEFAULT_SCORES = (2.0, 1.0, 0.5, -1.0)


def _scores(scores) -> np.ndarray:
    s = G._array(scores, "scores", 1)
    if s.size < 2:
        raise ValueError(f"scores needs at least two entries to compare, got {s.size}")
    return s


def _draw_softmax(ax_w, ax_g, scores: np.ndarray, temperature: float) -> None:
    """Draw the weights and the self-sensitivities da_i/ds_i = a_i (1 - a_i) / temperature."""
    a = G.softmax(scores / temperature)
    diag = a * (1 - a) / temperature
    idx = np.arange(len(scores))
    ax_w.bar(idx, a, color="tab:blue")
    ax_w.set_ylim(0, 1)
    ax_w.set_ylabel("weight $a_i$")
    ax_w.set_title(f"temperature {temperature:g}: max weight {a.max():.2f}", fontsize=9)
    ax_g.bar(idx, diag, color="tab:orange")
    ax_g.set_ylabel(r"$\partial a_i / \partial s_i$")
    ax_g.set_title(f"Jacobian norm {G.jacobian_norm(scores, temperature):.3f}", fontsize=9)
    for ax in (ax_w, ax_g):
        ax.set_xticks(idx, [f"s={v:g}" for v in scores], fontsize=8)
        ax.grid(alpha=0.3, axis="y")


def softmax_temperature_figure(scores=DEFAULT_SCORES, temperatures=(0.25, 1.0, 4.0)):
    """Return a figure: softmax weights (top) and gradients ``da_i/ds_i`` (bottom), one column per temperature.

    Introduced in chapter 4; the static twin of :func:`softmax_explorer`.
    """
    s = _scores(scores)
    temps = [G._temperature(t) for t in np.atleast_1d(temperatures)]
    fig, axes = plt.subplots(2, len(temps), figsize=(3.2 * len(temps), 4.6), squeeze=False)
    for j, t in enumerate(temps):
        _draw_softmax(axes[0, j], axes[1, j], s, t)
    # One y-scale for the gradients, so that their collapse at the extremes is visible.
    top = max(ax.get_ylim()[1] for ax in axes[1])
    for ax in axes[1]:
        ax.set_ylim(0, top)
    fig.suptitle("Softmax weights and their gradients at three temperatures")
    fig.tight_layout()
    return fig


def temperature_sweep_figure(scores=DEFAULT_SCORES, temperatures=None):
    """Return a figure of the largest weight and the softmax Jacobian norm against temperature (log axis).

    Introduced in chapter 4. Low temperature: one-hot weights and a vanishing gradient; high
    temperature: uniform weights and, again, a small gradient (the ``1/temperature`` factor).
    """
    s = _scores(scores)
    temps = np.logspace(-2, 2, 81) if temperatures is None else np.asarray(temperatures, dtype=float)
    if temps.ndim != 1 or temps.size < 2 or np.any(temps <= 0):
        raise ValueError("temperatures must be a 1-D array of at least two positive numbers")
    max_w = np.array([G.softmax(s / t).max() for t in temps])
    norms = np.array([G.jacobian_norm(s, t) for t in temps])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.2))
    ax1.semilogx(temps, max_w)
    ax1.axhline(1 / len(s), ls=":", color="gray", label="uniform 1/n")
    ax1.set_xlabel("temperature")
    ax1.set_ylabel("largest weight")
    ax1.legend(fontsize=8)
    ax2.semilogx(temps, norms, color="tab:orange")
    ax2.axvline(temps[norms.argmax()], ls=":", color="gray", label=f"peak at {temps[norms.argmax()]:.2g}")
    ax2.set_xlabel("temperature")
    ax2.set_ylabel("Jacobian norm $\\|da/ds\\|_F$")
    ax2.legend(fontsize=8)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.suptitle(f"scores {tuple(float(v) for v in s)}", fontsize=9)
    fig.tight_layout()
    return fig


def saturation_figure(dims=(2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), num_keys: int = 16,
                      num_samples: int = 200, seed: int = 0):
    """Return a figure of score spread, largest weight and Jacobian norm against the key dimension ``d``,
    with and without the ``1/sqrt(d)`` scaling.

    Introduced in chapter 4; uses :func:`elastic_attention.gradients.saturation_stats`.
    """
    raw = G.saturation_stats(dims, num_keys, num_samples, seed, scaled=False)
    scaled = G.saturation_stats(dims, num_keys, num_samples, seed, scaled=True)
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
    mean_sorted, max_weight, jac = _dot_product_stats(d, scaled, num_keys, seed, num_samples)
    ax.bar(np.arange(1, num_keys + 1), mean_sorted, color="tab:green" if scaled else "tab:red")
    ax.set_ylim(0, 1)
    ax.set_xlabel("key, by rank of its weight")
    ax.set_ylabel("mean weight")
    name = "scaled" if scaled else "unscaled"
    ax.set_title(f"d={d} {name}: max {max_weight:.2f}, |J| {jac:.3f}", fontsize=9)


def _dot_product_stats(d: int, scaled: bool, num_keys: int, seed: int, num_samples: int = 200):
    """Return (mean sorted weights, mean largest weight, mean Jacobian norm) of random dot-product attention."""
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((num_samples, 1, d))
    k = rng.standard_normal((num_samples, num_keys, d))
    s = np.einsum("nqd,nkd->nk", q, k) / (np.sqrt(d) if scaled else 1.0)
    a = -np.sort(-G.softmax(s), axis=-1)
    return a.mean(axis=0), float(a[:, 0].mean()), float(G.jacobian_norm(s).mean())


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


def softmax_explorer(scores=DEFAULT_SCORES, temperature: float = 1.0):
    """Return an ipywidgets box: one slider per score and a log-temperature slider, redrawing the
    weights and their gradients ``da_i/ds_i``.

    Introduced in chapter 4; :func:`softmax_temperature_figure` is its static twin.
    """
    import ipywidgets as widgets

    s = _scores(scores)
    t = G._temperature(temperature)
    sliders = [widgets.FloatSlider(value=float(v), min=-5.0, max=5.0, step=0.1, description=f"s{i}")
               for i, v in enumerate(s)]
    temp = widgets.FloatLogSlider(value=t, base=10, min=-2, max=2, step=0.05, description="temperature")
    out = widgets.Output()

    def redraw(*_):
        with out:
            out.clear_output(wait=True)
            fig, (ax_w, ax_g) = plt.subplots(1, 2, figsize=(7.5, 2.8))
            _draw_softmax(ax_w, ax_g, np.array([sl.value for sl in sliders]), temp.value)
            fig.tight_layout()
            plt.show()

    for w in (*sliders, temp):
        w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([widgets.VBox(sliders), temp]), out])


def saturation_explorer(num_keys: int = 16, seed: int = 0):
    """Return an ipywidgets box: a slider for the key dimension ``d`` (powers of two) and a
    "scale by 1/sqrt(d)" checkbox, redrawing the sorted, averaged weights of random queries over
    the keys.

    Introduced in chapter 4; :func:`dot_product_weights_figure` is its static twin.
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
