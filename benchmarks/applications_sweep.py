"""Equal tuning budget for chapter 6: every model and its baselines over the same grid, per seed.

Each attention model and each baseline of chapter 6's case studies is trained once per learning
rate of ``LEARNING_RATE_GRID`` (the logistic-regression baseline of 6.4 gets as many values of its
regularisation ``C``; the traffic controllers get 16 settings each) on the training data of the
given seeds (0-2 by default, as committed), and scored on a validation split carved from that training data (never the test data). The
rate with the best summed score is what ``APP_LEARNING_RATES`` and ``nn.traffic`` hold.

Usage: python -m benchmarks.applications_sweep [--cases click intent fraud mil tabular traffic] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

import elastic_attention as ea  # noqa: E402
from elastic_attention.nn import applications as app  # noqa: E402
from elastic_attention.train import applications as tapp  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "applications_sweep.json"


def sweep(build, x, y, score, seed, settings, multiclass=False, grid=tapp.LEARNING_RATE_GRID):
    """Return {rate: validation score} for one model: train on a seeded 75% of (x, y), score on the rest."""
    n = len(y)
    tr, va = tapp.split_validation(n, seed=seed)
    pick = (lambda v, idx: [p[idx] for p in v]) if isinstance(x, list) else (lambda v, idx: v[idx])
    fit_one = lambda m, lr: tapp.train_app(m, pick(x, tr), y[tr], lr, settings["epochs"], settings["batch_size"],  # noqa: E731
                                           multiclass=multiclass)
    _, scores = tapp.tune_learning_rate(build, fit_one, lambda m: score(y[va], tapp.predict_logits(m, pick(x, va))),
                                        grid=grid, seed=seed)
    return scores


def case_click(seed):
    s = tapp.case_settings("click")
    d = ea.data.make_clicks(s["train"], seed=seed)
    return {p: sweep(lambda p=p: app.click_model(d.num_items, d.history.shape[1], p).model, [d.history, d.candidates],
                     d.labels, roc_auc_score, seed, s) for p in app.POOLINGS["click"]}


def case_intent(seed):
    s = tapp.case_settings("intent")
    texts, labels = ea.data.load_intents("train")
    tok, bag = ea.data.vectorizers(texts)
    inputs = {"attention": (tok(texts).numpy(), tok.vocabulary_size()), "bow": (bag(texts).numpy(), bag.vocabulary_size())}
    accuracy = lambda y, logits: float((logits.argmax(1) == y).mean())  # noqa: E731
    return {p: sweep(lambda p=p: app.intent_model(inputs[p][1], len(ea.data.INTENT_NAMES), p).model, inputs[p][0],
                     labels, accuracy, seed, s, multiclass=True) for p in app.POOLINGS["intent"]}


def case_fraud(seed):
    s = tapp.case_settings("fraud")
    d = ea.data.make_transactions(s["train"], seed=seed)
    return {p: sweep(lambda p=p: app.fraud_model(d.x.shape[1], d.x.shape[2], p).model, d.x, d.labels,
                     average_precision_score, seed, s) for p in app.POOLINGS["fraud"]}


def case_mil(seed):
    s = tapp.case_settings("mil")
    d = ea.data.make_bags("train", max(s["train"]), seed=seed)
    return {p: sweep(lambda p=p: app.mil_model(d.x.shape[1], pooling=p).model, d.x, d.labels, roc_auc_score, seed, s)
            for p in app.POOLINGS["mil"]}


def case_tabular(seed):
    from sklearn.linear_model import LogisticRegression

    s = tapp.case_settings("tabular")
    # Tune inside the chapter's training part only; its test part stays unseen.
    d = ea.data.breast_cancer_split(seed)
    tr, va = tapp.split_validation(len(d.y_train), seed=seed)
    out = {"attention": sweep(lambda: app.feature_attention_model(d.x_train.shape[1]).model, d.x_train, d.y_train,
                              roc_auc_score, seed, s)}
    x, y = d.x_train, d.y_train
    out["logistic"] = {c: float(roc_auc_score(y[va], LogisticRegression(C=c, max_iter=5000).fit(x[tr], y[tr])
                                              .decision_function(x[va]))) for c in tapp.LOGISTIC_C_GRID}
    return out


def case_traffic(seed):
    from elastic_attention.nn import traffic

    greens = [(a, b) for a in (5, 10, 15, 20) for b in (5, 10, 15, 20)]
    settings = [(t, m) for t in (0.5, 1.0, 2.0, 4.0) for m in (3, 5, 8, 12)]
    # Lower mean wait is better: store minus the wait so that "higher is better" as elsewhere.
    wait = lambda c: -ea.data.simulate(c, seed=100 + seed).mean_wait  # noqa: E731
    return {"fixed": {str(g): wait(traffic.FixedTimeController(g)) for g in greens},
            "attention": {str(s): wait(traffic.AttentionController(*s)) for s in settings}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["traffic", "tabular", "intent", "fraud", "mil", "click"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    for case in args.cases:
        per_seed = {}
        for seed in args.seeds:
            ea.runtime.setup(profile="quick", seed=seed, verbose=False)
            keras.utils.set_random_seed(seed)
            per_seed[str(seed)] = globals()[f"case_{case}"](seed)
        best = {}
        for model in per_seed[str(args.seeds[0])]:
            totals = {}
            for scores in per_seed.values():
                for setting, value in scores[model].items():
                    totals[str(setting)] = totals.get(str(setting), 0.0) + value
            best[model] = max(totals, key=totals.get)
            print(f"{case:>8} {model:>9}: best {best[model]} (" + ", ".join(
                f"{k}: {v / len(per_seed):.3f}" for k, v in totals.items()) + ")", flush=True)
        # Re-read before writing, so that sweeps of other cases run in parallel keep their results.
        results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
        results[case] = {"seeds": args.seeds, "scores": per_seed, "best": best}
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
