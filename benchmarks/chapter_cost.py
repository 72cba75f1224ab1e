"""What the book costs to run: every chapter in `_toc.yml`, executed in the quick profile.

Executes each notebook listed in `_toc.yml` with nbclient (a fresh kernel per chapter, the same
way `jupyter-book` executes them), measures wall-clock seconds, and prints the per-chapter times,
the whole-book total and PASS/FAIL against two targets: no chapter over 90 s and the whole book
within 15 minutes on two CPU cores. Nothing is asserted: the numbers depend on the machine and on
what else runs on it, so the script also records the load average.

Writes `book/build_status.md` (the "Build status" page) and `benchmarks/results/chapter_cost.json`.
Usage: python -m benchmarks.chapter_cost [--seed 0] [--extra book/NEW.ipynb ...] [--no-write]
       python -m benchmarks.chapter_cost --from-junit REPORT.xml [RERUN.xml ...]   (the times of a notebook-test run:
       `pytest -m notebook tests/book/test_notebooks.py --junitxml REPORT.xml`, which executes the
       same chapters the same way, so one run both checks and times the book)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from elastic_attention.train import artifacts  # noqa: E402  (imports no TensorFlow)
from scripts.booktoc import toc_notebooks as listed  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

CHAPTER_LIMIT_S = 90.0
BOOK_LIMIT_S = 15 * 60.0
PAGE = ROOT / "book" / "build_status.md"
RESULTS = ROOT / "benchmarks" / "results" / "chapter_cost.json"


def toc_notebooks() -> list[Path]:
    """Return the notebooks `_toc.yml` lists, in reading order."""
    return listed(ROOT)


def package_version(*names: str) -> str:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def run_notebook(path: Path, timeout: int) -> dict:
    """Execute one notebook in a fresh kernel; return its seconds, status and the load around it."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    status, error = "ok", ""
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as exc:
        status, error = "error", str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else type(exc).__name__
    seconds = time.perf_counter() - start
    return {"chapter": path.stem, "path": path.relative_to(ROOT).as_posix(), "seconds": round(seconds, 1),
            "status": status, "error": error, "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2)}


def from_junit(paths: list[Path], notebooks: list[Path]) -> list[dict]:
    """Return chapter results read from pytest JUnit reports of tests/book/test_notebooks.py (a
    chapter found in several reports takes its time and status from the last one: a rerun)."""
    import xml.etree.ElementTree as ET

    cases = {}
    for case in (c for path in paths for c in ET.parse(path).getroot().iter("testcase")):
        name = case.get("name", "")
        if name.startswith("test_notebook_executes["):
            failed = case.find("failure") is not None or case.find("error") is not None
            cases[name[len("test_notebook_executes["):-1]] = (float(case.get("time", 0)), failed)
    missing = [p.stem for p in notebooks if p.stem not in cases]
    if missing:
        raise SystemExit(f"{paths}: no notebook test for {missing}; run the notebook tests on the whole toc first")
    load = round(os.getloadavg()[0], 2)
    return [{"chapter": p.stem, "path": p.relative_to(ROOT).as_posix(), "seconds": round(cases[p.stem][0], 1),
             "status": "error" if cases[p.stem][1] else "ok", "error": "", "load_before": load, "load_after": load}
            for p in notebooks]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render_page(report: dict) -> str:
    """Return the MyST markdown of the Build status page."""
    m = report["machine"]
    rows = "\n".join(
        f"| {r['chapter']} | {r['seconds']:.1f}{'' if r['status'] == 'ok' else ' (failed)'} | {report['profile']} "
        f"| {report['date']} |"
        for r in report["chapters"]
    )
    t = report["targets"]
    load_note = (
        f"The machine was shared while measuring (load average up to {report['max_load']:.1f} on "
        f"{m['cores']} cores), so these times are upper bounds for an idle machine."
        if report["max_load"] > m["cores"] else
        f"The load average stayed at or below the core count ({report['max_load']:.1f} on {m['cores']} cores)."
    )
    return f"""# Build status

What it costs to execute this book: every chapter run from a fresh kernel in the
`{report['profile']}` profile with seed {report['seed']}, {report.get('source', 'timed by `benchmarks/chapter_cost.py`')}.
This page is generated; do not edit it by hand.

| chapter | seconds | profile | date |
|---|---:|---|---|
{rows}

**Total:** {report['total_seconds']:.1f} s ({report['total_seconds'] / 60:.1f} min) for {len(report['chapters'])} chapters.

| target | limit | measured | result |
|---|---:|---:|---|
| slowest chapter | {t['chapter_limit_s']:.0f} s | {t['slowest_s']:.1f} s | {verdict(t['chapters_pass'])} |
| whole book | {t['book_limit_s'] / 60:.0f} min | {report['total_seconds'] / 60:.1f} min | {verdict(t['book_pass'])} |

**Machine:** {m['cores']} CPU cores, {m['platform']}, Python {m['python']}, TensorFlow {m['tensorflow']},
Keras {m['keras']}. {load_note}

## How to regenerate

From the repository root, after `make install`:

```bash
.venv/bin/python -m benchmarks.chapter_cost
```

It rewrites this page and `benchmarks/results/chapter_cost.json` (per-chapter seconds, status and
load averages). `EA_PROFILE` is set to `quick` and `EA_SEED` to the `--seed` argument for every
chapter; close other heavy programs first for numbers that describe the book rather than the
machine's other work.
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    parser.add_argument("--extra", nargs="*", default=[], help="notebooks to time in addition to the toc")
    parser.add_argument("--no-write", action="store_true", help="print only; write neither page nor JSON")
    parser.add_argument("--from-junit", type=Path, nargs="+",
                        help="read the times of notebook-test runs (later reports override) instead of running")
    args = parser.parse_args(argv)

    os.environ["EA_PROFILE"] = "quick"
    os.environ["EA_SEED"] = str(args.seed)
    notebooks = toc_notebooks()
    for extra in args.extra:
        path = (ROOT / extra).resolve()
        if not path.is_file() or path.suffix != ".ipynb":
            parser.error(f"--extra {extra}: no such notebook; pass a path like book/05_5_resilience.ipynb")
        if path not in notebooks:
            notebooks.append(path)
    if not notebooks:
        parser.error("_toc.yml lists no notebooks")

    chapters = []
    for path in notebooks:
        result = from_junit(args.from_junit, [path])[0] if args.from_junit else run_notebook(path, args.timeout)
        chapters.append(result)
        flag = verdict(result["seconds"] <= CHAPTER_LIMIT_S and result["status"] == "ok")
        print(f"{result['chapter']:<28} {result['seconds']:7.1f} s  {flag}  (load {result['load_before']:.1f}"
              f"->{result['load_after']:.1f}){'  ' + result['error'] if result['error'] else ''}", flush=True)

    total = sum(r["seconds"] for r in chapters)
    slowest = max(r["seconds"] for r in chapters)
    chapters_pass = slowest <= CHAPTER_LIMIT_S and all(r["status"] == "ok" for r in chapters)
    book_pass = total <= BOOK_LIMIT_S
    report = {
        "source": ("timed by the notebook tests (pytest-notebook, kernel start-up included; read from "
                   "their JUnit report by `benchmarks/chapter_cost.py --from-junit`), starting with an empty "
                   "model cache, as in CI") if args.from_junit else "timed by `benchmarks/chapter_cost.py`",
        "profile": "quick",
        "seed": args.seed,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "chapters": chapters,
        "total_seconds": round(total, 1),
        "max_load": max(max(r["load_before"], r["load_after"]) for r in chapters),
        "targets": {"chapter_limit_s": CHAPTER_LIMIT_S, "book_limit_s": BOOK_LIMIT_S, "slowest_s": slowest,
                    "chapters_pass": chapters_pass, "book_pass": book_pass},
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(terse=True),
                    "python": platform.python_version(),
                    "tensorflow": package_version("tensorflow-cpu", "tensorflow", "tensorflow-gpu"),
                    "keras": package_version("keras")},
    }
    print(f"{'total':<28} {total:7.1f} s  ({total / 60:.1f} min)")
    print(f"target: every chapter <= {CHAPTER_LIMIT_S:.0f} s: {verdict(chapters_pass)} (slowest {slowest:.1f} s)")
    print(f"target: whole book <= {BOOK_LIMIT_S / 60:.0f} min: {verdict(book_pass)}")
    if report["max_load"] > report["machine"]["cores"]:
        print(f"note: measured under load (load average up to {report['max_load']:.1f} on {os.cpu_count()} cores)")
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        artifacts.save_json(report, RESULTS)
        artifacts.write_text_atomic(PAGE, render_page(report))
        print(f"wrote {PAGE.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
