"""Look, then glimpse: elastic inference that spends compute where attention points.

Introduced in chapter 3.5. A cheap *locator* (a small attention classifier) reads the canvas
downsampled by two; where its softmax confidence reaches a threshold it answers alone. Elsewhere
the attention peak of its map gives a location, and a *glimpse* classifier (chapter 5.3's model,
built for a small input) reads only a full-resolution crop around that location. FLOPs are
counted from the Keras model graph (:func:`count_flops`), so the saving is measured, not assumed.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np
from keras import layers

from .. import _validate as valid
from .layers import AttentionPooling
from .models import attention_explainer, cluttered_classifier
from .softmax import softmax

__all__ = ["downsample", "locator_classifier", "glimpse_classifier", "attention_centres", "extract_crops",
           "jitter_centres", "flops_by_layer", "count_flops", "run_batched", "GlimpseResult", "look_then_glimpse",
           "AllOutputs", "all_outputs", "vote", "combine", "topk_mask"]


def downsample(images, factor: int = 2) -> np.ndarray:
    """Return ``images`` ``(N, H, W, 1)`` averaged over ``factor`` x ``factor`` blocks (float32).

    Introduced in chapter 3.5.
    """
    factor = valid.positive_int(factor, "factor")
    x = valid.array(images, "images", ndim=4)
    n, h, w, c = x.shape
    if h % factor or w % factor:
        raise ValueError(f"image side {h}x{w} is not divisible by factor={factor}: pick a factor that divides it")
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4)).astype(np.float32)


def locator_classifier(input_shape=(20, 20, 1), num_classes: int = 10, filters=(8, 16, 16)) -> keras.Model:
    """Return the locator: conv-BN-ReLU-pool, then conv-BN-ReLU stages without pooling, attention
    pooling (layer ``attention_pool``) and a dense layer giving logits.

    Introduced in chapter 3.5. Pooling once keeps the attention map fine (10x10 cells of 4 canvas
    pixels for a 40x40 canvas read at half resolution).
    """
    valid.positive_int(num_classes, "num_classes")
    if not filters:
        raise ValueError("filters must list at least one stage width, e.g. (8, 16, 16)")
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for i, f in enumerate(filters, start=1):
        x = layers.Conv2D(valid.positive_int(f, "filters"), 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn{i}")(x)
        x = layers.ReLU(name=f"relu{i}")(x)
        if i == 1:
            x = layers.MaxPooling2D(2, name="pool1")(x)
    pooled, _weights = AttentionPooling(name="attention_pool")(x, return_attention_scores=True)
    logits = layers.Dense(num_classes, name="logits", dtype="float32")(pooled)
    return keras.Model(inputs, logits, name="locator")


def glimpse_classifier(size: int, num_classes: int = 10, filters: int = 32) -> keras.Model:
    """Return chapter 5.3's attention classifier built for ``size`` x ``size`` crops.

    Introduced in chapter 3.5.
    """
    size = valid.positive_int(size, "size", minimum=8)
    return cluttered_classifier("attention", input_shape=(size, size, 1), num_classes=num_classes, filters=filters)


def attention_centres(weights, image_shape, neighbourhood: int = 1, rank: int = 0) -> np.ndarray:
    """Return ``(N, 2)`` pixel (row, column) centres: the attention-weighted mean of the cells within
    ``neighbourhood`` cells of each map's peak (``rank=1``: of the runner-up peak outside that window).

    Introduced in chapter 3.5. ``weights`` is ``(N, gh, gw)``; cell centres are mapped onto an image
    of ``image_shape`` (height, width).
    """
    w = valid.array(weights, "weights", ndim=3)
    gh, gw = w.shape[1:]
    if neighbourhood < 0 or isinstance(neighbourhood, bool):
        raise ValueError(f"neighbourhood must be a non-negative number of cells, got {neighbourhood!r}")
    if rank not in (0, 1):
        raise ValueError(f"rank must be 0 (the peak) or 1 (the runner-up peak), got {rank!r}")
    rr, cc = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")
    flat = w.reshape(len(w), -1)
    peak = flat.argmax(axis=1)
    pr, pc = np.unravel_index(peak, (gh, gw))
    if rank == 1:
        near = (np.abs(rr[None] - pr[:, None, None]) <= neighbourhood) & (np.abs(cc[None] - pc[:, None, None]) <= neighbourhood)
        peak = np.where(near.reshape(len(w), -1), -np.inf, flat).argmax(axis=1)
        pr, pc = np.unravel_index(peak, (gh, gw))
    window = (np.abs(rr[None] - pr[:, None, None]) <= neighbourhood) & (np.abs(cc[None] - pc[:, None, None]) <= neighbourhood)
    mass = np.where(window, w, 0.0)
    total = mass.sum(axis=(1, 2))
    row = (mass * rr[None]).sum(axis=(1, 2)) / total
    col = (mass * cc[None]).sum(axis=(1, 2)) / total
    h, wd = image_shape
    return np.stack([(row + 0.5) * h / gh, (col + 0.5) * wd / gw], axis=1)


def extract_crops(images, centres, size: int) -> np.ndarray:
    """Return ``(N, size, size, C)`` crops of ``images`` centred on ``centres`` ``(N, 2)`` (pixels),
    moved inside the canvas where they would cross its border.

    Introduced in chapter 3.5.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C), got shape {images.shape}")
    centres = valid.array(centres, "centres", ndim=2)
    if centres.shape != (len(images), 2):
        raise ValueError(f"centres must be (N, 2) with N={len(images)}, got shape {centres.shape}")
    size = valid.positive_int(size, "size")
    h, w = images.shape[1:3]
    if size > min(h, w):
        raise ValueError(f"size={size} is larger than the {h}x{w} canvas: pick a crop size up to {min(h, w)}")
    tops = np.clip(np.rint(centres[:, 0] - size / 2).astype(int), 0, h - size)
    lefts = np.clip(np.rint(centres[:, 1] - size / 2).astype(int), 0, w - size)
    rows = tops[:, None] + np.arange(size)
    cols = lefts[:, None] + np.arange(size)
    return images[np.arange(len(images))[:, None, None], rows[:, :, None], cols[:, None, :]]


