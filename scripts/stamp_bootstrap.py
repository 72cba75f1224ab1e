"""Stamp the Colab bootstrap cell from templates/bootstrap_cell.py into every chapter.

The bootstrap is each notebook's first code cell, tagged hide-input and hide-output.
Usage: python scripts/stamp_bootstrap.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "bootstrap_cell.py"
MARKER = "# Bootstrap (stamped from templates/bootstrap_cell.py"
TAGS = ["hide-input", "hide-output"]


def template_source() -> str:
    return TEMPLATE.read_text(encoding="utf-8").rstrip("\n")


def stamp(nb: dict, source: str) -> tuple[dict, bool]:
    """Return the notebook with its bootstrap cell set to ``source``, and whether it changed."""
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first = code_cells[0] if code_cells else None
    lines = source.splitlines(keepends=True)
    if first is not None and "".join(first["source"]).startswith(MARKER):
        changed = "".join(first["source"]) != source or first["metadata"].get("tags") != TAGS
        first["source"] = lines
        first["metadata"]["tags"] = TAGS
        return nb, changed
    raise ValueError("the first code cell is not a bootstrap cell: add one (copy templates/bootstrap_cell.py)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    source = template_source()
    stale = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        try:
            nb, changed = stamp(nb, source)
        except ValueError as err:
            print(f"{path.relative_to(ROOT)}: {err}")
            stale.append(path)
            continue
        if changed:
            stale.append(path)
            if not args.check:
                tmp = path.with_suffix(".ipynb.tmp")
                tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
                tmp.replace(path)
    if args.check and stale:
        for path in stale:
            print(f"{path.relative_to(ROOT)}: stale bootstrap cell; run `make stamp`")
        return 1
    print(f"{len(stale)} notebooks {'stale' if args.check else 'stamped'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
