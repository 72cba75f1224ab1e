"""Training the elastic-inference models of chapter 3.5 (locator, glimpse, early exit), each
through the model cache, and choosing an operating point on validation canvases.

Introduced in chapter 3.5. The data follow one rule: the locator and the glimpse train on the
canvases of chapter 5.3 *without* the training digits held out for validation (every fifth one);
validation canvases are fresh canvases of the held-out digits only. Crop size and thresholds are
chosen there, never on the test canvases. ``benchmarks/elastic_inference.py`` and the chapter
call the same functions, so they share the cached models.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from .. import _validate as valid
from ..data.cluttered import ClutteredDigits, make_cluttered
from ..nn import glimpse as G
from ..nn.early_exit import EarlyExitModel, attach_early_exit, early_exit_classifier
from ..nn.models import attention_explainer
from .cache import CachedModel, cached_model
from .loops import arrays_dataset, compile_classifier, cosine_schedule, fit
from .pretrain import plain_digits as upscaled_digits
from .zoo import cluttered_data, cluttered_head, shared_canvases

__all__ = ["HELD_OUT_EVERY", "EXIT_HEAD_LEARNING_RATES", "EXIT_HEAD_LEARNING_RATE", "elastic_sizes", "held_out", "subset", "elastic_data", "locator_model",
           "glimpse_model", "early_exit_model", "plain_digits", "plain_early_exit_model",
           "choose_operating_point"]

HELD_OUT_EVERY = 5  # every fifth training digit is held out for validation
EXIT_HEAD_LEARNING_RATES = (0.1, 0.3, 1.0, 3.0)
# Chosen by the highest mean validation accuracy of the exit alone over seeds 0-2 among
# EXIT_HEAD_LEARNING_RATES, the smaller rate on a tie (benchmarks/elastic_inference.py, committed in
# its results).
EXIT_HEAD_LEARNING_RATE = 1.0


def elastic_sizes(profile: str) -> dict:
    """Return the run sizes of chapter 3.5 for ``profile``: epochs of locator, glimpse, plain-digit
    early-exit model (doubled there) and attached exit head, extra canvases per digit for the
    glimpse, validation canvases per held-out digit.

    Introduced in chapter 3.5.
    """
    valid.one_of(profile, ("quick", "full"), "profile")
    return {"locator_epochs": 20, "glimpse_epochs": 6, "early_exit_epochs": 6, "exit_head_epochs": 60,
            "extra_copies": 2, "val_copies": 5} if profile == "quick" else \
        {"locator_epochs": 30, "glimpse_epochs": 12, "early_exit_epochs": 15, "exit_head_epochs": 100,
         "extra_copies": 4, "val_copies": 5}


def held_out(source_ids) -> np.ndarray:
    """Return a boolean mask: True for canvases whose training digit is held out for validation.

    Introduced in chapter 3.5.
    """
    return np.asarray(source_ids) % HELD_OUT_EVERY == 0


def subset(data: ClutteredDigits, keep) -> ClutteredDigits:
    """Return the canvases of ``data`` where the boolean mask ``keep`` is True. Introduced in chapter 3.5."""
    keep = np.asarray(keep, dtype=bool)
    if keep.shape != (len(data),):
        raise ValueError(f"keep must be one boolean per canvas ({len(data)}), got shape {keep.shape}")
    return ClutteredDigits(data.images[keep], data.labels[keep], data.boxes[keep], data.source_ids[keep])


def elastic_data(profile: str, seed: int) -> dict[str, ClutteredDigits]:
    """Return ``train`` (chapter 5.3's canvases without the held-out digits), ``extra`` (fresh
    canvases of the same digits, for the locator's own crops), ``val`` (fresh canvases of the held-out
    digits) and ``test`` (chapter 5.3's test canvases).

    Introduced in chapter 3.5. The canvases are made once per process and shared read-only
    (:func:`~elastic_attention.train.zoo.shared_canvases`); copy an array before changing it.
    """
    sizes = elastic_sizes(profile)

    def make():
        train, test = cluttered_data(profile, seed)
        extra = make_cluttered("train", copies=sizes["extra_copies"], seed=seed + 100)
        val = make_cluttered("train", copies=sizes["val_copies"], seed=seed + 200)
        return {"train": subset(train, ~held_out(train.source_ids)), "extra": subset(extra, ~held_out(extra.source_ids)),
                "val": subset(val, held_out(val.source_ids)), "test": test}

    return dict(shared_canvases(("elastic", profile, int(seed)), make))


def _fit(model, x, y, epochs: int, learning_rate: float, seed: int) -> dict:
    steps = int(math.ceil(len(x) / 64))
    compile_classifier(model, cosine_schedule(learning_rate, epochs, steps))
    run = fit(model, arrays_dataset(x, y, 64, shuffle=True, seed=seed), epochs=epochs, verbose=0)
    return {"loss": run.history["loss"], "seconds": run.seconds}


def locator_model(cfg, learning_rate: float = 1e-2) -> CachedModel:
    """Return the cached locator for ``cfg.profile`` and ``cfg.seed``, trained on the half-resolution
    training canvases. Introduced in chapter 3.5.
    """
    sizes = elastic_sizes(cfg.profile)

    def train():
        data = elastic_data(cfg.profile, cfg.seed)["train"]
        keras.utils.set_random_seed(cfg.seed)
        model = G.locator_classifier()
        return model, _fit(model, G.downsample(data.images), data.labels, sizes["locator_epochs"], learning_rate, cfg.seed)

    return cached_model("elastic-locator", train, seed=cfg.seed, profile=cfg.profile,
                        params={"learning_rate": learning_rate, "held_out_every": HELD_OUT_EVERY, **sizes})


def glimpse_model(cfg, size: int, jitter: float = 4.0, learning_rate: float = 1e-2) -> CachedModel:
    """Return the cached glimpse classifier for ``size`` x ``size`` crops: trained on crops around the
    true digit centre moved by up to ``jitter`` pixels, plus the locator's own crops of fresh canvases
    (so that it learns the locator's mistakes too). Introduced in chapter 3.5.
    """
    size = valid.positive_int(size, "size", minimum=8)
    sizes = elastic_sizes(cfg.profile)
    locator = locator_model(cfg).model

    def train():
        data = elastic_data(cfg.profile, cfg.seed)
        tr, extra = data["train"], data["extra"]
        _, weights = G.run_batched(attention_explainer(locator), G.downsample(extra.images))
        crops = np.concatenate([G.extract_crops(tr.images, G.jitter_centres(tr.boxes, jitter, cfg.seed), size),
                                G.extract_crops(extra.images, G.attention_centres(weights, (40, 40)), size)])
        labels = np.concatenate([tr.labels, extra.labels])
        keras.utils.set_random_seed(cfg.seed)
        model = G.glimpse_classifier(size)
        return model, _fit(model, crops, labels, sizes["glimpse_epochs"], learning_rate, cfg.seed)

    return cached_model(f"elastic-glimpse{size}", train, seed=cfg.seed, profile=cfg.profile,
                        params={"size": size, "jitter": jitter, "learning_rate": learning_rate,
                                "held_out_every": HELD_OUT_EVERY, **sizes})


def early_exit_model(cfg, learning_rate: float = EXIT_HEAD_LEARNING_RATE) -> tuple[EarlyExitModel, CachedModel]:
    """Return ``(parts, cached)``: an early exit after two stages attached to chapter 5.3's cached
    full model (:func:`~elastic_attention.nn.early_exit.attach_early_exit`), and the cached exit.

    Introduced in chapter 3.5. The trunk and the attention exit are the full model's, frozen; only
    the exit (average pooling and a dense layer) trains, on the stage-2 maps of the same training
    canvases as the locator, computed once. The late path answers exactly as the full model does.
    ``learning_rate`` defaults to :data:`EXIT_HEAD_LEARNING_RATE`, chosen on validation canvases
    among :data:`EXIT_HEAD_LEARNING_RATES`; a linear exit on frozen features needs a larger rate
    than a whole network.
    """
    sizes = elastic_sizes(cfg.profile)
    full = cluttered_head("attention", cfg).model

    def train():
        data = elastic_data(cfg.profile, cfg.seed)["train"]
        keras.utils.set_random_seed(cfg.seed)  # before the new exit's weights are drawn
        parts = attach_early_exit(full)
        maps = G.run_batched(parts.stem, data.images)
        return parts.early, _fit(parts.early, maps, data.labels, sizes["exit_head_epochs"], learning_rate, cfg.seed)

    cached = cached_model("elastic-early-exit-attached", train, seed=cfg.seed, profile=cfg.profile,
                          params={"learning_rate": learning_rate, "held_out_every": HELD_OUT_EVERY, **sizes})
    parts = attach_early_exit(full)
    parts.early.set_weights(cached.model.get_weights())
    return parts, cached


def _fit_joint(parts: EarlyExitModel, x, y, epochs: int, learning_rate: float, seed: int):
    joint = parts.joint
    steps = int(math.ceil(len(x) / 64))
    joint.compile(optimizer=keras.optimizers.Adam(cosine_schedule(learning_rate, epochs, steps)),
                  loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True)] * 2)
    ds = arrays_dataset(x, y, 64, shuffle=True, seed=seed).map(lambda a, b: (a, (b, b)))
    history = joint.fit(ds, epochs=epochs, verbose=0, shuffle=False)  # the dataset shuffles itself
    return joint, {"loss": [float(v) for v in history.history["loss"]]}


PLAIN_SCALE = 2  # the shipped 8x8 digits, read at 16x16 so that three pooling stages fit


def plain_digits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return ``train``, ``val`` (every fifth training digit, held out) and ``test`` as ``(images,
    labels)``: the shipped plain digits, upscaled to 16x16, float32 in [0, 1], shaped ``(N, 16, 16, 1)``.

    Introduced in chapter 3.5, for the early exit on plain digits.
    """
    x, labels = upscaled_digits("train", scale=PLAIN_SCALE)
    keep = ~held_out(np.arange(len(labels)))
    return {"train": (x[keep], labels[keep]), "val": (x[~keep], labels[~keep]),
            "test": upscaled_digits("test", scale=PLAIN_SCALE)}


def plain_early_exit_model(cfg, learning_rate: float = 1e-2) -> tuple[EarlyExitModel, CachedModel]:
    """Return ``(parts, cached)``: an early-exit model with its exit after the *first* stage, trained
    jointly on the plain digits of :func:`plain_digits` (``train``), and its inference parts.

    Introduced in chapter 3.5.
    """
    epochs = elastic_sizes(cfg.profile)["early_exit_epochs"] * 2
    shape = (8 * PLAIN_SCALE, 8 * PLAIN_SCALE, 1)

    def train():
        x, y = plain_digits()["train"]
        keras.utils.set_random_seed(cfg.seed)
        return _fit_joint(early_exit_classifier(shape, exit_after=1), x, y, epochs, learning_rate, cfg.seed)

    cached = cached_model("plain-early-exit", train, seed=cfg.seed, profile=cfg.profile,
                          params={"learning_rate": learning_rate, "epochs": epochs, "scale": PLAIN_SCALE,
                                  "held_out_every": HELD_OUT_EVERY})
    parts = early_exit_classifier(shape, exit_after=1)
    parts.joint.set_weights(cached.model.get_weights())
    return parts, cached


def choose_operating_point(points: list[dict], tolerance: float = 0.002) -> dict:
    """Return the point with the fewest ``flops`` among ``points`` (dicts with ``accuracy`` and
    ``flops``, measured on validation canvases) whose accuracy is within ``tolerance`` of the best.

    Introduced in chapter 3.5. The rule needs no full model: it spends compute until accuracy on
    validation is within ``tolerance`` of the most the pipeline can reach.
    """
    if not points:
        raise ValueError("points is empty: pass the validation results of at least one operating point")
    tolerance = valid.probability(tolerance, "tolerance")
    best = max(p["accuracy"] for p in points)
    return min((p for p in points if p["accuracy"] >= best - tolerance), key=lambda p: (p["flops"], -p["accuracy"]))
