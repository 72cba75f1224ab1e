"""The explorer machinery shared by every view: interactive views that work in a kernel, in Colab
and on the static site. Introduced in chapter 4.

Each topic's explorer lives in its topic's file (:mod:`.softmax`, :mod:`.saturation`,
:mod:`.attention`); its JavaScript and the shared CSS are real files in ``views/assets/``,
shipped as package data and read by :func:`asset`.

An ipywidgets viewer needs a running kernel: on the static book page only its saved first frame
shows and its sliders do nothing. An :class:`Explorer` therefore carries two views of the same
data:

- a self-contained HTML + JavaScript explorer (``Explorer.html``): the data it needs is embedded
  (a base64 PNG sprite, compact JSON arrays), it loads nothing from the network, every element id
  carries a per-instance prefix (several explorers on one page do not clash), its controls are
  labelled, keyboard-operable ``<input>`` elements, and its canvas has a text alternative that
  follows the view;
- the ipywidgets viewer (``Explorer.widget()``), whose callbacks run Python in the kernel.

Displaying an explorer (the last line of a cell) returns a MIME bundle. It always holds
``text/html`` (the HTML explorer: it runs wherever cell outputs run JavaScript, which includes
JupyterLab, classic Notebook, VS Code, Colab and the static site). In a live IPython kernel it
also holds the ipywidgets view, which a frontend with a widget manager prefers; a frontend
without one falls back to the HTML. The book build sets ``EA_EXPLORER=html`` (the Sphinx
extension ``_ext/offline_assets.py`` does this before any notebook runs, and ranks ``text/html``
above widget views), so the executed book embeds only the HTML explorer. ``mode="html"`` or
``mode="widget"`` (or the ``EA_EXPLORER`` environment variable) forces one view.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html as html_lib
import io
import itertools
import json
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from ..train.artifacts import write_text_atomic

__all__ = [
    "MAX_BYTES", "MODES", "Explorer", "asset", "json_payload", "new_id", "check_mode", "live_kernel",
    "slider", "assemble", "lut", "sprite", "as_uint8_images", "per_sample",
]

MAX_BYTES = 300_000
"""Size budget of one explorer's HTML, data included (the tests assert it)."""

MODES = ("auto", "html", "widget")
_counter = itertools.count()


def json_payload(obj) -> str:
    """Return compact JSON that is safe inside a ``<script>`` element. Introduced in chapter 4."""
    # `</` inside a <script> element would end it early; JSON allows the escaped form.
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")


def new_id(kind: str, payload: str) -> str:
    """Return a page-unique element id for one explorer of ``kind``. Introduced in chapter 4."""
    digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:8]
    return f"ea-{kind}-{digest}-{next(_counter)}"


