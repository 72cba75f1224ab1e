"""The attention lab: chapter 5.3's trained attention classifier running in the reader's browser
with TensorFlow.js, on a canvas the reader edits. Introduced in chapter 5.4.

The reader drags the digit, picks another test digit, adds, moves or removes clutter fragments,
or draws strokes; on every change the page runs the model (rebuilt from TensorFlow.js core ops:
convolution, batch normalization, ReLU, max-pooling, attention pooling, a dense layer) and redraws
the attention map, the predicted class with its probabilities and the pointing-game hit.

The model's weights are embedded in the page (base64 float32), so the lab works from ``file://``
and in a notebook's output. TensorFlow.js itself (``tfjs-core`` with its CPU and WebGL backends,
from npm) is referenced from the site's ``_static/tfjs/`` when ``EA_LAB_SCRIPTS`` names that
folder (the book build sets it), and otherwise embedded from a local vendored copy
(``_vendor/tfjs`` after ``make vendor``). Without either, or when the script cannot start, the lab
shows its static attention grid and one line saying why.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import os
from pathlib import Path

import numpy as np

from .. import _validate as valid
from . import explorer as X

__all__ = ["TFJS_SCRIPTS", "LAB_MAX_WEIGHT_BYTES", "export_weights", "lab_data", "weight_bytes", "attention_lab"]

TFJS_SCRIPTS = ("tfjs/tf-core.min.js", "tfjs/tf-backend-cpu.min.js", "tfjs/tf-backend-webgl.min.js")
LAB_MAX_WEIGHT_BYTES = 200_000
_LAYERS = ("conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "attention_pool", "logits")


def _b64(array) -> dict:
    arr = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
    return {"shape": list(arr.shape), "data": base64.b64encode(arr.tobytes()).decode("ascii")}


def export_weights(model) -> dict:
    """Return the weights of chapter 5.3's attention classifier as ``{name: {"shape", "data"}}``
    (``data``: base64 little-endian float32), plus the settings the browser needs.

    Introduced in chapter 5.4. Raises ValueError for a model without the layers
    ``conv1..3``, ``bn1..3``, ``attention_pool`` and ``logits`` (the attention head of
    :func:`elastic_attention.nn.models.cluttered_classifier` with three blocks).
    """
    names = {layer.name for layer in model.layers}
    missing = [n for n in _LAYERS if n not in names]
    if missing:
        raise ValueError(f"model {model.name!r} lacks layers {missing}: pass chapter 5.3's attention classifier "
                         "(ea.nn.models.cluttered_classifier('attention'))")
    out: dict = {}
    for i in (1, 2, 3):
        conv, bn = model.get_layer(f"conv{i}"), model.get_layer(f"bn{i}")
        if conv.use_bias or conv.strides != (1, 1) or conv.padding != "same":
            raise ValueError(f"conv{i} must be a 'same', stride-1 convolution without bias, as the book's trunk is")
        out[f"conv{i}"] = _b64(conv.kernel.numpy())
        for part in ("gamma", "beta", "moving_mean", "moving_variance"):
            out[f"bn{i}/{part}"] = _b64(getattr(bn, part).numpy())
        out[f"bn{i}/epsilon"] = float(bn.epsilon)
    pool, dense = model.get_layer("attention_pool"), model.get_layer("logits")
    out["attention/w"], out["attention/b"] = _b64(pool.w.numpy()), _b64(np.reshape(pool.b.numpy(), (1,)))
    out["attention/temperature"] = float(pool.temperature)
    out["logits/kernel"], out["logits/bias"] = _b64(dense.kernel.numpy()), _b64(dense.bias.numpy())
    return out


def _u8(images) -> np.ndarray:
    return (np.clip(np.asarray(images, dtype=np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)


def _fragments(digits: np.ndarray, count: int, rng) -> list[dict]:
    frags = []
    for _ in range(count):
        src = digits[int(rng.integers(len(digits)))]
        fh, fw = (int(v) for v in rng.integers(3, 6, size=2))
        fy, fx = int(rng.integers(0, 9 - fh)), int(rng.integers(0, 9 - fw))
        patch = np.kron(src[fy:fy + fh, fx:fx + fw], np.ones((2, 2), dtype=src.dtype))
        frags.append({"h": 2 * fh, "w": 2 * fw, "px": patch.ravel().tolist()})
    return frags


def lab_data(model, digits, labels, reference_images, *, num_fragments: int = 5, seed: int = 0) -> dict:
    """Return the JSON-ready data of an attention lab: weights, test digits, fragments, a starting
    scene, and reference canvases with Keras's probabilities and attention weights.

    Introduced in chapter 5.4. ``digits`` are 8x8 test digits (uint8 or floats in [0, 1]) that the
    reader picks from; ``reference_images`` are ``(N, 40, 40, 1)`` canvases for the page's self-check
    (the browser test compares its results with the Keras values stored here, to 1e-4).
    """
    from ..nn.models import attention_explainer

    digits_u8 = _u8(digits) if np.asarray(digits).dtype != np.uint8 else np.asarray(digits)
    if digits_u8.ndim != 3 or digits_u8.shape[1:] != (8, 8) or len(digits_u8) == 0:
        raise ValueError(f"digits must be (N, 8, 8) with N >= 1, got shape {digits_u8.shape}")
    labels = X.per_sample(labels, len(digits_u8), "labels")
    ref = _u8(reference_images)
    if ref.ndim != 4 or ref.shape[1:] != (40, 40, 1):
        raise ValueError(f"reference_images must be (N, 40, 40, 1), got shape {ref.shape}")
    num_fragments = valid.positive_int(num_fragments, "num_fragments", minimum=0)
    if num_fragments > 5:
        raise ValueError(f"num_fragments must be at most 5 (the starting scene's free spots), got {num_fragments}")
    explainer = attention_explainer(model)
    logits, weights = explainer.predict(ref.astype(np.float32) / np.float32(255), verbose=0)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    weights_json = export_weights(model)
    return {
        "weights": weights_json,
        "digits": [np.kron(d, np.ones((2, 2), dtype=np.uint8)).ravel().tolist() for d in digits_u8],
        "labels": [int(v) for v in labels],
        "fragments": _fragments(digits_u8, max(num_fragments, 1) + 6, rng),
        "scene": {"digit": 0, "dy": 12, "dx": 12, "frags": [
            {"k": k, "y": int(y), "x": int(x)} for k, (y, x) in enumerate(
                [(2, 2), (2, 28), (28, 2), (30, 30), (14, 32)][:num_fragments])]},
        "reference": {"images": [im.ravel().tolist() for im in ref[..., 0]],
                      "probs": np.round(probs, 7).tolist(),
                      "weights": np.round(np.asarray(weights).reshape(len(ref), -1), 7).tolist()},
        "size": 40, "grid": 5, "scale": 6, "lut": X.lut(),
    }


def weight_bytes(data: dict) -> int:
    """Return the size in bytes of the embedded weights (base64 text). Introduced in chapter 5.4."""
    return sum(len(v["data"]) for v in data["weights"].values() if isinstance(v, dict))


def _static_png(data: dict, model) -> str:
    """Return a data URL of a small static attention grid (the lab's fallback when TF.js cannot run)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .attention import attention_grid

    ref = np.asarray(data["reference"]["images"], dtype=np.float32).reshape(-1, 40, 40) / 255
    w = np.asarray(data["reference"]["weights"]).reshape(-1, 5, 5)
    k = min(4, len(ref))
    fig = attention_grid(ref[:k], w[:k], ncols=k)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _script_tags(script_base: str | None) -> tuple[str, str]:
    """Return (script tags for TF.js, a note on where it comes from)."""
    base = os.environ.get("EA_LAB_SCRIPTS") if script_base is None else script_base
    if base:
        base = base if base.endswith("/") else base + "/"
        tags = "".join(f'<script src="{html_lib.escape(base + Path(s).name)}"></script>' for s in TFJS_SCRIPTS)
        return tags, f"TensorFlow.js from {base}"
    for folder in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]):
        files = [folder / "_vendor" / s for s in TFJS_SCRIPTS]
        if all(f.is_file() for f in files):
            body = "".join("<script>" + f.read_text(encoding="utf-8").replace("</script", "<\\/script") + "</script>"
                           for f in files)
            return body, f"TensorFlow.js embedded from {files[0].parent}"
    return "", "TensorFlow.js is not available here (run `make vendor` in a clone of the book)"


