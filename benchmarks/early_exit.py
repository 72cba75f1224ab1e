"""Elastic inference: an early exit against always running the whole network, side by side.

A classifier for cluttered digits (chapter 5.3's trunk) gets two exits: a cheap one after two
conv stages (global average pooling on the 10x10 map) and the attention exit after the third.
Both are trained jointly. At inference the cheap exit answers every canvas on which its softmax
confidence reaches a threshold; only the rest run the third stage and the attention exit. The
script prints, for several thresholds, accuracy, the share of canvases that left early, and
images/s against the full network, measured in one run on the same test canvases.

Usage: python benchmarks/early_exit.py [--seed 0] [--epochs 6] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

import elastic_attention as ea  # noqa: E402


def conv_block(i: int, filters: int = 32) -> list:
    return [layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}"),
            layers.BatchNormalization(momentum=0.9, name=f"bn{i}"), layers.ReLU(name=f"relu{i}"),
            layers.MaxPooling2D(2, name=f"pool{i}")]


def apply(stack: list, x):
    for layer in stack:
        x = layer(x)
    return x


def build(input_shape=(40, 40, 1)):
    """Return ``(joint, stem, early, late)``: a two-output training model and three inference parts."""
    stem_layers = conv_block(1) + conv_block(2)
    early_layers = [layers.GlobalAveragePooling2D(name="early_gap"), layers.Dense(10, name="early_logits")]
    late_block = conv_block(3)
    pool = ea.layers.AttentionPooling(name="attention_pool")
    late_head = layers.Dense(10, name="late_logits")

    image = keras.Input(input_shape)
    mid = apply(stem_layers, image)
    joint = keras.Model(image, [apply(early_layers, mid), late_head(pool(apply(late_block, mid)))], name="two_exits")

    stem = keras.Model(image, mid, name="stem")
    mid_in = keras.Input(mid.shape[1:])
    early = keras.Model(mid_in, apply(early_layers, mid_in), name="early_exit")
    late = keras.Model(mid_in, late_head(pool(apply(late_block, mid_in))), name="late_exit")
    return joint, stem, early, late


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict_full(stem, late, images):
    return late(stem(images, training=False), training=False).numpy().argmax(axis=1), len(images)


def predict_elastic(stem, early, late, images, threshold: float):
    """Return predictions and how many canvases needed the late exit."""
    mid = stem(images, training=False)
    probs = softmax(early(mid, training=False).numpy())
    pred = probs.argmax(axis=1)
    hard = np.flatnonzero(probs.max(axis=1) < threshold)
    if len(hard):
        pred[hard] = late(keras.ops.take(mid, hard, axis=0), training=False).numpy().argmax(axis=1)
    return pred, len(hard)


def timed(fn, repeats: int):
    fn()  # trace once outside the timing
    start = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    return out, (time.perf_counter() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.7, 0.9, 0.99])
    args = parser.parse_args()
    cfg = ea.runtime.setup(profile="quick", seed=args.seed)
    train = ea.data.make_cluttered("train", copies=3, seed=cfg.seed)
    test = ea.data.make_cluttered("test", copies=3, seed=cfg.seed)

    joint, stem, early, late = build()
    steps = int(np.ceil(len(train) / 64))
    joint.compile(optimizer=keras.optimizers.Adam(ea.training.cosine_schedule(1e-2, args.epochs, steps)),
                  loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True)] * 2)
    data = ea.training.arrays_dataset(train.images, train.labels, 64, shuffle=True).map(lambda x, y: (x, (y, y)))
    joint.fit(data, epochs=args.epochs, verbose=0, shuffle=False)

    (full_pred, _), full_s = timed(lambda: predict_full(stem, late, test.images), args.repeats)
    full_acc = float((full_pred == test.labels).mean())
    (early_pred, _), early_s = timed(lambda: predict_elastic(stem, early, late, test.images, 0.0), args.repeats)
    n = len(test)
    print(f"\n{n} test canvases, {args.epochs} epochs, seed {cfg.seed}, {cfg.device}, mean of {args.repeats} runs")
    print(f"{'inference':<22}{'accuracy':>9}{'left early':>11}{'img/s':>9}{'speed-up':>9}")
    print(f"{'full network':<22}{full_acc:>9.3f}{0:>10.0%}{n / full_s:>9,.0f}{1.0:>8.2f}x")
    early_acc = float((early_pred == test.labels).mean())
    print(f"{'early exit only':<22}{early_acc:>9.3f}{1:>10.0%}{n / early_s:>9,.0f}{full_s / early_s:>8.2f}x")
    for threshold in args.thresholds:
        (pred, hard), s = timed(lambda t=threshold: predict_elastic(stem, early, late, test.images, t), args.repeats)
        acc = float((pred == test.labels).mean())
        print(f"{f'early exit, p >= {threshold}':<22}{acc:>9.3f}{1 - hard / n:>10.0%}{n / s:>9,.0f}{full_s / s:>8.2f}x")


if __name__ == "__main__":
    main()
