"""A trunk pretrained on plain digits, and what it saves when training on clutter.

Introduced in chapter 8.1 (training cost). :func:`pretrained_trunk` trains chapter 5.3's attention
classifier on *plain* canvases (the same digits at random spots, no clutter fragments), once per
seed and profile through the model cache. :func:`transfer_trunk` copies its convolution and
batch-norm weights into a fresh model, and :func:`cluttered_curve` records, epoch by epoch, the
test accuracy and the seconds spent while training on cluttered canvases from scratch or from
that trunk, so that time-to-accuracy can be read off.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import _validate as valid
from ..data.cluttered import make_cluttered
from ..nn.models import cluttered_classifier
from .cache import CachedModel, cached_model
from .loops import HEAD_LEARNING_RATES, compile_classifier, cosine_schedule, fit

__all__ = ["TRUNK_PREFIXES", "pretrained_trunk", "transfer_trunk", "cluttered_curve", "epochs_to_accuracy"]

TRUNK_PREFIXES = ("conv", "bn")


def _train_attention(train, test, epochs: int, seed: int, init=None):
    import keras

    keras.utils.set_random_seed(seed)
    lr = HEAD_LEARNING_RATES["attention"]
    model = cluttered_classifier("attention", input_shape=train.images.shape[1:])
    copied = transfer_trunk(init, model) if init is not None else 0
    compile_classifier(model, cosine_schedule(lr, epochs, int(math.ceil(len(train) / 64))))
    ends = []
    timer = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter()))
    start = time.perf_counter()
    run = fit(model, (train.images, train.labels), (test.images, test.labels), epochs=epochs, batch_size=64,
              callbacks=[timer], verbose=0)
    return model, {"val_accuracy": run.history["val_accuracy"], "seconds": [t - start for t in ends],
                   "copied_layers": copied}


def pretrained_trunk(cfg, epochs: int = 3) -> CachedModel:
    """Return the :class:`~.cache.CachedModel` of an attention classifier trained for ``epochs`` on plain
    canvases (digits at random spots, no clutter) of the training digits; ``info`` holds its test
    accuracy per epoch and the seconds spent. Introduced in chapter 8.1.
    """
    from .zoo import cluttered_sizes

    valid.positive_int(epochs, "epochs")
    copies = cluttered_sizes(cfg.profile)["copies"]

    def train():
        plain_train = make_cluttered("train", clutter=(0, 0), copies=copies, seed=cfg.seed)
        plain_test = make_cluttered("test", clutter=(0, 0), copies=1, seed=cfg.seed)
        return _train_attention(plain_train, plain_test, epochs, cfg.seed)

    return cached_model("plain-attention", train, seed=cfg.seed, profile=cfg.profile,
                        params={"epochs": epochs, "copies": copies})


def transfer_trunk(source, target, prefixes=TRUNK_PREFIXES) -> int:
    """Copy the weights of ``source``'s layers whose names start with ``prefixes`` into the layers of
    the same name in ``target``; return how many layers were copied. Introduced in chapter 8.1.
    """
    copied = 0
    for layer in source.layers:
        if layer.name.startswith(tuple(prefixes)) and layer.weights:
            try:
                twin = target.get_layer(layer.name)
            except ValueError:
                raise ValueError(f"target model {target.name!r} has no layer {layer.name!r} to receive the trunk") from None
            twin.set_weights(layer.get_weights())
            copied += 1
    if copied == 0:
        raise ValueError(f"no layer of {source.name!r} starts with {prefixes}: is it a conv-trunk model?")
    return copied


def cluttered_curve(cfg, pretrained: bool) -> CachedModel:
    """Return the :class:`~.cache.CachedModel` of chapter 5.3's attention classifier trained on cluttered
    canvases from scratch or, with ``pretrained=True``, from :func:`pretrained_trunk`; ``info`` holds
    the test accuracy and elapsed seconds after each epoch. Introduced in chapter 8.1.
    """
    from .zoo import cluttered_data, cluttered_sizes

    epochs = cluttered_sizes(cfg.profile)["epochs"]
    trunk = pretrained_trunk(cfg).model if pretrained else None

    def train():
        train_set, test_set = cluttered_data(cfg.profile, cfg.seed)
        return _train_attention(train_set, test_set, epochs, cfg.seed, init=trunk)

    return cached_model("cluttered-attention-curve", train, seed=cfg.seed, profile=cfg.profile,
                        params={"pretrained": bool(pretrained), "epochs": epochs})


def epochs_to_accuracy(val_accuracy, target: float) -> int | None:
    """Return the first epoch (1-based) whose accuracy in ``val_accuracy`` reaches ``target``, or None.

    Introduced in chapter 8.1.
    """
    valid.probability(target, "target")
    acc = valid.array(val_accuracy, "val_accuracy", ndim=1)
    hits = np.nonzero(acc >= target)[0]
    return int(hits[0]) + 1 if len(hits) else None
