"""Softmax and temperature: static figures, the ipywidgets viewer and the HTML explorer.

Introduced in chapter 4. Each static figure function returns the ``Figure`` it drew; the
explorer works in a kernel and on the static site, and has a static twin.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import _validate as valid
from ..nn.softmax import jacobian_norm, softmax
from . import explorer as X

__all__ = ["DEFAULT_SCORES", "softmax_temperature_figure", "temperature_sweep_figure", "softmax_viewer",
           "softmax_explorer"]

DEFAULT_SCORES = (2.0, 1.0, 0.5, -1.0)


def _scores(scores) -> np.ndarray:
    s = valid.array(scores, "scores", 1)
    if s.size < 2:
        raise ValueError(f"scores needs at least two entries to compare, got {s.size}")
    return s


def _draw_softmax(ax_w, ax_g, scores: np.ndarray, temperature: float) -> None:
    """Draw the weights and the self-sensitivities da_i/ds_i = a_i (1 - a_i) / temperature."""
    a = softmax(scores / temperature)
    diag = a * (1 - a) / temperature
    idx = np.arange(len(scores))
    ax_w.bar(idx, a, color="tab:blue")
    ax_w.set_ylim(0, 1)
    ax_w.set_ylabel("weight $a_i$")
    ax_w.set_title(f"temperature {temperature:g}: max weight {a.max():.2f}", fontsize=9)
    ax_g.bar(idx, diag, color="tab:orange")
    ax_g.set_ylabel(r"$\partial a_i / \partial s_i$")
    ax_g.set_title(f"Jacobian norm {jacobian_norm(scores, temperature):.3f}", fontsize=9)
    for ax in (ax_w, ax_g):
        ax.set_xticks(idx, [f"s={v:g}" for v in scores], fontsize=8)
        ax.grid(alpha=0.3, axis="y")


def softmax_temperature_figure(scores=DEFAULT_SCORES, temperatures=(0.25, 1.0, 4.0)):
    """Return a figure: softmax weights (top) and gradients ``da_i/ds_i`` (bottom), one column per temperature.

    Introduced in chapter 4; the static twin of :func:`softmax_explorer`.
    """
    s = _scores(scores)
    temps = [valid.temperature(t) for t in np.atleast_1d(temperatures)]
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
    max_w = np.array([softmax(s / t).max() for t in temps])
    norms = np.array([jacobian_norm(s, t) for t in temps])
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


def softmax_viewer(scores=DEFAULT_SCORES, temperature: float = 1.0):
    """Return an ipywidgets box: one slider per score and a log-temperature slider, redrawing the
    weights and their gradients ``da_i/ds_i``.

    Introduced in chapter 4; :func:`softmax_explorer` offers it in a live kernel; :func:`softmax_temperature_figure` is its static twin.
    """
    import ipywidgets as widgets

    s = _scores(scores)
    t = valid.temperature(temperature)
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


def softmax_explorer(scores=(2.0, 1.0, 0.5, -1.0), temperature: float = 1.0, *, score_range: float = 5.0,
                     title: str = "Softmax weights and their gradients as the temperature changes",
                     mode: str = "auto") -> X.Explorer:
    """Return an :class:`Explorer` of ``softmax(scores / temperature)``: a log-temperature slider
    and one slider per score, redrawing the weights, the sensitivities ``da_i/ds_i = a_i (1 - a_i) /
    temperature`` and the Jacobian norm against temperature.

    Introduced in chapter 4; :func:`softmax_temperature_figure`
    is its static twin. The HTML view computes everything in JavaScript from the embedded scores.
    """
    s = valid.array(scores, "scores", 1)
    if not 2 <= s.size <= 12:
        raise ValueError(f"scores needs between 2 and 12 entries to draw, got {s.size}")
    t = valid.temperature(temperature)
    if not 1e-2 <= t <= 1e2:
        raise ValueError(f"temperature must lie in [0.01, 100] (the slider's range), got {t}")
    if not (score_range > 0 and np.all(np.abs(s) <= score_range)):
        raise ValueError(f"scores must lie in [-{score_range}, {score_range}]; pass a larger score_range")
    X.check_mode(mode)
    data = {"scores": [round(float(v), 4) for v in s], "lo": -2, "hi": 2}
    uid = X.new_id("softmax", X.json_payload(data) + repr(t))
    lt = round(float(np.log10(t)) / 0.05) * 0.05
    controls = X.slider(uid, "temp", "Temperature τ (log scale)", -2, 2, 0.05, f"{lt:.2f}")
    for i, v in enumerate(s):
        controls += X.slider(uid, f"s{i}", f"Score s{i}", -score_range, score_range, 0.1, f"{v:.1f}")
    table = (f'<table aria-label="weights and sensitivities"><thead><tr><th scope="col">score</th>'
             f'<th scope="col">weight a_i</th><th scope="col">∂a_i/∂s_i</th></tr></thead>'
             f'<tbody id="{uid}-rows"></tbody></table>')
    page = X.assemble("softmax", uid, title, controls, (680, 230), data, "softmax.js", table)

    def factory():
        return softmax_viewer(s, t)

    return X.Explorer("softmax", page, f"{s.size} scores, temperature {t:g}", factory, mode)
