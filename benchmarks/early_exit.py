"""Elastic inference: an early exit against always running the whole network, side by side.

A classifier for cluttered digits (chapter 5.3's trunk) gets two exits: a cheap one after two
conv stages (global average pooling on the 10x10 map) and the attention exit after the third.
Both are trained jointly. At inference the cheap exit answers every canvas on which its softmax
confidence reaches a threshold; only the rest run the third stage and the attention exit. The
script prints, for several thresholds, accuracy, the share of canvases that left early, and
images/s against the full network, measured in one run on the same test canvases.

Usage: python -m benchmarks.early_exit [--seed 0] [--epochs 6] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import elastic_attention as ea  # noqa: E402


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

    model = ea.nn.early_exit.early_exit_classifier()
    joint = model.joint
    steps = int(np.ceil(len(train) / 64))
    joint.compile(optimizer=keras.optimizers.Adam(ea.train.loops.cosine_schedule(1e-2, args.epochs, steps)),
                  loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True)] * 2)
    data = ea.train.loops.arrays_dataset(train.images, train.labels, 64, shuffle=True).map(lambda x, y: (x, (y, y)))
    joint.fit(data, epochs=args.epochs, verbose=0, shuffle=False)

    predict_full, predict_elastic = ea.nn.early_exit.predict_full, ea.nn.early_exit.predict_elastic
    full_pred, full_s = timed(lambda: predict_full(model, test.images), args.repeats)
    full_acc = float((full_pred == test.labels).mean())
    (early_pred, _), early_s = timed(lambda: predict_elastic(model, test.images, 0.0), args.repeats)
    n = len(test)
    print(f"\n{n} test canvases, {args.epochs} epochs, seed {cfg.seed}, {cfg.device}, mean of {args.repeats} runs")
    print(f"{'inference':<22}{'accuracy':>9}{'left early':>11}{'img/s':>9}{'speed-up':>9}")
    print(f"{'full network':<22}{full_acc:>9.3f}{0:>10.0%}{n / full_s:>9,.0f}{1.0:>8.2f}x")
    early_acc = float((early_pred == test.labels).mean())
    print(f"{'early exit only':<22}{early_acc:>9.3f}{1:>10.0%}{n / early_s:>9,.0f}{full_s / early_s:>8.2f}x")
    for threshold in args.thresholds:
        (pred, hard), s = timed(lambda t=threshold: predict_elastic(model, test.images, t), args.repeats)
        acc = float((pred == test.labels).mean())
        print(f"{f'early exit, p >= {threshold}':<22}{acc:>9.3f}{1 - hard / n:>10.0%}{n / s:>9,.0f}{full_s / s:>8.2f}x")


if __name__ == "__main__":
    main()
