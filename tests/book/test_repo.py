"""Conventions of the book's sources: clean notebooks, current bootstrap cells, chapter skeleton."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, toc_files

CHAPTERS = [p for p in toc_files() if p.suffix == ".ipynb"]


def test_toc_lists_only_existing_files():
    missing = [str(p) for p in toc_files() if not p.exists()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_in_book_is_in_the_toc():
    listed = set(CHAPTERS)
    unlisted = [p.name for p in (ROOT / "book").glob("*.ipynb") if p not in listed]
    assert not unlisted, f"notebooks not in _toc.yml: {unlisted}"


def test_notebooks_stored_without_outputs():
    result = subprocess.run([sys.executable, "-m", "scripts.clean_notebooks", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cleaning_gives_line_lists_and_stable_unique_ids():
    from scripts.clean_notebooks import clean

    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Title\n\ntext"},
                    {"cell_type": "markdown", "metadata": {}, "source": "# Title\n\ntext"},
                    {"cell_type": "code", "id": "kept", "metadata": {"tags": ["remove-cell"], "x": 1},
                     "source": ["1"], "outputs": [{"output_type": "stream"}], "execution_count": 3}]}
    cleaned = clean(nb)
    assert cleaned["cells"][0]["source"] == ["# Title\n", "\n", "text"]
    ids = [cell["id"] for cell in cleaned["cells"]]
    assert len(set(ids)) == 3 and ids[2] == "kept" and clean(nb) == cleaned
    assert cleaned["cells"][2]["outputs"] == [] and cleaned["cells"][2]["metadata"] == {"tags": ["remove-cell"]}


def test_bootstrap_cells_are_current():
    result = subprocess.run([sys.executable, "-m", "scripts.stamp_bootstrap", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_skeleton(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "Learning objectives" in markdown and "Estimated time" in markdown, f"{path.name}: no objectives/time estimate"
    assert "## Summary" in markdown and "## Exercises" in markdown, f"{path.name}: no Summary/Exercises"
    assert markdown.count("{exercise}") >= 3, f"{path.name}: fewer than 3 exercises"
    assert markdown.count("{solution-start}") >= markdown.count("{exercise}"), f"{path.name}: an exercise lacks a solution"
    assert "ea.runtime.setup(" in "".join(code[1]["source"]), f"{path.name}: second code cell must call ea.runtime.setup()"
    checks = [c for c in code if "remove-cell" in c["metadata"].get("tags", [])]
    checking = ("assert", "pytest.raises", "np.testing.")
    assert checks and all(any(k in "".join(c["source"]) for k in checking) for c in checks), (
        f"{path.name}: every check cell must assert something"
    )
    for word in (" just ", " simply ", " easily "):
        assert word not in markdown.lower(), f"{path.name}: avoid the word {word.strip()!r}"


def test_manifest_matches_generator(tmp_path):
    """scripts/make_digits.py reproduces the shipped data byte for byte."""
    result = subprocess.run([sys.executable, "-m", "scripts.make_digits", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    shipped = [line for line in (ROOT / "data" / "MANIFEST.sha256").read_text().splitlines() if "  digits/" in line]
    assert (tmp_path / "MANIFEST.sha256").read_text().splitlines() == shipped


def test_chapter_template_has_every_part():
    """templates/chapter.ipynb is the skeleton DEVELOPERS.md tells a new chapter to start from."""
    nb = json.loads((ROOT / "templates" / "chapter.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]).startswith("# Bootstrap (stamped from templates/bootstrap_cell.py")
    assert "ea.runtime.setup()" in "".join(code[1]["source"])
    for part in ("**Learning objectives.**", "**Estimated time:**", "## Summary", "## Exercises", "{exercise}",
                 "{solution-start}", ":class: dropdown", "{solution-end}"):
        assert part in text, f"the chapter template lacks {part}"
    assert any("remove-cell" in c["metadata"].get("tags", []) for c in code), "no hidden check cell"
    assert "Adding a chapter" in (ROOT / "DEVELOPERS.md").read_text(encoding="utf-8")
