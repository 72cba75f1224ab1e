"""Attention pooling against global average and max pooling and flatten, per seed, side by side.

Chapter 5.3 runs one seed; this script runs several and, optionally, harder canvases (more
clutter, a larger canvas), printing test accuracy per head, the margins, the pointing game and
its strict chance level. Quick-profile settings: 3 canvases per training digit, 6 epochs.

Usage: python -m benchmarks.attention_vs_pooling [--seeds 0 1 2] [--clutter 4 8] [--canvas 40]
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import elastic_attention as ea  # noqa: E402


def run_seed(seed: int, clutter: tuple[int, int], canvas: int, copies: int, epochs: int) -> dict:
    """Return test accuracies of every head and the attention head's pointing game for one seed."""
    ea.runtime.setup(profile="quick", seed=seed, verbose=False)
    train = ea.data.make_cluttered("train", canvas_size=canvas, clutter=clutter, copies=copies, seed=seed)
    test = ea.data.make_cluttered("test", canvas_size=canvas, clutter=clutter, copies=3, seed=seed)
    row = {"seed": seed}
    for head in ea.nn.models.HEADS:
        keras.utils.set_random_seed(seed)
        result = ea.train.loops.train_cluttered_head(head, train, test, epochs=epochs, verbose=0)
        row[head] = result.test_accuracy
        row[f"{head}_s"] = result.run.seconds
        if head == "attention":
            _, weights = ea.nn.models.attention_explainer(result.model).predict(test.images, batch_size=256, verbose=0)
            row["pointing"], row["chance"] = ea.nn.metrics.pointing_game(weights, test.boxes, test.images.shape[1:3])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--clutter", type=int, nargs=2, default=[4, 8])
    parser.add_argument("--canvas", type=int, default=40)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    print(f"canvas {args.canvas}x{args.canvas}, clutter {args.clutter[0]}-{args.clutter[1]} fragments, "
          f"{args.copies} canvases per training digit, {args.epochs} epochs")
    rivals = [h for h in ea.nn.models.HEADS if h != "attention"]
    print(f"{'seed':>4} {'attention':>9} " + " ".join(f"{h:>7}" for h in rivals) + " "
          + " ".join(f"{'att-' + h:>9}" for h in rivals) + f" {'pointing':>8} {'chance':>6} {'s/model':>7}")
    rows = []
    for seed in args.seeds:
        r = run_seed(seed, tuple(args.clutter), args.canvas, args.copies, args.epochs)
        rows.append(r)
        seconds = sum(r[f"{h}_s"] for h in ea.nn.models.HEADS) / len(ea.nn.models.HEADS)
        print(f"{seed:>4} {r['attention']:>9.3f} " + " ".join(f"{r[h]:>7.3f}" for h in rivals) + " "
              + " ".join(f"{100 * (r['attention'] - r[h]):>+8.1f}p" for h in rivals)
              + f" {r['pointing']:>8.3f} {r['chance']:>6.3f} {seconds:>7.1f}", flush=True)
    for h in rivals:
        margins = [100 * (r["attention"] - r[h]) for r in rows]
        print(f"margin over {h}: min {min(margins):+.1f}, max {max(margins):+.1f} points over {len(rows)} seeds")

if __name__ == "__main__":
    main()
