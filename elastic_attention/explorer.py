"""Explorers: interactive views that work in a kernel, in Colab and on the static site.

Introduced in chapter 4 (softmax, temperature, dot-product saturation) and chapter 5.4 (attention maps).

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
import hashlib
import html as html_lib
import io
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

MAX_BYTES = 300_000
"""Size budget of one explorer's HTML, data included (the tests assert it)."""

MODES = ("auto", "html", "widget")
_counter = itertools.count()


def _json(obj) -> str:
    # `</` inside a <script> element would end it early; JSON allows the escaped form.
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")


def _new_id(kind: str, payload: str) -> str:
    digest = hashlib.sha1(payload.encode("utf-8")).hexdigest()[:8]
    return f"ea-{kind}-{digest}-{next(_counter)}"


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return mode


def _live_kernel() -> bool:
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
    """

    def __init__(self, kind: str, html: str, summary: str, widget_factory: Callable | None = None,
                 mode: str = "auto"):
        self.kind = kind
        self.html = html
        self.summary = summary
        self.mode = _check_mode(mode)
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
            return self._widget_factory is not None and _live_kernel()
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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(page)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


# --------------------------------------------------------------------------- shared pieces

_CSS = """<style>
.ea-explorer{font:14px/1.4 system-ui,sans-serif;border:1px solid #ccc;border-radius:6px;padding:.6em .8em;margin:.6em 0;max-width:760px;background:#fff;color:#222}
.ea-explorer fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center}
.ea-explorer legend{font-weight:600;font-size:1.05em;float:none;width:auto;padding:0;margin-bottom:.3em}
.ea-explorer .ea-ctl{display:flex;gap:.4em;align-items:center}
.ea-explorer input[type=range]{width:11em}
.ea-explorer output{font-variant-numeric:tabular-nums;min-width:3.5em;display:inline-block}
.ea-explorer canvas{display:block;max-width:100%;height:auto;margin:.5em 0}
.ea-explorer canvas[data-pixelated]{image-rendering:pixelated}
.ea-explorer p.ea-text{margin:.2em 0;font-variant-numeric:tabular-nums}
.ea-explorer button{font:inherit;padding:.1em .6em}
.ea-explorer table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
.ea-explorer td,.ea-explorer th{padding:.1em .6em;border-bottom:1px solid #eee;text-align:right}
.ea-explorer :focus-visible{outline:2px solid #1a73e8;outline-offset:2px}
</style>"""


def _slider(uid: str, name: str, label: str, lo, hi, step, value, unit: str = "") -> str:
    return (f'<span class="ea-ctl"><label for="{uid}-{name}">{html_lib.escape(label)}</label>'
            f'<input type="range" id="{uid}-{name}" min="{lo}" max="{hi}" step="{step}" value="{value}" '
            f'aria-describedby="{uid}-text">'
            f'<output id="{uid}-{name}-out" for="{uid}-{name}" aria-hidden="true">{value}{unit}</output></span>')


def _assemble(kind: str, uid: str, title: str, controls: str, canvas: tuple[int, int], data: dict, js: str,
              extra: str = "") -> str:
    payload = _json(data)
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
    return _CSS + body


# --------------------------------------------------------------------------- attention maps

_ATTENTION_JS = r"""(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d");
var sample=$("sample"),opacity=$("opacity"),choice=$("choice"),boxes=$("box"),text=$("text");
var S=D.scale,H=D.h,W=D.w,gh=D.gh,gw=D.gw,img=new Image(),ready=false;
function color(v){var n=D.lut.length-1,x=Math.max(0,Math.min(1,v))*n,i=Math.min(Math.floor(x),n-1),f=x-i,a=D.lut[i],b=D.lut[i+1];
return "rgb("+[0,1,2].map(function(c){return Math.round(a[c]+(b[c]-a[c])*f);}).join(",")+")";}
function draw(){
var k=+sample.value,c=choice?+choice.value:0,op=(+opacity.value)/100,w=D.weights[c][k];
$("sample-out").textContent=(k+1)+" / "+D.n;$("opacity-out").textContent=op.toFixed(2);
sample.setAttribute("aria-valuetext","canvas "+(k+1)+" of "+D.n);
opacity.setAttribute("aria-valuetext","opacity "+op.toFixed(2));
var m=0,p=0;for(var i=0;i<w.length;i++){if(w[i]>m){m=w[i];p=i;}}
var ch=H*S/gh,cw=W*S/gw,pr=Math.floor(p/gw),pc=p%gw;
ctx.imageSmoothingEnabled=false;ctx.globalAlpha=1;ctx.clearRect(0,0,cv.width,cv.height);
if(ready){ctx.drawImage(img,(k%D.cols)*W,Math.floor(k/D.cols)*H,W,H,0,0,W*S,H*S);}
ctx.globalAlpha=op;
for(i=0;i<w.length;i++){ctx.fillStyle=color(w[i]/(m||1e-12));ctx.fillRect((i%gw)*cw,Math.floor(i/gw)*ch,cw,ch);}
ctx.globalAlpha=1;
var b=D.boxes?D.boxes[k]:null,inside=null,cy=(pr+0.5)*H/gh,cx=(pc+0.5)*W/gw;
if(b&&(!boxes||boxes.checked)){ctx.strokeStyle="#00ff00";ctx.lineWidth=2;ctx.strokeRect(b[1]*S,b[0]*S,(b[3]-b[1])*S,(b[2]-b[0])*S);}
if(b){inside=cy>=b[0]&&cy<b[2]&&cx>=b[1]&&cx<b[3];}
var x=(pc+0.5)*cw,y=(pr+0.5)*ch,r=Math.max(6,Math.min(cw,ch)/3);
ctx.strokeStyle="#00ffff";ctx.lineWidth=3;ctx.beginPath();ctx.moveTo(x-r,y);ctx.lineTo(x+r,y);ctx.moveTo(x,y-r);ctx.lineTo(x,y+r);ctx.stroke();
var t="Canvas "+(k+1)+" of "+D.n+" (index "+D.index[k]+")";
if(D.choices){t+=", "+D.choices[c];}
if(D.labels){t+=": true "+D.labels[k];}
if(D.preds){t+=(D.labels?", ":": ")+"predicted "+D.preds[k];}
t+=". Peak weight "+m.toFixed(3)+" in row "+(pr+1)+", column "+(pc+1)+" of the "+gh+"\u00d7"+gw+" grid";
if(inside!==null){t+=inside?", inside the digit box.":", outside the digit box.";}else{t+=".";}
text.textContent=t;cv.setAttribute("aria-label",t);}
[sample,opacity,choice,boxes].forEach(function(el){if(el){el.addEventListener("input",draw);el.addEventListener("change",draw);}});
function step(d){sample.value=Math.max(0,Math.min(D.n-1,(+sample.value)+d));draw();}
$("prev").addEventListener("click",function(){step(-1);});$("next").addEventListener("click",function(){step(1);});
img.onload=function(){ready=true;draw();};img.src=D.sprite;draw();
})();"""


def _lut(name: str = "inferno", n: int = 17) -> list[list[int]]:
    from matplotlib import colormaps

    cmap = colormaps[name]
    return [[int(round(255 * v)) for v in cmap(x)[:3]] for x in np.linspace(0, 1, n)]


def _sprite(images: np.ndarray) -> tuple[str, int]:
    """Return a PNG data URL of ``images`` tiled in a grid, and the number of columns of the grid."""
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


def _as_uint8_images(images) -> np.ndarray:
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


def _per_sample(values, n: int, name: str, width: int | None = None) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.asarray(values)
    want = (n,) if width is None else (n, width)
    if arr.shape != want:
        raise ValueError(f"{name} must have shape {want} (one entry per image), got {arr.shape}")
    return arr


def attention_explorer(images, weights, boxes=None, labels=None, predictions=None, *,
                       choices: Sequence[str] | None = None, max_samples: int = 48, scale: int | None = None,
                       opacity: float = 0.55, title: str = "Attention over test canvases",
                       mode: str = "auto") -> Explorer:
    """Return an :class:`Explorer` of attention maps over images: sample slider, overlay opacity,
    box toggle, and a head/layer/exit selector when ``weights`` has one map per choice.

    Introduced in chapter 5.4; :func:`elastic_attention.viz.attention_grid` is its static twin.
    ``images`` is ``(N, H, W)``, ``(N, H, W, 1)`` or ``(N, H, W, 3)`` (floats in [0, 1] or uint8);
    ``weights`` is ``(N, gh, gw)``, or ``(N, K, gh, gw)`` with ``choices`` naming the ``K`` maps;
    ``boxes`` is ``(N, 4)`` as (top, left, bottom, right) pixels with exclusive bottom/right. At
    most ``max_samples`` images, evenly spread over ``N``, go into the HTML view (which keeps it
    under :data:`MAX_BYTES`); the ipywidgets view in a live kernel steps through all ``N``.
    """
    imgs = _as_uint8_images(images)
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
    boxes_a = _per_sample(boxes, n, "boxes", 4)
    labels_a = _per_sample(labels, n, "labels")
    preds_a = _per_sample(predictions, n, "predictions")
    if not 1 <= int(max_samples):
        raise ValueError(f"max_samples must be at least 1, got {max_samples}")
    if not 0.0 <= float(opacity) <= 1.0:
        raise ValueError(f"opacity must lie in [0, 1], got {opacity}")
    _check_mode(mode)
    pick = np.unique(np.linspace(0, n - 1, min(n, int(max_samples))).round().astype(int))
    scale = int(scale or max(1, 240 // max(h, w)))
    sprite, cols = _sprite(imgs[pick])
    data = {
        "n": len(pick), "h": h, "w": w, "gh": gh, "gw": gw, "scale": scale, "cols": cols, "sprite": sprite,
        "index": pick.tolist(), "lut": _lut(),
        "weights": [[np.round(wts[k, c].ravel(), 4).tolist() for k in pick] for c in range(k_maps)],
        "boxes": None if boxes_a is None else boxes_a[pick].astype(int).tolist(),
        "labels": None if labels_a is None else [str(v) for v in labels_a[pick]],
        "preds": None if preds_a is None else [str(v) for v in preds_a[pick]],
        "choices": choices,
    }
    uid = _new_id("attention", _json(data))
    controls = (
        f'<button type="button" id="{uid}-prev" aria-label="previous canvas">&#9664;</button>'
        + _slider(uid, "sample", "Canvas", 0, len(pick) - 1, 1, 0)
        + f'<button type="button" id="{uid}-next" aria-label="next canvas">&#9654;</button>'
        + _slider(uid, "opacity", "Overlay opacity", 0, 100, 5, int(round(100 * float(opacity))))
    )
    if choices:
        options = "".join(f'<option value="{i}">{html_lib.escape(c)}</option>' for i, c in enumerate(choices))
        controls += (f'<span class="ea-ctl"><label for="{uid}-choice">Map</label>'
                     f'<select id="{uid}-choice">{options}</select></span>')
    if boxes_a is not None:
        controls += (f'<span class="ea-ctl"><input type="checkbox" id="{uid}-box" checked>'
                     f'<label for="{uid}-box">Show digit box</label></span>')
    legend = ('<p class="ea-text">Brighter cells carry more weight (colours scaled to each map\'s largest '
              'weight); the cyan cross marks the peak cell and the green frame the digit\'s box.</p>')
    page = _assemble("attention", uid, title, controls, (w * scale, h * scale), data, _ATTENTION_JS, legend)

    def factory():
        from . import widgets

        return widgets.attention_viewer(images, weights, boxes, labels, predictions, choices=choices)

    return Explorer("attention", page, f"{len(pick)} of {n} images, {k_maps} map(s) of {gh}x{gw}", factory, mode)


# --------------------------------------------------------------------------- softmax and temperature

_SOFTMAX_JS = r"""(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d"),n=D.scores.length;
var temp=$("temp"),text=$("text"),sl=[];for(var i=0;i<n;i++){sl.push($("s"+i));}
function softmax(s,T){var m=Math.max.apply(null,s),e=s.map(function(v){return Math.exp((v-m)/T);}),z=e.reduce(function(a,b){return a+b;},0);return e.map(function(v){return v/z;});}
function jnorm(a,T){var q=0;for(var i=0;i<n;i++){for(var j=0;j<n;j++){var v=(i===j?a[i]:0)-a[i]*a[j];q+=v*v;}}return Math.sqrt(q)/T;}
function fmt(v){return Math.abs(v)>=0.01||v===0?v.toFixed(3):v.toExponential(1);}
function bars(x0,vals,top,title,color){var w=190,h=170,y0=30,bw=w/n;
ctx.fillStyle="#222";ctx.font="13px sans-serif";ctx.textAlign="left";ctx.fillText(title,x0,18);
ctx.strokeStyle="#999";ctx.lineWidth=1;ctx.beginPath();ctx.moveTo(x0,y0+h);ctx.lineTo(x0+w,y0+h);ctx.moveTo(x0,y0);ctx.lineTo(x0,y0+h);ctx.stroke();
ctx.textAlign="right";ctx.fillText(fmt(top),x0-4,y0+10);ctx.fillText("0",x0-4,y0+h);
for(var i=0;i<n;i++){var bh=h*Math.min(1,vals[i]/top);ctx.fillStyle=color;ctx.fillRect(x0+i*bw+bw*0.15,y0+h-bh,bw*0.7,bh);
ctx.fillStyle="#222";ctx.textAlign="center";ctx.fillText("s"+i,x0+i*bw+bw/2,y0+h+16);}}
function draw(){
var lt=+temp.value,T=Math.pow(10,lt),s=sl.map(function(e){return +e.value;});
$("temp-out").textContent=T<1?T.toPrecision(2):T.toFixed(T<10?2:1);temp.setAttribute("aria-valuetext","temperature "+T.toPrecision(3));
for(var i=0;i<n;i++){$("s"+i+"-out").textContent=s[i].toFixed(1);}
var a=softmax(s,T),g=a.map(function(v){return v*(1-v)/T;}),J=jnorm(a,T);
var grid=[],gmax=0,jmax=0;for(var x=D.lo;x<=D.hi+1e-9;x+=0.05){var TT=Math.pow(10,x),aa=softmax(s,TT),jj=jnorm(aa,TT);
grid.push([x,jj]);jmax=Math.max(jmax,jj);aa.forEach(function(v){gmax=Math.max(gmax,v*(1-v)/TT);});}
ctx.clearRect(0,0,cv.width,cv.height);ctx.fillStyle="#fff";ctx.fillRect(0,0,cv.width,cv.height);
bars(40,a,1,"weights a_i","#1f77b4");bars(285,g,gmax,"\u2202a_i/\u2202s_i = a_i(1\u2212a_i)/\u03c4","#ff7f0e");
var x0=520,w=150,h=170,y0=30;ctx.fillStyle="#222";ctx.textAlign="left";ctx.fillText("Jacobian norm vs \u03c4 (log)",x0,18);
ctx.strokeStyle="#999";ctx.beginPath();ctx.moveTo(x0,y0+h);ctx.lineTo(x0+w,y0+h);ctx.stroke();
ctx.strokeStyle="#ff7f0e";ctx.lineWidth=2;ctx.beginPath();grid.forEach(function(p,i){var X=x0+w*(p[0]-D.lo)/(D.hi-D.lo),Y=y0+h-h*p[1]/(jmax||1);if(i){ctx.lineTo(X,Y);}else{ctx.moveTo(X,Y);}});ctx.stroke();
var X=x0+w*(lt-D.lo)/(D.hi-D.lo),Y=y0+h-h*J/(jmax||1);ctx.fillStyle="#d62728";ctx.beginPath();ctx.arc(X,Y,5,0,2*Math.PI);ctx.fill();
ctx.fillStyle="#222";ctx.textAlign="center";ctx.fillText(String(Math.pow(10,D.lo)),x0,y0+h+16);ctx.fillText(String(Math.pow(10,D.hi)),x0+w,y0+h+16);
var am=Math.max.apply(null,a);
var t="Temperature "+T.toPrecision(3)+": largest weight "+am.toFixed(3)+", Jacobian norm "+fmt(J)+" (its peak over the slider's range: "+fmt(jmax)+").";
text.textContent=t;cv.setAttribute("aria-label","Bar charts of the weights and their sensitivities. "+t);
var rows="";for(i=0;i<n;i++){rows+="<tr><th scope=\"row\">s"+i+" = "+s[i].toFixed(1)+"</th><td>"+a[i].toFixed(3)+"</td><td>"+fmt(g[i])+"</td></tr>";}
$("rows").innerHTML=rows;}
[temp].concat(sl).forEach(function(e){e.addEventListener("input",draw);e.addEventListener("change",draw);});
draw();
})();"""


def softmax_explorer(scores=(2.0, 1.0, 0.5, -1.0), temperature: float = 1.0, *, score_range: float = 5.0,
                     title: str = "Softmax weights and their gradients as the temperature changes",
                     mode: str = "auto") -> Explorer:
    """Return an :class:`Explorer` of ``softmax(scores / temperature)``: a log-temperature slider
    and one slider per score, redrawing the weights, the sensitivities ``da_i/ds_i = a_i (1 - a_i) /
    temperature`` and the Jacobian norm against temperature.

    Introduced in chapter 4; :func:`elastic_attention.softmax_views.softmax_temperature_figure`
    is its static twin. The HTML view computes everything in JavaScript from the embedded scores.
    """
    from . import gradients as G

    s = G._array(scores, "scores", 1)
    if not 2 <= s.size <= 12:
        raise ValueError(f"scores needs between 2 and 12 entries to draw, got {s.size}")
    t = G._temperature(temperature)
    if not 1e-2 <= t <= 1e2:
        raise ValueError(f"temperature must lie in [0.01, 100] (the slider's range), got {t}")
    if not (score_range > 0 and np.all(np.abs(s) <= score_range)):
        raise ValueError(f"scores must lie in [-{score_range}, {score_range}]; pass a larger score_range")
    _check_mode(mode)
    data = {"scores": [round(float(v), 4) for v in s], "lo": -2, "hi": 2}
    uid = _new_id("softmax", _json(data) + repr(t))
    lt = round(float(np.log10(t)) / 0.05) * 0.05
    controls = _slider(uid, "temp", "Temperature τ (log scale)", -2, 2, 0.05, f"{lt:.2f}")
    for i, v in enumerate(s):
        controls += _slider(uid, f"s{i}", f"Score s{i}", -score_range, score_range, 0.1, f"{v:.1f}")
    table = (f'<table aria-label="weights and sensitivities"><thead><tr><th scope="col">score</th>'
             f'<th scope="col">weight a_i</th><th scope="col">∂a_i/∂s_i</th></tr></thead>'
             f'<tbody id="{uid}-rows"></tbody></table>')
    page = _assemble("softmax", uid, title, controls, (680, 230), data, _SOFTMAX_JS, table)

    def factory():
        from . import softmax_views

        return softmax_views.softmax_explorer(s, t)

    return Explorer("softmax", page, f"{s.size} scores, temperature {t:g}", factory, mode)


# --------------------------------------------------------------------------- dot-product saturation

_SATURATION_JS = r"""(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d"),dim=$("dim"),sc=$("scaled"),text=$("text");
function draw(){
var i=+dim.value,d=D.dims[i],key=sc.checked?"scaled":"raw",r=D[key][i],n=r.w.length;
$("dim-out").textContent=String(d);dim.setAttribute("aria-valuetext","d = "+d);
ctx.fillStyle="#fff";ctx.fillRect(0,0,cv.width,cv.height);
var x0=50,y0=20,w=cv.width-70,h=cv.height-60,bw=w/n;
ctx.strokeStyle="#999";ctx.lineWidth=1;ctx.beginPath();ctx.moveTo(x0,y0);ctx.lineTo(x0,y0+h);ctx.lineTo(x0+w,y0+h);ctx.stroke();
ctx.fillStyle="#222";ctx.font="13px sans-serif";ctx.textAlign="right";ctx.fillText("1",x0-6,y0+10);ctx.fillText("0",x0-6,y0+h);
ctx.fillStyle=sc.checked?"#2ca02c":"#d62728";
for(var k=0;k<n;k++){var bh=h*r.w[k];ctx.fillRect(x0+k*bw+bw*0.15,y0+h-bh,bw*0.7,bh);}
ctx.fillStyle="#222";ctx.textAlign="center";ctx.fillText("key, by rank of its weight (mean over "+D.samples+" random queries)",x0+w/2,y0+h+30);
for(k=0;k<n;k+=Math.max(1,Math.floor(n/8))){ctx.fillText(String(k+1),x0+k*bw+bw/2,y0+h+14);}
var t="d = "+d+(sc.checked?", scores divided by \u221ad":", unscaled scores")+": mean largest weight "+r.max.toFixed(2)+", mean Jacobian norm "+r.jac.toFixed(3)+".";
text.textContent=t;cv.setAttribute("aria-label","Bar chart of the sorted mean weights. "+t);}
[dim,sc].forEach(function(e){e.addEventListener("input",draw);e.addEventListener("change",draw);});
draw();
})();"""


def saturation_explorer(num_keys: int = 16, seed: int = 0, *, dims=tuple(2**k for k in range(1, 11)),
                        num_samples: int = 200, title: str = "One row of dot-product attention as the key dimension d grows",
                        mode: str = "auto") -> Explorer:
    """Return an :class:`Explorer` of the sorted, averaged attention weights of random unit-variance
    queries over ``num_keys`` keys: a slider over the key dimension ``d`` and a "divide by sqrt(d)"
    checkbox.

    Introduced in chapter 4; :func:`elastic_attention.softmax_views.dot_product_weights_figure` is
    its static twin. The HTML view embeds the weights precomputed for every ``d`` in ``dims``.
    """
    from . import softmax_views

    if int(num_keys) < 2:
        raise ValueError(f"num_keys must be at least 2, got {num_keys}")
    dims = [int(d) for d in dims]
    if not dims or min(dims) < 1 or len(dims) > 16:
        raise ValueError(f"dims must be 1 to 16 positive integers, got {dims}")
    _check_mode(mode)
    data: dict = {"dims": dims, "samples": int(num_samples), "raw": [], "scaled": []}
    for d in dims:
        for key, scaled in (("raw", False), ("scaled", True)):
            w, mx, jac = softmax_views._dot_product_stats(d, scaled, int(num_keys), seed, int(num_samples))
            data[key].append({"w": np.round(w, 4).tolist(), "max": round(mx, 4), "jac": round(jac, 5)})
    uid = _new_id("saturation", _json(data))
    start = dims.index(64) if 64 in dims else 0
    controls = _slider(uid, "dim", "Key dimension d", 0, len(dims) - 1, 1, start)
    controls += (f'<span class="ea-ctl"><input type="checkbox" id="{uid}-scaled">'
                 f'<label for="{uid}-scaled">Divide scores by √d</label></span>')
    page = _assemble("saturation", uid, title, controls, (560, 240), data, _SATURATION_JS)

    def factory():
        return softmax_views.saturation_explorer(num_keys, seed)

    return Explorer("saturation", page, f"{num_keys} keys, d in {dims[0]}..{dims[-1]}", factory, mode)
