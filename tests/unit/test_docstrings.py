"""Every public name of the library says, in its docstring, which chapter introduces it, and that
chapter is in `_toc.yml` (d2l's "Defined in :numref:" convention)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from conftest import ROOT, toc_files

CHAPTER = re.compile(r"\b[Cc]hapters? (\d+)(?:\.(\d+))?")


def toc_chapters(files: list[Path]) -> set[str]:
    """Return the chapter numbers the toc holds: "4" for book/04_math, "5" and "5.2" for book/05_2_x."""
    found = set()
    for path in files:
        m = re.match(r"(\d+)(?:_(\d+))?_", path.name)
        if m:
            found.add(str(int(m.group(1))))
            if m.group(2):
                found.add(f"{int(m.group(1))}.{int(m.group(2))}")
    return found


def public_names():
    for path in sorted((ROOT / "elastic_attention").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        module = importlib.import_module(name)
        yield name, None, module
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.ismodule(obj):
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                if obj.__module__ != name:
                    continue  # a re-export: checked where it is defined
                yield name, attr, obj


def cited_chapter(obj) -> tuple[str, str | None] | None:
    doc = inspect.getdoc(obj) or ""
    m = CHAPTER.search(doc)
    return (m.group(1), m.group(2)) if m else None


def test_public_names_name_their_chapter():
    known = toc_chapters(toc_files())
    missing, unknown = [], []
    for module, attr, obj in public_names():
        if attr is None and not inspect.getdoc(obj):
            missing.append(module)
            continue
        if attr is None or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        where = f"{module}.{attr}"
        cited = cited_chapter(obj)
        if cited is None:
            missing.append(where)
        elif (f"{cited[0]}.{cited[1]}" if cited[1] else cited[0]) not in known:
            unknown.append(f"{where} (chapter {'.'.join(c for c in cited if c)})")
    assert not missing, f"docstrings that name no chapter: {missing}"
    assert not unknown, f"docstrings that name a chapter _toc.yml does not list: {unknown}"


def test_every_module_lists_its_public_names():
    """`__all__` is what the docstring test reads, so every module (but the re-exporting data package) declares it."""
    lacking = [name for name, attr, module in public_names() if attr is None and not hasattr(module, "__all__")]
    assert not lacking, lacking


def test_toc_chapters_are_read_from_file_names():
    assert toc_chapters([Path("book/04_math.ipynb"), Path("book/05_2_x.ipynb"), Path("book/intro.md")]) == {"4", "5", "5.2"}
    assert CHAPTER.search("Introduced in chapter 5.4 (results)").groups() == ("5", "4")
