"""Stamp the Colab bootstrap cell from templates/bootstrap_cell.py into every chapter.

The template's ``{{ repository.url }}`` and ``{{ repository.branch }}`` are filled from the
``repository`` block of ``_config.yml``, the single place that names the repository (the
launch buttons read it too). The bootstrap is each notebook's first code cell, tagged
hide-input and hide-output.

Usage: python -m scripts.stamp_bootstrap [--check]
With --check nothing is written; the exit status is 1 when a chapter carries a stale copy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from elastic_attention.train.artifacts import write_text_atomic
from scripts.clean_notebooks import dumps

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE = ROOT / "templates" / "bootstrap_cell.py"
CONFIG = ROOT / "_config.yml"
MARKER = "# Bootstrap (stamped from templates/bootstrap_cell.py"
TAGS = ["hide-input", "hide-output"]
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_.]+)\s*\}\}")


def repository_settings(config_path: Path = CONFIG) -> dict[str, str]:
    """Return ``{"repository.url": ..., "repository.branch": ...}`` read from ``_config.yml``."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    repo = config.get("repository") or {}
    url, branch = str(repo.get("url") or "").strip(), str(repo.get("branch") or "").strip()
    if not re.match(r"^(https://|git@|file://)", url):
        raise ValueError(f"{config_path.name}: repository.url must be a git URL (https://...), got {url!r}")
    if not branch or any(c.isspace() for c in branch):
        raise ValueError(f"{config_path.name}: repository.branch must name a branch, got {branch!r}")
    return {"repository.url": url, "repository.branch": branch}


def render(template: str, values: dict[str, str]) -> str:
    """Return ``template`` with every ``{{ name }}`` replaced; unknown names are an error."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"{TEMPLATE.name}: unknown placeholder {{{{ {name} }}}}; known: {sorted(values)}")
        return values[name]

    return PLACEHOLDER.sub(fill, template)


def template_source(config_path: Path = CONFIG) -> str:
    """Return the bootstrap cell's source, filled from ``_config.yml``."""
    source = render(TEMPLATE.read_text(encoding="utf-8"), repository_settings(config_path)).rstrip("\n")
    if not source.startswith(MARKER):
        raise ValueError(f"{TEMPLATE.name} must start with the marker line {MARKER!r}")
    return source


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
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a chapter is stale")
    args = parser.parse_args(argv)
    try:
        source = template_source()
    except ValueError as err:
        print(err)
        return 2
    stale, broken = [], []
    for path in [*sorted((ROOT / "book").glob("*.ipynb")), ROOT / "templates" / "chapter.ipynb"]:
        nb = json.loads(path.read_text(encoding="utf-8"))
        try:
            nb, changed = stamp(nb, source)
        except ValueError as err:
            print(f"{path.relative_to(ROOT)}: {err}")
            broken.append(path)
            continue
        if changed:
            stale.append(path)
            if not args.check:
                write_text_atomic(path, dumps(nb))
    if args.check and stale:
        for path in stale:
            print(f"{path.relative_to(ROOT)}: stale bootstrap cell; run `make stamp`")
        return 1
    print(f"{len(stale)} notebooks {'stale' if args.check else 'stamped'}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
