"""The package's shape: modules stay small, JavaScript lives in real files shipped as package data."""

from __future__ import annotations

import ast
import tomllib

from conftest import ROOT

PACKAGE = ROOT / "elastic_attention"
MAX_LINES = 350
JS_MARKERS = ("function(", "addEventListener", "document.getElementById", "=>{")


def test_no_module_over_the_line_limit():
    long = {p.relative_to(ROOT).as_posix(): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by topic): {long}"


def test_no_javascript_inside_python_strings():
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(m in node.value for m in JS_MARKERS):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"JavaScript in Python strings (move it to views/assets/*.js): {found}"


def test_view_assets_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["elastic_attention.views"]
    assets = sorted((PACKAGE / "views" / "assets").iterdir())
    assert assets, "no explorer assets"
    for asset in assets:
        assert any(asset.match(p) for p in patterns), f"{asset.name} would not be installed with the package"


def test_the_checks_above_can_fail(tmp_path):
    """Negative control: a string with JavaScript in it is what the marker search finds."""
    source = 'JS = "(function(){document.getElementById(\'x\')})()"\n'
    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant))
    assert any(m in node.value for m in JS_MARKERS)


def test_every_submodule_is_reachable_from_its_package():
    """`ea.nn.early_exit` works only if the subpackage's lazy `__all__` names the file."""
    import importlib

    for init in PACKAGE.glob("*/__init__.py"):
        package = importlib.import_module(f"elastic_attention.{init.parent.name}")
        files = {p.stem for p in init.parent.glob("*.py") if not p.stem.startswith("_")}
        missing = sorted(name for name in files if not hasattr(package, name))
        assert not missing, f"elastic_attention.{init.parent.name} does not expose {missing} (add them to __all__)"
