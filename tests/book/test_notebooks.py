"""Execute every notebook in `_toc.yml` with pytest-notebook, quick profile, outputs ignored.

Notebooks are stored without outputs, so only execution matters: a failing cell, including a
hidden check cell, fails the test.
"""

from __future__ import annotations

import os

import pytest
from conftest import ROOT, toc_files

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


def test_toc_has_notebooks():
    assert NOTEBOOKS, "no notebook listed in _toc.yml"
    assert all(p.is_relative_to(ROOT / "book") for p in NOTEBOOKS[:-1])
