"""Equal-budget learning-rate sweeps for chapters 3.1 and 3.2: every model gets the same grid.

Each candidate (the seed CNN plain or behind the rotation augmenter; each small architecture)
trains on four fifths of the shipped training digits and is scored on the remaining fifth, which is
unshifted: the test digits and the shifts are never seen while tuning. Writes
``benchmarks/results/<which>_sweep.json`` with every score and the best rate per candidate.

Usage: python -m benchmarks.sweep augment|architectures [--seed 0] [--epochs 20]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import elastic_attention as ea  # noqa: E402

GRID = (1e-3, 3e-3, 1e-2)
RESULTS = Path(__file__).resolve().parent / "results"


def builders(which: str, seed: int) -> dict:
    """Return ``{candidate name: model builder}`` for the sweep ``which``."""
    if which == "augment":
        rotate = lambda: ea.nn.augment.augmenter(rotation=30, translation=0.0, zoom=0.0, seed=seed)  # noqa: E731
        return {"plain": ea.nn.models.seed_cnn,
                "augmented": lambda: ea.nn.augment.with_augmentation(ea.nn.models.seed_cnn(), rotate())}
    return {kind: (lambda kind=kind: ea.nn.architectures.small_model(kind)) for kind in ea.nn.architectures.ARCHITECTURES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("augment", "architectures"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    ea.runtime.setup(profile="quick", seed=args.seed, verbose=False)
    x, y, _ = ea.data.load_digit_arrays("train")
    x = (x / 255.0).astype("float32")[..., None]
    order = np.random.default_rng(args.seed).permutation(len(x))
    val, fit_idx = order[: len(x) // 5], order[len(x) // 5 :]
    scores, best = {}, {}
    for name, build in builders(args.which, args.seed).items():
        for lr in GRID:
            keras.utils.set_random_seed(args.seed)
            model = ea.train.loops.compile_classifier(build(), lr)
            ea.train.loops.fit(model, (x[fit_idx], y[fit_idx]), epochs=args.epochs, batch_size=64, verbose=0)
            acc = float(model.evaluate(x[val], y[val], verbose=0)[1])
            scores[f"{name} {lr:g}"] = acc
            print(f"{name:12s} lr={lr:g} validation accuracy {acc:.4f}", flush=True)
        best[name] = max(GRID, key=lambda lr, name=name: scores[f"{name} {lr:g}"])
    out = {"seed": args.seed, "epochs": args.epochs, "grid": GRID, "scores": scores, "best": best}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.which}_sweep.json").write_text(json.dumps(out, indent=2) + "\n")
    print("best:", best)


if __name__ == "__main__":
    main()
