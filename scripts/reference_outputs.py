"""Reference outputs for a lab: the numbers students should see for seeds 0, 1 and 2 (quick profile).

Usage: python -m scripts.reference_outputs [--seeds 0 1 2] [--check]

For each seed it runs what the lab's run-sheet runs (book/instructor_guide.md): chapter 5.3's
attention classifier (through ``ea.train.zoo``, so a chapter run later reuses it) and its
pointing game from chapter 5.4, next to the chance level and the cell-with-the-most-ink baseline.
It writes ``benchmarks/results/reference_outputs.json`` and the table between the
``reference-outputs`` markers in the instructor guide. With ``--check`` nothing is written; the
exit status is 1 when the guide's table does not match the JSON (tests/book/test_reference_outputs.py
runs this check).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "reference_outputs.json"
GUIDE = ROOT / "book" / "instructor_guide.md"
START, END = "<!-- reference-outputs:start -->", "<!-- reference-outputs:end -->"


def measure(seed: int) -> dict:
    """Return the reference numbers for one seed (quick profile, float32 on the CPU)."""
    import numpy as np

    import elastic_attention as ea

    cfg = ea.runtime.setup(profile="quick", seed=seed, verbose=False)
    trained = ea.train.zoo.cluttered_head("attention", cfg)
    _, test = ea.train.zoo.cluttered_data(cfg.profile, cfg.seed)
    _, weights = ea.nn.models.attention_explainer(trained.model).predict(test.images, batch_size=256, verbose=0)
    score, chance = ea.nn.metrics.pointing_game(weights, test.boxes, test.images.shape[1:3])
    # The no-learning baseline: the feature-map cell holding the most ink.
    gh, gw = weights.shape[1:]
    h, w = test.images.shape[1:3]
    ink = test.images[..., 0].reshape(len(test.images), gh, h // gh, gw, w // gw).sum(axis=(2, 4))
    ink_score, _ = ea.nn.metrics.pointing_game(ink, test.boxes, (h, w))
    history = trained.info["history"]
    return {
        "seed": seed,
        "setup": cfg.summary(),
        "attention_test_accuracy": round(float(trained.info["test_accuracy"]), 4),
        "attention_final_train_loss": round(float(history["loss"][-1]), 4),
        "pointing_game": round(float(score), 4),
        "pointing_chance": round(float(chance), 4),
        "pointing_most_ink": round(float(ink_score), 4),
        "peak_weight_median": round(float(np.median(weights.reshape(len(weights), -1).max(axis=1))), 4),
    }


COLUMNS = [
    ("seed", "seed", "{}"),
    ("attention_test_accuracy", "5.3 attention head, test accuracy", "{:.3f}"),
    ("attention_final_train_loss", "5.3 final training loss", "{:.3f}"),
    ("pointing_game", "5.4 pointing game", "{:.3f}"),
    ("pointing_most_ink", "5.4 most-ink baseline", "{:.3f}"),
    ("pointing_chance", "5.4 chance", "{:.3f}"),
    ("peak_weight_median", "5.4 median peak weight", "{:.3f}"),
]


def table(report: dict) -> str:
    """Return the Markdown table of ``report`` (the JSON's content) that the guide shows."""
    lines = ["| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
             "|" + "|".join("---" if key == "seed" else "---:" for key, _, _ in COLUMNS) + "|"]
    for row in report["seeds"]:
        lines.append("| " + " | ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS) + " |")
    lines.append("")
    lines.append(f"Quick profile, {report['machine']}, TensorFlow {report['tensorflow']}, measured {report['date']} by "
                 "`python -m scripts.reference_outputs` (`benchmarks/results/reference_outputs.json`).")
    return "\n".join(lines)


def guide_with(text: str, report: dict) -> str:
    """Return the guide's ``text`` with the table between the markers replaced."""
    if START not in text or END not in text:
        raise ValueError(f"{GUIDE.name} lacks the markers {START} ... {END}: add them where the table goes")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table(report)}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--check", action="store_true", help="only check that the guide shows the JSON's table")
    args = parser.parse_args(argv)
    if args.check:
        guide = GUIDE.read_text(encoding="utf-8")
        report = json.loads(RESULTS.read_text(encoding="utf-8"))
        if guide_with(guide, report) != guide:
            print(f"{GUIDE.relative_to(ROOT)}: the reference table is stale: run python -m scripts.reference_outputs",
                  file=sys.stderr)
            return 1
        return 0
    rows = []
    for seed in args.seeds:  # measure() imports elastic_attention before TensorFlow, which keeps it quiet
        rows.append(measure(seed))
        print(json.dumps(rows[-1]), flush=True)
    import tensorflow as tf

    report = {"profile": "quick", "tensorflow": tf.__version__, "date": date.today().isoformat(),
              "machine": f"{platform.machine()} CPU", "seeds": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    # Read the guide only now: it may have been edited while the seeds ran.
    GUIDE.write_text(guide_with(GUIDE.read_text(encoding="utf-8"), report), encoding="utf-8")
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