def check_mode(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`MODES`, else raise ValueError. Introduced in chapter 4."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return mode


def live_kernel() -> bool:
    """Return True inside a running IPython kernel (where widgets can work). Introduced in chapter 4."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Explorer:
    """An interactive view with two renderings: embedded HTML + JS, and an ipywidgets viewer.

    Returned by :func:`attention_explorer`, :func:`softmax_explorer` and :func:`saturation_explorer`;
    the module docstring explains which rendering shows where.

    Introduced in chapter 4.
    """

    def __init__(self, kind: str, html: str, summary: str, widget_factory: Callable | None = None,
                 mode: str = "auto"):
        self.kind = kind
        self.html = html
        self.summary = summary
        self.mode = check_mode(mode)
        self._widget_factory = widget_factory
        self._widget = None

    @property
    def nbytes(self) -> int:
        """Return the size of the HTML explorer in bytes (UTF-8)."""
        return len(self.html.encode("utf-8"))

    def widget(self):
        """Return the ipywidgets viewer of the same data (created once, on first use)."""
        if self._widget_factory is None:
            raise ValueError(f"the {self.kind} explorer has no ipywidgets viewer: use its HTML view")
        if self._widget is None:
            self._widget = self._widget_factory()
        return self._widget

    def wants_widget(self) -> bool:
        """Return True when the display should also offer the ipywidgets viewer."""
        mode = self.mode
        if mode == "auto":
            mode = os.environ.get("EA_EXPLORER", "auto").strip().lower() or "auto"
            if mode not in MODES:
                raise ValueError(f"EA_EXPLORER must be one of {MODES}, got {mode!r}")
        if mode == "auto":
            return self._widget_factory is not None and live_kernel()
        return mode == "widget"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<{self.kind} explorer: {self.summary}>", "text/html": self.html}
        if self.wants_widget():
            try:
                view = self.widget()._repr_mimebundle_()
            except ImportError:
                return bundle
            view = view[0] if isinstance(view, tuple) else view
            bundle.update({k: v for k, v in (view or {}).items() if k != "text/plain"})
        return bundle

    def __repr__(self) -> str:
        return f"<{self.kind} explorer: {self.summary}, {self.nbytes} bytes of HTML>"

    def save(self, path) -> Path:
        """Return ``path`` after writing the explorer as a standalone HTML page (atomically)."""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"save the explorer to a .html file, got {path.name!r}")
        page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html_lib.escape(self.kind)} explorer</title></head><body>\n{self.html}\n</body></html>\n")
        return write_text_atomic(path, page)


@functools.cache
def asset(name: str) -> str:
    """Return the text of ``views/assets/<name>`` (an explorer's JavaScript or the shared CSS).

    Introduced in chapter 4.
    """
    try:
        return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"explorer asset {name!r} is missing from elastic_attention/views/assets: reinstall the package "
            "(`pip install -e .`) or restore the file with `git checkout`"
        ) from None


def slider(uid: str, name: str, label: str, lo, hi, step, value, unit: str = "") -> str:
    """Return the HTML of one labelled range input with its live value. Introduced in chapter 4."""
    return (f'<span class="ea-ctl"><label for="{uid}-{name}">{html_lib.escape(label)}</label>'
            f'<input type="range" id="{uid}-{name}" min="{lo}" max="{hi}" step="{step}" value="{value}" '
            f'aria-describedby="{uid}-text">'
            f'<output id="{uid}-{name}-out" for="{uid}-{name}" aria-hidden="true">{value}{unit}</output></span>')


def assemble(kind: str, uid: str, title: str, controls: str, canvas: tuple[int, int], data: dict, script: str,
             extra: str = "") -> str:
    """Return an explorer's HTML: the shared CSS, the controls, a canvas, ``extra`` markup, the
    embedded ``data`` and the asset ``script`` (``"attention.js"`` ...) with its ``__ID__`` set.

    Introduced in chapter 4.
    """
    js = asset(script)
    payload = json_payload(data)
    w, h = canvas
    body = (
        f'<div class="ea-explorer" id="{uid}" data-ea-explorer="{kind}">'
        f'<fieldset><legend id="{uid}-title">{html_lib.escape(title)}</legend>{controls}</fieldset>'
        f'<canvas id="{uid}-canvas" width="{w}" height="{h}" role="img" aria-labelledby="{uid}-title {uid}-text"'
        f'{" data-pixelated" if kind == "attention" else ""}>'
        f"{html_lib.escape(title)}</canvas>"
        f'<p class="ea-text" id="{uid}-text" aria-live="polite"></p>{extra}'
        f'<noscript>This explorer needs JavaScript; the static figure beside it shows the same data.</noscript>'
        f'<script type="application/json" id="{uid}-data">{payload}</script>'
        f"<script>{js.replace('__ID__', uid)}</script></div>"
    )
    return f"<style>\n{asset('explorer.css')}</style>" + body


def lut(name: str = "inferno", n: int = 17) -> list[list[int]]:
    """Return ``n`` RGB colours of a matplotlib colour map, for the JavaScript side. Introduced in chapter 5.4."""
    from matplotlib import colormaps

    cmap = colormaps[name]
    return [[int(round(255 * v)) for v in cmap(x)[:3]] for x in np.linspace(0, 1, n)]


def sprite(images: np.ndarray) -> tuple[str, int]:
    """Return a PNG data URL of ``images`` tiled in a grid, and the number of columns of the grid.

    Introduced in chapter 5.4.
    """
    from PIL import Image

    n, h, w = images.shape[:3]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    sheet = np.zeros((rows * h, cols * w) + images.shape[3:], dtype=np.uint8)
    for k, im in enumerate(images):
        r, c = divmod(k, cols)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = im
    buf = io.BytesIO()
    Image.fromarray(sheet).save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), cols


def as_uint8_images(images) -> np.ndarray:
    """Return images as uint8 ``(N, H, W)`` or ``(N, H, W, 3)``, or raise a clear ValueError. Introduced in chapter 5.4."""
    arr = np.asarray(images)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] == 3)):
        raise ValueError(f"images must be (N, H, W), (N, H, W, 1) or (N, H, W, 3), got shape {arr.shape}")
    if len(arr) == 0:
        raise ValueError("images is empty: pass at least one image")
    if arr.dtype == np.uint8:
        return arr
    if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)):
        raise ValueError("images must be finite numbers: floats in [0, 1] or uint8 in [0, 255]")
    return (np.clip(arr.astype(np.float64), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def per_sample(values, n: int, name: str, width: int | None = None) -> np.ndarray | None:
    """Return ``values`` as an array with one entry per image (or None), else raise ValueError.

    Introduced in chapter 5.4.
    """
    if values is None:
        return None
    arr = np.asarray(values)
    want = (n,) if width is None else (n, width)
    if arr.shape != want:
        raise ValueError(f"{name} must have shape {want} (one entry per image), got {arr.shape}")
    return arr


