"""Student notebooks: every chapter without its solutions and hidden check cells, into _build/student/.

Usage: python -m scripts.make_student [--out DIR] [NOTEBOOK ...]   (or `make student`)

For each chapter in ``_toc.yml`` (or the notebooks named), the student copy keeps the prose, the
code, the Colab bootstrap and each exercise's statement; it drops every cell tagged
``remove-cell`` (the hidden checks), everything between ``{solution-start}`` and
``{solution-end}`` (prose and code cells alike), and all outputs. An empty code cell headed
``# Your answer to <label>`` takes each solution's place. The copies keep the chapters' folder
layout (``_build/student/book/…``) so that a chapter finds the repository's files as the full one
does. ``tests/book/test_student.py`` executes them.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "student"
START = re.compile(r"```\{solution-start\}\s*([\w.-]*)[^\n]*\n(?::[\w-]+:[^\n]*\n)*```[^\n]*\n?")
END = re.compile(r"```\{solution-end\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*```[^\n]*\n?")
HIDDEN_TAGS = {"remove-cell"}


def _code_cell(source: str, cell_id: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {}, "outputs": [], "source": source}


def _markdown_cell(source: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source}


def student_notebook(nb: dict) -> dict:
    """Return a copy of the notebook dict ``nb`` without solutions, hidden check cells and outputs.

    Raises ValueError when a ``{solution-start}`` has no matching ``{solution-end}``.
    """
    out = copy.deepcopy(nb)
    cells: list[dict] = []
    in_solution: str | None = None
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell["cell_type"] != "markdown":
            if in_solution is None:
                cells.append({**copy.deepcopy(cell), "source": source, "outputs": [], "execution_count": None}
                             if cell["cell_type"] == "code" else copy.deepcopy(cell))
            continue
        kept = []
        while source:
            if in_solution is None:
                match = START.search(source)
                if match is None:
                    kept.append(source)
                    break
                kept.append(source[:match.start()])
                in_solution = match.group(1) or "this exercise"
                source = source[match.end():]
            else:
                match = END.search(source)
                if match is None:
                    break  # the rest of this cell is solution
                text = "".join(kept).strip("\n")
                if text:
                    cells.append(_markdown_cell(text, f"student-{len(cells)}"))
                kept = []
                cells.append(_code_cell(f"# Your answer to {in_solution}\n", f"student-{len(cells)}"))
                in_solution = None
                source = source[match.end():]
        text = "".join(kept).strip("\n")
        if text:
            cells.append(_markdown_cell(text, cell.get("id") or f"student-{len(cells)}"))
    if in_solution is not None:
        raise ValueError(f"solution {in_solution!r} has a {{solution-start}} but no {{solution-end}}: close it")
    out["cells"] = cells
    ids = [c["id"] for c in cells if "id" in c]
    if len(ids) != len(set(ids)):  # a split cell reused its id: number them all afresh
        for n, c in enumerate(cells):
            if "id" in c:
                c["id"] = f"student-{n}"
    return out


def write(chapter: Path, out: Path) -> Path:
    """Write the student copy of ``chapter`` under ``out`` (keeping its path below the repository) and return it."""
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    try:
        rel = chapter.resolve().relative_to(ROOT)
    except ValueError:
        rel = Path(chapter.name)
    dest = out / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.write_text(json.dumps(student_notebook(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    from scripts.booktoc import toc_notebooks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapters (default: every chapter in _toc.yml)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    chapters = [p.resolve() for p in args.notebooks] or toc_notebooks(ROOT)
    missing = [str(p) for p in chapters if not p.is_file()]
    if missing:
        print(f"no such notebook: {missing}", file=sys.stderr)
        return 2
    for chapter in chapters:
        try:
            dest = write(chapter, args.out.resolve())
        except ValueError as err:
            print(f"{chapter.name}: {err}", file=sys.stderr)
            return 1
        print(dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
