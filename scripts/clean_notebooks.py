"""Store the book's notebooks clean: no outputs, no execution counts, normalized metadata, sources
stored as lists of lines, and a stable id on every cell (nbformat 4.5 requires one).

Usage: python -m scripts.clean_notebooks [--check] [NOTEBOOK ...]
With --check nothing is written; the exit status is 1 when a notebook needs cleaning.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from elastic_attention.train.artifacts import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
    # Colab opens chapters on a GPU runtime when one is available.
    "accelerator": "GPU",
    "colab": {"provenance": [], "gpuType": "T4"},
}
CELL_KEYS = {"tags"}


def clean(nb: dict) -> dict:
    """Return a cleaned copy of a notebook dict."""
    out = dict(nb)
    out["metadata"] = NOTEBOOK_METADATA
    cells = []
    for cell in nb.get("cells", []):
        cell = dict(cell)
        if isinstance(cell.get("source"), str):  # nbformat allows both; one form keeps diffs line-sized
            cell["source"] = cell["source"].splitlines(keepends=True)
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in CELL_KEYS}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if not cell.get("attachments"):
            cell.pop("attachments", None)
        cells.append(cell)
    taken = {cell["id"] for cell in cells if cell.get("id")}
    for index, cell in enumerate(cells):
        if not cell.get("id"):  # derived from content and place, so a re-run gives the same id
            seed = f"{index}:{''.join(cell.get('source', []))}"
            new_id = hashlib.sha1(seed.encode("utf-8")).hexdigest()[:8]
            while new_id in taken:
                new_id = hashlib.sha1(new_id.encode()).hexdigest()[:8]
            cell["id"] = new_id
            taken.add(new_id)
    out["cells"] = cells
    return out


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or [
        *sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts),
        ROOT / "templates" / "chapter.ipynb",
    ]
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        cleaned = dumps(clean(json.loads(text)))
        if cleaned != text:
            dirty.append(path)
            if not args.check:
                write_text_atomic(path, cleaned)
    if args.check and dirty:
        for path in dirty:
            print(f"{path.resolve().relative_to(ROOT)}: stored with outputs, execution counts or extra metadata; run `make clean-notebooks`")
        return 1
    print(f"{len(paths)} notebooks {'checked' if args.check else 'cleaned'}, {len(dirty)} {'dirty' if args.check else 'rewritten'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