def attention_lab(model, digits, labels, reference_images, *, seed: int = 0, script_base: str | None = None,
                  title: str = "Attention lab: the trained model, running in your browser") -> X.Explorer:
    """Return an :class:`~.explorer.Explorer` holding the attention lab (HTML view only).

    Introduced in chapter 5.4. Arguments as in :func:`lab_data`; ``script_base`` (or the
    ``EA_LAB_SCRIPTS`` environment variable) is the URL folder of the vendored TF.js files.
    """
    data = lab_data(model, digits, labels, reference_images, seed=seed)
    if weight_bytes(data) > LAB_MAX_WEIGHT_BYTES:
        raise ValueError(f"the model's weights take {weight_bytes(data)} bytes, over the lab's "
                         f"{LAB_MAX_WEIGHT_BYTES}: use the book's 32-filter trunk")
    tags, source = _script_tags(script_base)
    data["source"] = source
    uid = X.new_id("lab", source)
    options = "".join(f'<option value="{i}">test digit {i + 1} (label {lab})</option>'
                      for i, lab in enumerate(data["labels"]))
    controls = (
        f'<span class="ea-ctl"><label for="{uid}-digit">Digit</label><select id="{uid}-digit">{options}</select></span>'
        f'<span class="ea-ctl"><label for="{uid}-tool">Pointer</label><select id="{uid}-tool">'
        '<option value="move">drag the digit or a fragment</option><option value="draw">draw strokes</option>'
        '<option value="erase">erase strokes</option></select></span>'
        f'<button type="button" id="{uid}-add">Add fragment</button>'
        f'<button type="button" id="{uid}-remove">Remove fragment</button>'
        f'<button type="button" id="{uid}-clear">Clear canvas</button>'
        f'<button type="button" id="{uid}-reset">Reset</button>'
    )
    extra = (
        f'<p class="ea-text" id="{uid}-status" role="status">Starting TensorFlow.js…</p>'
        f'<table aria-label="class probabilities"><tbody id="{uid}-probs"></tbody></table>'
        f'<div id="{uid}-fallback" hidden><img alt="Static attention maps of the same model on test canvases" '
        f'src="{_static_png(data, model)}"></div>{tags}'
    )
    page = X.assemble("lab", uid, title, controls, (240, 240), data, "attention_lab.js", extra)
    return X.Explorer("lab", page, f"{len(data['labels'])} test digits, weights {weight_bytes(data)} bytes "
                      f"({source})", None, "html")
