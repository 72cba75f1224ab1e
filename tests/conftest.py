"""Shared test set-up: the quick profile, quiet TensorFlow, markers, and the book's files."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("EA_PROFILE", "quick")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.filterwarnings("ignore", message=".*type could not be converted.*", category=UserWarning)


def pytest_configure(config):
    config.addinivalue_line("markers", "notebook: executes a chapter of the book (quick profile)")
    config.addinivalue_line("markers", "site: checks the built site in _build/html (run after `make book`)")


def toc_files() -> list[Path]:
    """Return the chapter files that `_toc.yml` lists, in order."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries: list[str] = [toc["root"]]

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
    found = []
    for entry in entries:
        for suffix in (".ipynb", ".md"):
            path = ROOT / f"{entry}{suffix}"
            if path.exists():
                found.append(path)
                break
        else:
            found.append(ROOT / entry)  # reported as missing by test_repo
    return found


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