def jitter_centres(boxes, jitter: float, seed: int = 0) -> np.ndarray:
    """Return ``(N, 2)`` box centres moved by up to ``jitter`` pixels along each axis (uniform).

    Introduced in chapter 3.5; trains the glimpse classifier on crops near the true digit.
    """
    boxes = valid.array(boxes, "boxes", ndim=2)
    if jitter < 0:
        raise ValueError(f"jitter must be a non-negative number of pixels, got {jitter!r}")
    centres = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)
    return centres + np.random.default_rng(seed).uniform(-jitter, jitter, centres.shape)


def flops_by_layer(model: keras.Model) -> dict[str, int]:
    """Return ``{layer name: floating-point operations}`` of one forward pass of ``model`` on one
    input, read from its layer graph: 2 per multiply-add of Conv2D, Dense and AttentionPooling, one
    per input element of BatchNormalization, ReLU and pooling layers, none for reshaping layers.

    Introduced in chapter 3.5. Layers of other kinds are refused, so nothing is silently left out.
    """
    counts = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        in_shape = layer.input[0].shape[1:] if isinstance(layer.input, (list, tuple)) else layer.input.shape[1:]
        out = layer.output[0] if isinstance(layer.output, (list, tuple)) else layer.output
        if isinstance(layer, layers.Conv2D):
            kh, kw = layer.kernel_size
            counts[layer.name] = 2 * int(np.prod(out.shape[1:-1])) * kh * kw * in_shape[-1] * layer.filters
        elif isinstance(layer, layers.Dense):
            counts[layer.name] = 2 * int(in_shape[-1]) * layer.units
        elif isinstance(layer, AttentionPooling):
            counts[layer.name] = 4 * int(np.prod(in_shape))  # a score and a weighted sum per position and feature
        elif isinstance(layer, (layers.BatchNormalization, layers.ReLU, layers.MaxPooling2D,
                                layers.GlobalAveragePooling2D)):
            counts[layer.name] = int(np.prod(in_shape))
        elif isinstance(layer, (layers.Dropout, layers.Flatten)):
            counts[layer.name] = 0
        else:
            raise ValueError(f"count_flops does not know layer {layer.name!r} ({type(layer).__name__}): "
                             "add its cost to flops_by_layer before counting this model")
    return counts


