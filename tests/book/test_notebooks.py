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
    fixture = NBRegressionFixture(
        exec_timeout=CELL_TIMEOUT_S,
        exec_cwd=str(path.parent),
        exec_env=env,
        diff_ignore=("/cells/*/outputs", "/cells/*/execution_count", "/metadata"),
        diff_use_color=False,
    )
    fixture.check(str(path))


def test_toc_has_notebooks():
    assert NOTEBOOKS, "no notebook listed in _toc.yml"
    assert all(p.is_relative_to(ROOT / "book") for p in NOTEBOOKS[:-1])
