"""The learning-rate sweep behind ``ea.train.loops.HEAD_LEARNING_RATES`` (chapter 5.3).

Every head gets the same grid (``ea.train.loops.LR_GRID``) and the same budget: chapter 5.3's
quick-profile run (3 canvases per training digit, 6 epochs, cosine decay, batch 64). A rate is
scored by the accuracy on *fresh canvases of the training digits* (another canvas seed), so the
test canvases play no part in the choice. The chosen rate of a head is the one with the best mean
score over the seeds run; ties go to the smaller rate. The full profile reuses these rates.

Results go to ``benchmarks/results/lr_sweep.json`` (merged with what is there, so seeds can run
one at a time); ``tests/unit/train`` checks that ``HEAD_LEARNING_RATES`` equals its choice.

Usage: python -m benchmarks.lr_sweep [--seeds 0 1 2] [--heads attention gap gmp flatten]
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

RESULTS = Path(__file__).resolve().parent / "results" / "lr_sweep.json"
VALIDATION_SEED_OFFSET = 1000  # the validation canvases' seed: seed + this, never a test canvas


def score(head: str, lr: float, seed: int, train, validation, epochs: int) -> float:
    """Return the validation accuracy of ``head`` trained at ``lr`` for one seed."""
    keras.utils.set_random_seed(seed)
    result = ea.train.loops.train_cluttered_head(head, train, validation, epochs=epochs, learning_rate=lr, verbose=0)
    return result.test_accuracy


def choose(runs: dict) -> dict:
    """Return {head: rate} with the best mean accuracy over the seeds in ``runs`` (ties: smaller rate)."""
    heads = sorted({h for per_seed in runs.values() for h in per_seed})
    choice = {}
    for head in heads:
        table = [runs[s][head] for s in runs if head in runs[s]]
        rates = sorted({float(r) for row in table for r in row}, key=float)
        means = {r: float(np.mean([row[str(r)] for row in table if str(r) in row])) for r in rates}
        choice[head] = max(rates, key=lambda r: (round(means[r], 6), -r))
    return choice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--heads", nargs="+", default=list(ea.nn.models.HEADS))
    parser.add_argument("--rates", type=float, nargs="+", default=list(ea.train.loops.LR_GRID))
    args = parser.parse_args()
    sizes = ea.train.zoo.cluttered_sizes("quick")
    record = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    record.update({"profile": "quick", "grid": list(ea.train.loops.LR_GRID), "epochs": sizes["epochs"],
                   "copies": sizes["copies"], "validation": "1 canvas per training digit, seed + 1000"})
    runs = record.setdefault("runs", {})
    for seed in args.seeds:
        cfg = ea.runtime.setup(profile="quick", seed=seed, verbose=False)
        train = ea.data.make_cluttered("train", copies=sizes["copies"], seed=seed)
        validation = ea.data.make_cluttered("train", copies=1, seed=seed + VALIDATION_SEED_OFFSET)
        for head in args.heads:
            for lr in args.rates:
                acc = score(head, lr, seed, train, validation, sizes["epochs"])
                runs.setdefault(str(seed), {}).setdefault(head, {})[str(lr)] = round(acc, 4)
                print(f"seed {seed} {head:>9} lr {lr:<6g} validation accuracy {acc:.4f} ({cfg.device})", flush=True)
                record["choice"] = choose(runs)
                RESULTS.parent.mkdir(exist_ok=True)
                RESULTS.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print("chosen rates (best mean over seeds " + ", ".join(sorted(runs)) + "):", record["choice"])


if __name__ == "__main__":
    main()
