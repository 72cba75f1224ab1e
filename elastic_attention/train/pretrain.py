"""Pretraining a convolutional trunk on plain digits and reusing it on cluttered canvases.

Introduced in chapter 3.2 (initializing from a pretrained model); chapter 8 reuses the trunk. The
trunk (the three conv stages of :func:`~elastic_attention.nn.models.conv_stage`) learns strokes
on the plain digits, upscaled twice so they are drawn at the size they have on the canvases;
:func:`train_with_trunk` then trains the attention classifier of chapter 5.3 on cluttered
canvases starting from those weights, or from scratch, and records accuracy against time;
:func:`compare_starts` keeps both runs in the model cache, so chapter 8.1 prices them without
training again.
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np

from .. import _validate as valid
from ..data.cluttered import make_cluttered
from ..data.digits import load_digit_arrays, upscale
from ..nn import models
from ..nn.architectures import copy_trunk
from .cache import CachedModel, cached_model
from .loops import HEAD_LEARNING_RATES, compile_classifier, cosine_schedule, fit

__all__ = [
    "plain_digits",
    "trunk_classifier",
    "pretrained_trunk",
    "EpochClock",
    "train_with_trunk",
    "time_to_accuracy",
    "START_SIZES",
    "start_data",
    "compare_starts",
]


def plain_digits(split: str, scale: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Return the shipped ``split`` digits upscaled ``scale`` times: float32 ``(N, 8s, 8s, 1)`` and labels.

    Introduced in chapter 3.2.
    """
    valid.positive_int(scale, "scale")
    images, labels, _ids = load_digit_arrays(split)
    big = np.stack([upscale(im.astype(np.float32) / 255.0, scale) for im in images])
    return big[..., None], labels


def trunk_classifier(input_shape=(16, 16, 1), num_classes: int = 10, filters: int = 32) -> keras.Model:
    """Return the pretraining model: the conv trunk of chapter 5.3, global average pooling, logits.

    Introduced in chapter 3.2. Its layers ``conv1`` ... ``bn3`` match the cluttered classifier's.
    """
    inputs = keras.Input(shape=input_shape, name="image")
    features = models.conv_trunk(inputs, filters=filters)
    pooled = keras.layers.GlobalAveragePooling2D(name="gap")(features)
    return keras.Model(inputs, keras.layers.Dense(num_classes, name="logits", dtype="float32")(pooled),
                       name="trunk_classifier")


def pretrained_trunk(cfg, epochs: int = 10, learning_rate: float = 3e-3) -> CachedModel:
    """Return the cached :class:`~.cache.CachedModel` of :func:`trunk_classifier` trained on the
    plain train digits for ``cfg.seed``; ``info`` holds its test accuracy, training seconds, epochs
    and number of training examples.

    Introduced in chapter 3.2. Trained once per seed, profile and code version.
    """
    valid.positive_int(epochs, "epochs")
    valid.positive_number(learning_rate, "learning_rate")

    def train():
        x, y = plain_digits("train")
        x_test, y_test = plain_digits("test")
        keras.utils.set_random_seed(cfg.seed)
        model = trunk_classifier(x.shape[1:])
        compile_classifier(model, cosine_schedule(learning_rate, epochs, math.ceil(len(x) / 64)))
        run = fit(model, (x, y), epochs=epochs, batch_size=64, verbose=0)
        _, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
        return model, {"test_accuracy": float(accuracy), "seconds": run.seconds, "epochs": epochs, "examples": len(x)}

    return cached_model("digits-trunk", train, seed=cfg.seed, profile=cfg.profile,
                        params={"epochs": epochs, "learning_rate": learning_rate})


