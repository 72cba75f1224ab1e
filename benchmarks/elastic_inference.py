"""Elastic inference, measured: look-then-glimpse and the early exit against the full model.

For each seed, on the same test canvases (a paired comparison), the script measures chapter 5.3's
full-resolution attention model, the look-then-glimpse pipeline of chapter 3.5 and an early exit
after two stages attached to the full model (its trunk and attention exit frozen, only the exit
trained): accuracy, FLOPs per canvas (counted from the model graphs) and wall time per batch. The
exit's learning rate is swept on validation canvases (``exit_head_sweep`` in the results; the
library's ``EXIT_HEAD_LEARNING_RATE`` must be the best mean). Each elastic method's operating point (crop size, thresholds) is chosen on validation
canvases of held-out training digits by the same rule: the cheapest point within 0.2 point of the
method's best validation accuracy. Both methods get the same threshold grid. The test canvases
never choose anything. For contrast, an early exit after the *first* block on the shipped plain
digits: its curve (accuracy / share of FLOPs per threshold) on the test digits and the point chosen
on held-out training digits. The last line summarizes the glimpse pipeline over the seeds.

Usage: python -m benchmarks.elastic_inference [--seeds 0 1 2] [--profile quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import elastic_attention as ea  # noqa: E402
from elastic_attention.nn import glimpse as G  # noqa: E402
from elastic_attention.train import elastic as E  # noqa: E402

SIZES = (20, 24)
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0)
SECOND_BELOW = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0)
LOCATOR_WEIGHTS = (0.0, 0.5, 1.0)
PLAIN_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
TOLERANCE = 0.002


def seconds(fn, repeats: int) -> float:
    fn()  # warm-up: traces and allocates outside the timing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def plain_early_exit(cfg) -> dict:
    """The early exit after the first block on the shipped plain digits: its curve on the test
    digits and the point chosen on the held-out training digits."""
    parts, _ = E.plain_early_exit_model(cfg)
    digits = E.plain_digits()
    full_flops = G.count_flops(parts.stem) + G.count_flops(parts.late)
    val = ea.nn.early_exit.exit_curve(parts, *digits["val"], PLAIN_THRESHOLDS)
    test = ea.nn.early_exit.exit_curve(parts, *digits["test"], PLAIN_THRESHOLDS)
    full_accuracy = float((ea.nn.early_exit.predict_full(parts, digits["test"][0]) == digits["test"][1]).mean())
    chosen = E.choose_operating_point(val, TOLERANCE)
    return {"full_accuracy": full_accuracy, "full_flops": full_flops, "curve": test,
            "chosen": test[PLAIN_THRESHOLDS.index(chosen["threshold"])]}


def run_seed(seed: int, profile: str, repeats: int) -> dict:
    cfg = ea.runtime.setup(profile=profile, seed=seed, verbose=False)
    data = E.elastic_data(cfg.profile, cfg.seed)
    val, test = data["val"], data["test"]
    full = ea.train.zoo.cluttered_head("attention", cfg).model
    full_flops = G.count_flops(full)
    full_pred = G.run_batched(full, test.images).argmax(1)
    locator = E.locator_model(cfg).model
    glimpses = {size: E.glimpse_model(cfg, size).model for size in SIZES}

    points = []
    for size, model in glimpses.items():
        out = G.all_outputs(locator, model, val.images)
        for t in THRESHOLDS:
            for sb in SECOND_BELOW:
                for lw in LOCATOR_WEIGHTS:
                    pred, flops = G.combine(out, t, sb, lw)
                    points.append({"size": size, "threshold": t, "second_below": sb, "locator_weight": lw,
                                   "accuracy": float((pred == val.labels).mean()), "flops": flops})
    chosen = E.choose_operating_point(points, TOLERANCE)
    glimpse = glimpses[chosen["size"]]
    rule = (chosen["threshold"], chosen["second_below"], chosen["locator_weight"])
    result = G.look_then_glimpse(locator, glimpse, test.images, *rule)
    check_pred, check_flops = G.combine(G.all_outputs(locator, glimpse, test.images), *rule)
    assert np.array_equal(check_pred, result.predictions) and abs(check_flops - result.flops) < 1e-6

    exit_head_sweep = {}
    for lr in E.EXIT_HEAD_LEARNING_RATES:  # the exit alone answering every validation canvas
        exit_alone = ea.nn.early_exit.exit_curve(E.early_exit_model(cfg, lr)[0], val.images, val.labels, (0.0,))
        exit_head_sweep[str(lr)] = exit_alone[0]["accuracy"]
    parts, _ = E.early_exit_model(cfg)
    ee_chosen = E.choose_operating_point(ea.nn.early_exit.exit_curve(parts, val.images, val.labels, THRESHOLDS),
                                         TOLERANCE)
    ee_pred, late_count = ea.nn.early_exit.predict_elastic(parts, test.images, ee_chosen["threshold"])
    ee_flops = sum(G.count_flops(m) for m in (parts.stem, parts.early)) + G.count_flops(parts.late) * late_count / len(ee_pred)

    full_s = seconds(lambda: G.run_batched(full, test.images), repeats)
    glimpse_s = seconds(lambda: G.look_then_glimpse(locator, glimpse, test.images, *rule), repeats)
    locator_s = seconds(lambda: G.run_batched(locator, G.downsample(test.images)), repeats)
    ee_s = seconds(lambda: ea.nn.early_exit.predict_elastic(parts, test.images, ee_chosen["threshold"]), repeats)

    y = test.labels
    full_right, glimpse_right, ee_right = full_pred == y, result.predictions == y, ee_pred == y
    return {
        "seed": seed, "n_test": len(y), "n_val": len(val.labels),
        "full": {"accuracy": float(full_right.mean()), "flops": full_flops, "seconds": full_s},
        "glimpse": {"accuracy": float(glimpse_right.mean()), "flops": result.flops, "seconds": glimpse_s,
                    "locator_flops": G.count_flops(locator), "locator_seconds": locator_s,
                    "glimpsed": float(result.glimpsed.mean()), "second": float(result.second.mean()),
                    "chosen": chosen, "lost": int((full_right & ~glimpse_right).sum()),
                    "won": int((~full_right & glimpse_right).sum())},
        "early_exit": {"accuracy": float(ee_right.mean()), "flops": float(ee_flops), "seconds": ee_s,
                       "chosen": ee_chosen, "lost": int((full_right & ~ee_right).sum()),
                       "won": int((~full_right & ee_right).sum())},
        "exit_head_sweep": exit_head_sweep,
        "plain_early_exit": plain_early_exit(cfg),
    }


def best_exit_rate(rows: list[dict]) -> float:
    """The exit-head learning rate with the highest mean validation accuracy over the seeds (the
    smaller rate on a tie)."""
    rates = rows[0]["exit_head_sweep"]
    return float(max(rates, key=lambda lr: (round(float(np.mean([r["exit_head_sweep"][lr] for r in rows])), 12),
                                            -float(lr))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        start = time.perf_counter()
        r = run_seed(seed, args.profile, args.repeats)
        rows.append(r)
        f = r["full"]
        print(f"\nseed {seed}: {r['n_test']} test canvases, {r['n_val']} validation canvases, "
              f"{time.perf_counter() - start:.0f} s")
        print(f"{'method':<16}{'accuracy':>9}{'change':>9}{'FLOPs':>8}{'saved':>7}{'time':>7}{'lost/won':>10}  chosen on validation")
        print(f"{'full model':<16}{f['accuracy']:>9.4f}{'':>9}{1:>8.3f}{0:>7.0%}{1:>6.2f}x")
        for name, key in (("look+glimpse", "glimpse"), ("early exit", "early_exit")):
            m = r[key]
            share = m["flops"] / f["flops"]
            print(f"{name:<16}{m['accuracy']:>9.4f}{100 * (m['accuracy'] - f['accuracy']):>+8.2f}p{share:>8.3f}"
                  f"{1 - share:>7.0%}{m['seconds'] / f['seconds']:>6.2f}x{m['lost']:>5}/{m['won']:<4}  "
                  f"{ {k: v for k, v in m['chosen'].items() if k not in ('accuracy', 'flops', 'late')} }")
        g = r["glimpse"]
        print(f"  locator: {g['locator_flops'] / f['flops']:.1%} of the FLOPs, {g['locator_seconds'] / f['seconds']:.1%} "
              f"of the time; glimpse ran on {g['glimpsed']:.1%} of canvases, a second glimpse on {g['second']:.1%}")
        print("  exit alone on validation canvases, by learning rate: "
              + ", ".join(f"{lr}: {acc:.4f}" for lr, acc in r["exit_head_sweep"].items()))
        p = r["plain_early_exit"]
        print(f"  early exit after the first block, plain digits (full model {p['full_accuracy']:.4f}): " + ", ".join(
            f"t={q['threshold']:g} {q['accuracy']:.4f}/{q['flops'] / p['full_flops']:.2f}" for q in p["curve"])
              + f"; chosen on held-out digits t={p['chosen']['threshold']:g}: saved "
              f"{1 - p['chosen']['flops'] / p['full_flops']:.0%}, {100 * (p['chosen']['accuracy'] - p['full_accuracy']):+.2f} points")
    if args.json:
        ea.train.artifacts.write_text_atomic(args.json, json.dumps(rows, indent=1))
    change = np.array([100 * (r["glimpse"]["accuracy"] - r["full"]["accuracy"]) for r in rows])
    saved = np.mean([1 - r["glimpse"]["flops"] / r["full"]["flops"] for r in rows])
    ee_change = np.array([100 * (r["early_exit"]["accuracy"] - r["full"]["accuracy"]) for r in rows])
    ee_saved = np.mean([1 - r["early_exit"]["flops"] / r["full"]["flops"] for r in rows])
    plain = [r["plain_early_exit"] for r in rows]
    print(f"\nplain digits, early exit after the first block: saved "
          f"{np.mean([1 - p['chosen']['flops'] / p['full_flops'] for p in plain]):.0%} of FLOPs at "
          f"{np.mean([100 * (p['full_accuracy'] - p['chosen']['accuracy']) for p in plain]):.2f} point mean accuracy loss")
    print(f"exit head learning rate, best mean validation accuracy: {best_exit_rate(rows):g} "
          f"(library: {E.EXIT_HEAD_LEARNING_RATE:g})")
    print(f"early exit: saved {ee_saved:.0%} of FLOPs at {-ee_change.mean():.2f} point mean accuracy loss "
          f"(worst seed {ee_change.min():+.2f} points)")
    met = saved >= 0.75 and -change.mean() <= 0.5 and change.min() >= -1.0
    if met:
        print(f"saved {saved:.0%} of FLOPs at <= 0.5 point mean accuracy loss (worst seed {change.min():+.2f} points)")
    else:
        print(f"TARGET NOT MET: saved {saved:.0%} of FLOPs at {-change.mean():.2f} point mean accuracy loss "
              f"(worst seed {change.min():+.2f} points)")


if __name__ == "__main__":
    main()
