"""Execute every notebook in `_toc.yml` with pytest-notebook, quick profile, outputs ignored.

Notebooks are stored without outputs, so only execution matters: a failing cell, including a
hidden check cell, fails the test. So does TensorFlow's C++ log noise (oneDNN notices, absl's
preamble, ``E0000 ... NodeDef mentions attribute``) in any cell's output (issue 11); the
executed copies that `make book` leaves in _build/jupyter_execute are checked for it too.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import ROOT, toc_files
from tf_noise import notebook_noise

# The chapters, and the skeleton new chapters start from (it must run too).
NOTEBOOKS = [p for p in toc_files() if p.suffix == ".ipynb"] + [ROOT / "templates" / "chapter.ipynb"]
CELL_TIMEOUT_S = 300


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path):
    from pytest_notebook.nb_regression import NBRegressionFixture

    env = dict(os.environ, EA_PROFILE=os.environ.get("EA_PROFILE", "quick"))
    book_cache = _book_cache(path, env)
    if book_cache:
        # What the book build sets (see _ext/offline_assets.py).
        env.update(EA_EXPLORER="html", EA_LAB_SCRIPTS="../_static/tfjs/")
    fixture = NBRegressionFixture(
        exec_timeout=CELL_TIMEOUT_S,
        exec_cwd=str(path.parent),
        exec_env=env,
        diff_ignore=("/cells/*/outputs", "/cells/*/execution_count", "/metadata"),
        diff_use_color=False,
    )
    result = fixture.check(str(path))
    noise = notebook_noise(result.nb_final)
    assert not noise, "TensorFlow log noise in the executed chapter:\n" + "\n".join(noise[:10])
    if book_cache:
        store_in_book_cache(path, result.nb_final, book_cache)


def _book_cache(path, env) -> str | None:
    """Return the jupyter-cache folder to fill, or None.

    `make test` sets EA_BOOK_CACHE to the book's jupyter-cache (_build/.jupyter_cache): a chapter
    that passes here is stored there, and the book build that follows reuses its outputs instead
    of executing it a second time. Only runs the book would make qualify: the seed-0 quick profile
    of a chapter in the toc.
    """
    folder = env.get("EA_BOOK_CACHE")
    qualifies = env.get("EA_PROFILE") == "quick" and env.get("EA_SEED", "0") in ("", "0")
    return folder if folder and qualifies and path.is_relative_to(ROOT / "book") else None


def store_in_book_cache(path, executed, folder: str) -> None:
    """Store ``executed`` (the run of the clean notebook at ``path``) in the jupyter-cache ``folder``,
    keyed as myst-nb keys it: the clean notebook's code cells, their metadata and the kernelspec."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    clean = nbformat.read(str(path), as_version=4)
    code = [c for c in clean.cells if c.cell_type == "code"]
    ran = [c for c in executed.cells if c.cell_type == "code"]
    assert [c.source for c in code] == [c.source for c in ran], "executed notebook does not match its source"
    for cell, done in zip(code, ran, strict=True):
        cell.outputs, cell.execution_count = done.outputs, done.execution_count
    for key in ("language_info", "widgets"):
        if key in executed.metadata:
            clean.metadata[key] = executed.metadata[key]
    cache = get_cache(folder)
    record = cache.cache_notebook_bundle(CacheBundleIn(clean, str(path)), check_validity=False, overwrite=True)
    assert cache.match_cache_notebook(nbformat.read(str(path), as_version=4)).pk == record.pk


EXECUTED = ROOT / "_build" / "jupyter_execute"


@pytest.mark.site
@pytest.mark.parametrize("path", NOTEBOOKS[:-1], ids=[p.stem for p in NOTEBOOKS[:-1]])
def test_executed_copy_has_no_tensorflow_noise(path):
    executed = EXECUTED / path.relative_to(ROOT)
    if not executed.exists():
        pytest.skip(f"no executed copy at {executed.relative_to(ROOT)} (`make book` writes it)")
    noise = notebook_noise(json.loads(executed.read_text(encoding="utf-8")))
    assert not noise, "TensorFlow log noise in the executed chapter:\n" + "\n".join(noise[:10])


def test_toc_has_notebooks():
    assert NOTEBOOKS, "no notebook listed in _toc.yml"
    assert all(p.is_relative_to(ROOT / "book") for p in NOTEBOOKS[:-1])


def test_noise_check_finds_tensorflow_lines_in_outputs():
    """Negative control for the noise checks above: the lines a chapter showed before issue 11."""
    noisy = {"cells": [
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text": "profile=quick seed=0\n"}]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text": [
            "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
            "I0000 00:00:1795968707.400267   24157 port.cc:153] oneDNN custom operations are on.\n"]}]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text":
            "E0000 00:00:1795968761.260353   24157 node_def_util.cc:682] NodeDef mentions attribute "
            "use_unbounded_threadpool which is not in the op definition\n"}]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text":
            "/venv/lib/python3.11/site-packages/keras/src/models/functional.py:238: UserWarning: The "
            "structure of `inputs` doesn't match the expected structure.\n"}]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stdout", "text":
            "The chapter explains what a UserWarning is.\n"}]},
    ]}
    found = notebook_noise(noisy)
    assert [line.split(":")[0] for line in found] == ["cell 1", "cell 1", "cell 2", "cell 3"], found