def count_flops(model: keras.Model) -> int:
    """Return the total of :func:`flops_by_layer`: the FLOPs of one forward pass on one input.

    Introduced in chapter 3.5.
    """
    return int(sum(flops_by_layer(model).values()))


def run_batched(model: keras.Model, x, batch_size: int = 512):
    """Return ``model``'s outputs on ``x`` as float64 arrays (a list for several outputs), computed
    in eager batches of ``batch_size`` (``predict`` would retrace for every new batch shape).

    Introduced in chapter 3.5.
    """
    batch_size = valid.positive_int(batch_size, "batch_size")
    if len(x) == 0:
        raise ValueError("x is empty: pass at least one input")
    parts = [model(x[i : i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    if isinstance(parts[0], (list, tuple)):
        return [np.concatenate([np.asarray(p[j], dtype=np.float64) for p in parts]) for j in range(len(parts[0]))]
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])


class GlimpseResult(NamedTuple):
    """What :func:`look_then_glimpse` returns: ``predictions``, ``glimpsed`` (bool per input: the
    glimpse ran), ``second`` (bool: a second glimpse ran), ``centres`` ``(N, 2)`` and ``flops`` per input.

    Introduced in chapter 3.5.
    """

    predictions: np.ndarray
    glimpsed: np.ndarray
    second: np.ndarray
    centres: np.ndarray
    flops: float


def look_then_glimpse(locator: keras.Model, glimpse: keras.Model, images, threshold: float,
                      second_below: float = 0.0, locator_weight: float = 0.0, factor: int = 2,
                      batch_size: int = 512) -> GlimpseResult:
    """Return a :class:`GlimpseResult`: the locator answers where its top softmax probability reaches
    ``threshold``; elsewhere the glimpse reads a crop at the attention peak, and where the glimpse's
    own confidence stays below ``second_below`` a second crop at the runner-up peak also runs. The
    answer is the class with the largest summed probability: the glimpses' plus ``locator_weight``
    times the locator's (:func:`vote`).

    Introduced in chapter 3.5. ``threshold``, ``second_below`` and ``locator_weight`` lie in [0, 1];
    the crop size is the glimpse model's input size.
    """
    threshold = valid.probability(threshold, "threshold")
    second_below = valid.probability(second_below, "second_below")
    locator_weight = valid.probability(locator_weight, "locator_weight")
    images = np.asarray(images, dtype=np.float32)
    size = glimpse.input_shape[1]
    logits, weights = run_batched(attention_explainer(locator), downsample(images, factor), batch_size)
    probs = softmax(np.asarray(logits, dtype=np.float64))
    pred = probs.argmax(axis=1)
    centres = attention_centres(weights, images.shape[1:3])
    hard = np.flatnonzero(probs.max(axis=1) < threshold)
    second = np.zeros(len(images), dtype=bool)
    if len(hard):
        g = softmax(run_batched(glimpse, extract_crops(images[hard], centres[hard], size), batch_size))
        g2 = np.zeros_like(g)
        unsure = np.flatnonzero(g.max(axis=1) < second_below)
        if len(unsure):
            idx = hard[unsure]
            alt = attention_centres(weights[idx], images.shape[1:3], rank=1)
            g2[unsure] = softmax(run_batched(glimpse, extract_crops(images[idx], alt, size), batch_size))
            second[idx] = True
        pred[hard] = vote(probs[hard], g, g2, locator_weight)
    glimpsed = np.zeros(len(images), dtype=bool)
    glimpsed[hard] = True
    # Downsampling costs one addition per canvas pixel.
    flops = (images.shape[1] * images.shape[2] + count_flops(locator)
             + count_flops(glimpse) * (glimpsed.sum() + second.sum()) / len(images))
    return GlimpseResult(pred, glimpsed, second, centres, float(flops))


class AllOutputs(NamedTuple):
    """Every output :func:`combine` needs, computed once for all inputs: the locator's softmax
    ``locator`` ``(N, classes)``, the glimpse's softmax at the peak ``first`` and at the runner-up
    peak ``second``, and the FLOPs of one locator pass (downsampling included) and of one glimpse.

    Introduced in chapter 3.5.
    """

    locator: np.ndarray
    first: np.ndarray
    second: np.ndarray
    locator_flops: int
    glimpse_flops: int


def all_outputs(locator: keras.Model, glimpse: keras.Model, images, factor: int = 2,
                batch_size: int = 512) -> AllOutputs:
    """Return :class:`AllOutputs` for ``images``: both glimpses run on every input, so that any
    threshold can then be scored without running a model again (:func:`combine`).

    Introduced in chapter 3.5, to sweep operating points on validation canvases.
    """
    images = np.asarray(images, dtype=np.float32)
    size = glimpse.input_shape[1]
    logits, weights = run_batched(attention_explainer(locator), downsample(images, factor), batch_size)
    first = run_batched(glimpse, extract_crops(images, attention_centres(weights, images.shape[1:3]), size), batch_size)
    second = run_batched(glimpse, extract_crops(images, attention_centres(weights, images.shape[1:3], rank=1), size),
                         batch_size)
    return AllOutputs(softmax(logits), softmax(first), softmax(second),
                      images.shape[1] * images.shape[2] + count_flops(locator), count_flops(glimpse))


def vote(locator, first, second, locator_weight: float = 0.0) -> np.ndarray:
    """Return the class with the largest ``first + second + locator_weight * locator`` per row: the
    summed softmax probabilities of the glimpses (``second`` is zero where no second glimpse ran)
    and of the locator, each ``(N, classes)``.

    Introduced in chapter 3.5. Summing lets two half-sure readings outvote one wrong sure one.
    """
    locator_weight = valid.probability(locator_weight, "locator_weight")
    arrays = [valid.array(a, name, ndim=2) for a, name in ((locator, "locator"), (first, "first"), (second, "second"))]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(f"locator, first and second must have one shape, got {[a.shape for a in arrays]}")
    return (arrays[1] + arrays[2] + locator_weight * arrays[0]).argmax(axis=1)


def combine(outputs: AllOutputs, threshold: float, second_below: float = 0.0,
            locator_weight: float = 0.0) -> tuple[np.ndarray, float]:
    """Return ``(predictions, flops per input)`` of :func:`look_then_glimpse`'s rule applied to
    precomputed :class:`AllOutputs` (same decisions, same FLOP count).

    Introduced in chapter 3.5.
    """
    threshold = valid.probability(threshold, "threshold")
    second_below = valid.probability(second_below, "second_below")
    loc, g1, g2 = outputs.locator, outputs.first, outputs.second
    hard = loc.max(axis=1) < threshold
    unsure = hard & (g1.max(axis=1) < second_below)
    pred = np.where(hard, vote(loc, g1, np.where(unsure[:, None], g2, 0.0), locator_weight), loc.argmax(axis=1))
    flops = outputs.locator_flops + outputs.glimpse_flops * (hard.mean() + unsure.mean())
    return pred, float(flops)


def topk_mask(weights, k: int, image_shape) -> np.ndarray:
    """Return an ``(N, H, W, 1)`` float mask that is 1 on the pixels of each map's ``k`` most attended
    cells and 0 elsewhere; ``weights`` is ``(N, gh, gw)`` and ``image_shape`` ``(H, W)``.

    Introduced in chapter 3.5 (attention-guided pruning). ``k`` runs from 1 to ``gh * gw``.
    """
    w = valid.array(weights, "weights", ndim=3)
    n, gh, gw = w.shape
    k = valid.positive_int(k, "k")
    if k > gh * gw:
        raise ValueError(f"k={k} is larger than the number of positions ({gh}x{gw}={gh * gw}): pick k <= {gh * gw}")
    h, wd = image_shape
    if h % gh or wd % gw:
        raise ValueError(f"image_shape {image_shape} is not a whole number of {gh}x{gw} cells")
    order = np.argsort(-w.reshape(n, -1), axis=1, kind="stable")[:, :k]
    keep = np.zeros((n, gh * gw), dtype=np.float32)
    np.put_along_axis(keep, order, 1.0, axis=1)
    cells = keep.reshape(n, gh, gw)
    return np.repeat(np.repeat(cells, h // gh, axis=1), wd // gw, axis=2)[..., None]
