"""Student notebooks (`make student`, scripts/make_student.py): no solutions, no hidden checks,
every exercise statement kept, and they execute. One chapter (5.1, the quickest) runs in the
normal test run; `make test-student` (EA_STUDENT_ALL=1) runs all of them."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import toc_files
from tf_noise import notebook_noise

from scripts import make_student

CHAPTERS = [p for p in toc_files() if p.suffix == ".ipynb"]
QUICK = {"05_1_environment"}
EXECUTE = CHAPTERS if os.environ.get("EA_STUDENT_ALL") == "1" else [p for p in CHAPTERS if p.stem in QUICK]


def text(nb: dict) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_solutions_and_checks_are_removed_and_placeholders_added():
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# T\n```{exercise}\n:label: ex-a\nDo it.\n```\n\n"
         "```{solution-start} ex-a\n:class: dropdown\n```\nThe answer is 4."},
        {"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": "4"}],
         "execution_count": 3, "source": "print(2 + 2)"},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "outputs": [], "execution_count": 4,
         "source": "assert True"},
        {"cell_type": "markdown", "metadata": {}, "source": "Because.\n```{solution-end}\n```\nAfter the solution."},
        {"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}],
         "execution_count": 5, "source": "x = 1"},
    ]}
    cells = make_student.student_notebook(nb)["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "markdown", "code"]
    assert "Do it." in cells[0]["source"] and "solution" not in cells[0]["source"]
    assert cells[1]["source"] == "# Your answer to ex-a\n"
    assert cells[2]["source"] == "After the solution."
    assert cells[3]["source"] == "x = 1" and cells[3]["outputs"] == [] and cells[3]["execution_count"] is None
    assert "answer is 4" not in text({"cells": cells}) and "2 + 2" not in text({"cells": cells})


def test_an_unclosed_solution_is_a_clear_error():
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "```{solution-start} ex-b\n```\nhalf"}]}
    with pytest.raises(ValueError, match="solution-end"):
        make_student.student_notebook(nb)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_chapter_has_a_student_copy_without_answers(chapter, tmp_path):
    full = json.loads(chapter.read_text(encoding="utf-8"))
    student = json.loads(make_student.write(chapter, tmp_path).read_text(encoding="utf-8"))
    body = text(student)
    assert "{solution-start}" not in body and "{solution-end}" not in body
    assert not [c for c in student["cells"] if "remove-cell" in c.get("metadata", {}).get("tags", [])]
    labels = re.findall(r"```\{exercise\}[^\n]*\n:label: ([\w.-]+)", text(full))
    assert labels, f"{chapter.name} has no exercise"
    for label in labels:
        assert f":label: {label}" in body, f"exercise {label} lost its statement"
        assert f"# Your answer to {label}" in body, f"exercise {label} has no answer cell"
    # What a solution's code printed or computed is gone with it.
    solution_code = [c for c in full["cells"] if c["cell_type"] == "code"
                     and "".join(c["source"]) not in body and "remove-cell" not in c["metadata"].get("tags", [])]
    assert solution_code, f"{chapter.name}: no solution code was removed"
    assert student["cells"][0]["cell_type"] == "markdown"
    assert "Bootstrap (stamped" in body, "the Colab bootstrap must stay"


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", EXECUTE, ids=[p.stem for p in EXECUTE])
def test_student_notebook_executes(chapter, tmp_path):
    from pytest_notebook.nb_regression import NBRegressionFixture

    path = make_student.write(chapter, tmp_path / "student")
    # Run from the chapter's own folder, as the full chapter is.
    fixture = NBRegressionFixture(
        exec_timeout=300, exec_cwd=str(chapter.parent),
        exec_env=dict(os.environ, EA_PROFILE=os.environ.get("EA_PROFILE", "quick")),
        diff_ignore=("/cells/*/outputs", "/cells/*/execution_count", "/metadata"), diff_use_color=False)
    result = fixture.check(str(path))
    assert not notebook_noise(result.nb_final)
