"""The structure, learning-rate and weight-decay search of chapter 3.7, for seeds 0-2.

Every configuration gets the same budget: 15 epochs of Adam at a constant rate, batch 64, on four
fifths of the shipped training digits, scored on the remaining fifth (a different fifth per seed,
``ea.train.optim.digit_splits``). The test digits play no part. The structure grid crosses the
small model families of chapter 3.2 with their width and the learning rate; the configuration
with the best mean validation accuracy over the seeds is chosen (ties: the first in grid order).
For the chosen configuration, the coupled decay of the seed's rule (added to the gradient, then
Adam) and Keras's decoupled ``AdamW`` each get the same four-value grid of ``weight_decay``, and
each learning-rate schedule of ``ea.train.optim.SCHEDULES`` gets the grid's learning rates as its
peak (the constant schedule's scores are the grid's own cells).

Results: ``benchmarks/results/optim_sweep.json``; chapter 3.7 reads them and re-runs one cell.

Usage: python -m benchmarks.optim_sweep [--seeds 0 1 2] [--part all|grid|schedules]
(``schedules`` reads the grid's choice from the results file and adds its scores to it.)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import elastic_attention as ea  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "optim_sweep.json"
EPOCHS = 15
SPACE = {"kind": ["mlp", "cnn", "transformer"], "width": [16, 32, 64], "learning_rate": [3e-3, 1e-2, 3e-2]}
DECAY = {"coupled": [1e-5, 1e-4, 1e-3, 1e-2], "decoupled": [1e-3, 1e-2, 1e-1, 1.0]}


def key(kind: str, width: int, learning_rate: float) -> str:
    """Return the results key of one structure-grid cell, e.g. ``"mlp 32 0.01"``."""
    return f"{kind} {width} {learning_rate:g}"


def optimizer(style: str, learning_rate: float, weight_decay: float):
    """Return ``(Keras optimizer, coupled decay)`` for ``style`` ``"none"``, ``"coupled"`` or ``"decoupled"``."""
    if style == "decoupled":
        return keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay), 0.0
    return keras.optimizers.Adam(learning_rate), (weight_decay if style == "coupled" else 0.0)


def score(splits, kind: str, width: int, learning_rate: float, seed: int, style: str = "none",
          weight_decay: float = 0.0, schedule: str = "constant") -> float:
    """Return the validation accuracy of one configuration for one seed."""
    steps = EPOCHS * (len(splits["fit"][0]) // 64)  # train_classifier's batches per epoch, batch 64
    rate = ea.train.optim.learning_rate_schedule(schedule, learning_rate, steps)
    opt, coupled = optimizer(style, rate, weight_decay)
    build = lambda: ea.nn.architectures.small_model(kind, width=width)  # noqa: E731
    return ea.train.optim.fit_and_score(build, splits, opt, EPOCHS, seed, weight_decay=coupled)["val_accuracy"]


def choose(runs: dict) -> dict:
    """Return the grid cell with the best mean over the seeds in ``runs`` (ties: first in grid order)."""
    cells = [dict(zip(SPACE, v, strict=True)) for v in itertools.product(*SPACE.values())]
    means = [float(np.mean([runs[s][key(**c)] for s in runs])) for c in cells]
    return {**cells[int(np.argmax(means))], "mean": max(means)}


def schedules(record: dict, seeds: list[int]) -> None:
    """Add ``schedules`` (seed -> {"<schedule> <peak>": score}) and ``schedule_choice`` to ``record``."""
    cell = {k: record["choice"][k] for k in ("kind", "width")}
    runs = record.setdefault("schedules", {})
    for seed in seeds:
        splits = ea.train.optim.digit_splits(seed)
        runs[str(seed)] = {f"{name} {lr:g}": (record["runs"][str(seed)][key(learning_rate=lr, **cell)]
                                              if name == "constant" else
                                              score(splits, seed=seed, learning_rate=lr, schedule=name, **cell))
                           for name in ea.train.optim.SCHEDULES for lr in SPACE["learning_rate"]}
        print(f"seed {seed} schedules: {runs[str(seed)]}", flush=True)
    record["schedule_choice"] = {
        name: max(SPACE["learning_rate"], key=lambda lr, name=name: np.mean([runs[s][f"{name} {lr:g}"] for s in runs]))
        for name in ea.train.optim.SCHEDULES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--part", choices=("all", "grid", "schedules"), default="all")
    args = parser.parse_args()
    ea.runtime.setup(profile="quick", seed=args.seeds[0], verbose=False)
    if args.part == "schedules":
        record = json.loads(RESULTS.read_text())
        start = time.perf_counter()
        schedules(record, args.seeds)
        record["schedule_seconds"] = time.perf_counter() - start
        RESULTS.write_text(json.dumps(record, indent=2) + "\n")
        print("schedule choice:", record["schedule_choice"])
        return
    start = time.perf_counter()
    runs = {}
    for seed in args.seeds:
        splits = ea.train.optim.digit_splits(seed)
        rows = ea.train.optim.grid_search(SPACE, lambda **c: score(splits, seed=seed, **c))  # noqa: B023
        runs[str(seed)] = {key(r["kind"], r["width"], r["learning_rate"]): r["score"] for r in rows}
        print(f"seed {seed}: best {ea.train.optim.best_config(rows)}", flush=True)
    choice = choose(runs)
    cell = {k: choice[k] for k in SPACE}
    decay = {}
    for seed in args.seeds:
        splits = ea.train.optim.digit_splits(seed)
        decay[str(seed)] = {f"{style} {wd:g}": score(splits, seed=seed, style=style, weight_decay=wd, **cell)
                            for style, grid in DECAY.items() for wd in grid}
        print(f"seed {seed} decay: {decay[str(seed)]}", flush=True)
    decay_choice = {style: max(grid, key=lambda wd, style=style: np.mean([decay[s][f"{style} {wd:g}"] for s in decay]))
                    for style, grid in DECAY.items()}
    record = {"epochs": EPOCHS, "space": SPACE, "decay_grid": DECAY, "runs": runs, "choice": choice,
              "decay": decay, "decay_choice": decay_choice, "seconds": time.perf_counter() - start}
    if args.part == "all":
        start = time.perf_counter()
        schedules(record, args.seeds)
        record["schedule_seconds"] = time.perf_counter() - start
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print("choice:", choice, "decay choice:", decay_choice)


if __name__ == "__main__":
    main()
