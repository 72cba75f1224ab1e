"""The chapters `_toc.yml` lists, for the book's tooling (tests, benchmarks, slides).

Usage: ``from scripts.booktoc import toc_paths`` with the repository root as the working folder
(scripts run as ``python -m scripts.<name>``; pytest puts the root on ``sys.path``).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def toc_entries(root: Path = ROOT) -> list[str]:
    """Return the ``file:`` entries of ``_toc.yml`` (root first), in reading order, without suffix."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries: list[str] = [toc["root"]] if toc.get("root") else []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return entries


def toc_paths(root: Path = ROOT) -> list[Path]:
    """Return each toc entry's file (``.ipynb`` or ``.md``); a missing one is returned suffix-less."""
    found = []
    for entry in toc_entries(root):
        for suffix in (".ipynb", ".md"):
            path = root / f"{entry}{suffix}"
            if path.exists():
                found.append(path)
                break
        else:
            found.append(root / entry)
    return found


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Return the ``.ipynb`` chapters that ``_toc.yml`` lists, in reading order."""
    return [p for p in toc_paths(root) if p.suffix == ".ipynb"]
