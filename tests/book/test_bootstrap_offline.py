"""The Colab bootstrap, proven offline: one chapter, alone in an empty folder, in a kernel without
the library, fetches the repository, installs the library and passes its hidden checks.

Nothing is downloaded. The "repository" is a local git repository holding a snapshot of this
working tree (tracked files plus untracked, non-ignored ones, so uncommitted work is tested
too), and the kernel runs in a fresh virtual environment that sees the book's dependencies
(TensorFlow, Keras, ...) through a folder of links that leaves ``elastic_attention`` out.
``PIP_NO_INDEX=1`` keeps pip off the network; the bootstrap builds with the setuptools that is
already there (``--no-build-isolation``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT

CHAPTER = ROOT / "book" / "05_1_environment.ipynb"
BRANCH = "main"
MISSING_MARKER = "bootstrap: elastic_attention is missing"
KERNEL_NAME = "ea-bootstrap-test"
GIT = ["git", "-c", "user.name=bootstrap test", "-c", "user.email=bootstrap@example.invalid", "-c", "commit.gpgsign=false"]


def run(cmd, **kwargs) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


def snapshot_repository(dest: Path) -> Path:
    """Return a git repository at ``dest`` whose branch ``main`` holds the working tree's files."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT).split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():  # deleted but not yet committed files are skipped
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    run([*GIT, "init", "-q", "-b", BRANCH], cwd=dest)
    run([*GIT, "add", "-A"], cwd=dest)
    run([*GIT, "commit", "-q", "-m", "snapshot for the bootstrap test"], cwd=dest)
    return dest


def bare_venv(dest: Path) -> Path:
    """Return the python of a new venv that sees this environment's packages except ``elastic_attention``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(dest)], check=True)
    python = dest / "bin" / "python"
    venv_site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    # Links to every installed distribution but ours: a .pth file then puts the folder on sys.path
    # without running the .pth files inside it (among them our editable install's finder).
    deps = dest / "deps"
    deps.mkdir()
    here = {Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}
    for site_dir in here:
        for entry in site_dir.iterdir():
            name = entry.name.lower()
            if name.startswith(("elastic_attention", "__editable__", "__pycache__")) or name.endswith(".pth"):
                continue
            link = deps / entry.name
            if not link.exists():
                link.symlink_to(entry)
    (venv_site / "book_dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    return python


def kernel_env(repo: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "EA_", "PYTHON", "VIRTUAL_ENV", "JPY_"))}
    env.update(
        EA_REPO_URL=repo.as_uri(),
        EA_REPO_REF=BRANCH,
        EA_PROFILE="quick",
        EA_SEED="0",
        PIP_NO_INDEX="1",  # never download: the test must pass without a network
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONHASHSEED="0",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    return env


def outputs_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.extend(str(v) for v in out.get("data", {}).values())
        parts.extend(out.get("traceback", []))
    return "".join(parts)


def test_setuptools_can_build_offline():
    from importlib.metadata import version

    major = int(version("setuptools").split(".")[0])
    assert major >= 77, (
        f"setuptools {version('setuptools')} cannot build the library offline (pyproject.toml needs >= 77): "
        "run `make install` (requirements-common.txt pins it)"
    )


@pytest.mark.notebook
@pytest.mark.timeout(180)
def test_chapter_bootstraps_alone_without_the_library(tmp_path):
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    if shutil.which("git") is None:
        pytest.fail("git is needed: the bootstrap clones the repository")
    repo = snapshot_repository((tmp_path / "origin").resolve())
    python = bare_venv(tmp_path / "venv")
    env = kernel_env(repo)

    # Before: the kernel's python has TensorFlow and Keras but no elastic_attention.
    probe = "import importlib.util as u; print([u.find_spec(m) is None for m in ('elastic_attention', 'tensorflow', 'keras')])"
    assert run([str(python), "-c", probe], env=env, cwd=tmp_path).strip() == "[True, False, False]"

    kernels = tmp_path / "kernels" / KERNEL_NAME
    kernels.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "bare", "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels.parent)]))

    work = tmp_path / "alone"
    work.mkdir()
    shutil.copy2(CHAPTER, work / CHAPTER.name)
    assert sorted(p.name for p in work.iterdir()) == [CHAPTER.name]
    nb = nbformat.read(work / CHAPTER.name, as_version=4)
    client = NotebookClient(nb, km=km, timeout=240, resources={"metadata": {"path": str(work)}})
    client.execute(env=env, cwd=str(work))  # raises CellExecutionError if any cell, hidden checks included, fails

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert MISSING_MARKER in outputs_text(code[0]), outputs_text(code[0])
    assert (work / "attention-elasticity-bootcamp" / "data" / "MANIFEST.sha256").is_file()

    # After: pip installed the clone into the kernel's venv (a new interpreter imports it from there).
    where = run([str(python), "-c", "import elastic_attention as ea; print(ea.__file__)"], env=env, cwd=tmp_path)
    assert Path(where.strip()).resolve().is_relative_to((work / "attention-elasticity-bootcamp").resolve()), where
    # and the book's own environment still uses this working tree.
    ours = run([sys.executable, "-c", "import elastic_attention as ea; print(ea.__file__)"], cwd=tmp_path)
    assert Path(ours.strip()).resolve().is_relative_to(ROOT), ours


def test_chapters_ask_colab_for_a_gpu_and_carry_the_configured_repository():
    import yaml

    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"].get("accelerator") == "GPU", f"{path.name}: Colab would not offer a GPU runtime"
        assert nb["metadata"].get("colab", {}).get("gpuType"), f"{path.name}: no colab.gpuType in the metadata"
        first = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
        assert f'"{repo["url"]}"' in first and f'"{repo["branch"]}"' in first, f"{path.name}: bootstrap not stamped from _config.yml"
        assert "--no-deps" in first and "EA_REPO_URL" in first and "EA_DATA_DIR" in first


def test_stamp_fills_the_template_from_the_config(tmp_path):
    from scripts import stamp_bootstrap

    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/some-course/fork\n  branch: spring-term\n", encoding="utf-8")
    source = stamp_bootstrap.template_source(config)
    assert source.startswith(stamp_bootstrap.MARKER) and "{{" not in source
    assert '"https://github.com/some-course/fork"' in source and '"spring-term"' in source
    compile(source, "bootstrap", "exec")  # the stamped cell is valid Python
    config.write_text("repository:\n  url: ''\n  branch: main\n", encoding="utf-8")
    with pytest.raises(ValueError, match="repository.url"):
        stamp_bootstrap.template_source(config)
    with pytest.raises(ValueError, match="unknown placeholder"):
        stamp_bootstrap.render("{{ repository.nope }}", {"repository.url": "x"})