class EpochClock(keras.callbacks.Callback):
    """A Keras callback whose ``seconds`` lists the wall-clock seconds since training began at the
    end of every epoch. Introduced in chapter 3.2."""

    def on_train_begin(self, logs=None):
        self.start, self.seconds = time.perf_counter(), []

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def train_with_trunk(trunk: keras.Model | None, train, test, epochs: int, learning_rate: float | None = None,
                     freeze: bool = False, batch_size: int = 64, seed: int = 0) -> dict:
    """Return ``{"model", "history", "seconds", "test_accuracy"}`` for chapter 5.3's attention
    classifier trained on ``train`` canvases, its trunk copied from ``trunk`` (or random when None).

    Introduced in chapter 3.2. ``history["val_accuracy"]`` is the test accuracy after each epoch and
    ``seconds`` the wall time at the end of each epoch, for time-to-accuracy curves. The learning
    rate defaults to the attention head's tuned one, for both starts.
    """
    lr = HEAD_LEARNING_RATES["attention"] if learning_rate is None else learning_rate
    valid.positive_int(epochs, "epochs")
    keras.utils.set_random_seed(seed)
    model = models.cluttered_classifier("attention", input_shape=train.images.shape[1:])
    if trunk is not None:
        copy_trunk(trunk, model, freeze=freeze)
    compile_classifier(model, cosine_schedule(lr, epochs, math.ceil(len(train) / batch_size)))
    clock = EpochClock()
    run = fit(model, (train.images, train.labels), (test.images, test.labels), epochs=epochs,
              batch_size=batch_size, callbacks=[clock], verbose=0)
    return {"model": model, "history": run.history, "seconds": clock.seconds,
            "test_accuracy": run.last("val_accuracy")}


def time_to_accuracy(accuracies, seconds, target: float) -> float | None:
    """Return the first time in ``seconds`` at which ``accuracies`` reached ``target``, or None.

    Introduced in chapter 3.2.
    """
    valid.probability(target, "target")
    if len(accuracies) != len(seconds):
        raise ValueError(f"accuracies and seconds must be per epoch alike, got {len(accuracies)} and {len(seconds)}")
    for acc, sec in zip(accuracies, seconds, strict=True):
        if acc >= target:
            return float(sec)
    return None


#: Chapter 3.2's comparison of starts: training canvases per digit and epochs, per profile. One
#: canvas per digit in the quick profile is a third of chapter 5.3's data, where a head start
#: matters most.
START_SIZES = {"quick": {"copies": 1, "epochs": 4}, "full": {"copies": 3, "epochs": 10}}


def start_data(cfg):
    """Return ``(train, test, epochs)`` of chapter 3.2's comparison of starts for ``cfg``.

    Introduced in chapter 3.2.
    """
    sizes = START_SIZES[valid.one_of(cfg.profile, START_SIZES, "profile")]
    return (make_cluttered("train", copies=sizes["copies"], seed=cfg.seed),
            make_cluttered("test", copies=1, seed=cfg.seed), sizes["epochs"])


def compare_starts(cfg, trunk: CachedModel | None = None) -> dict:
    """Return ``{"from scratch": run, "pretrained trunk": run}``, each run a dict of ``model``,
    ``history``, ``seconds`` and ``test_accuracy`` as :func:`train_with_trunk` returns it.

    Introduced in chapter 3.2; chapter 8.1 reads the same runs back. Both runs go through the model
    cache (keyed also by the trunk's own cache key), so ``seconds`` are the wall times measured when
    they were trained, and a later chapter pays nothing for them.
    """
    trunk = pretrained_trunk(cfg) if trunk is None else trunk
    train, test, epochs = start_data(cfg)
    runs = {}
    for name, start in (("from scratch", None), ("pretrained trunk", trunk.model)):
        def train_run(start=start):
            run = train_with_trunk(start, train, test, epochs, seed=cfg.seed)
            return run["model"], {key: run[key] for key in ("history", "seconds", "test_accuracy")}

        params = {**START_SIZES[cfg.profile], "trunk": trunk.key if start is not None else None}
        cached = cached_model("cluttered-start-" + name.replace(" ", "-"), train_run, seed=cfg.seed,
                              profile=cfg.profile, params=params)
        runs[name] = {"model": cached.model, **cached.info}
    return runs
