"""The library's imports run one way: no import cycle, no import against the declared layer order,
and no private name (``_name``) used from another module. The declared order is the one the
package docstring lists (``elastic_attention/__init__.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = "elastic_attention"
# Lower number = lower layer; a module may import from its own layer or lower ones only.
LAYERS = {"_validate": 0, "_lazy": 0, "runtime": 1, "data": 2, "nn": 3, "train": 4, "views": 5, "check": 6}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def scan(root: Path, package: str = PACKAGE):
    """Return ``{module: [(imported module, names imported, line)]}`` and ``{module: [(alias target, attr, line)]}``."""
    modules = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    imports, attributes = {}, {}
    for mod, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        here = mod.split(".") if is_pkg else mod.split(".")[:-1]
        found, aliases = [], {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                target = ".".join(base + (node.module.split(".") if node.module else []))
                if not target.startswith(package):
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in modules:  # `from . import explorer`: the submodule itself
                        found.append((sub, [], node.lineno))
                        aliases[alias.asname or alias.name] = sub
                    else:
                        found.append((target, [alias.name], node.lineno))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(package):
                        found.append((alias.name, [], node.lineno))
                        aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        attrs = [(aliases[n.value.id], n.attr, n.lineno) for n in ast.walk(tree)
                 if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in aliases]
        imports[mod], attributes[mod] = found, attrs
    return imports, attributes


def layer_of(mod: str) -> int | None:
    parts = mod.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def problems(root: Path, package: str = PACKAGE) -> list[str]:
    imports, attributes = scan(root, package)
    out = []
    for mod, found in imports.items():
        for target, names, line in found:
            mine, theirs = layer_of(mod), layer_of(target)
            if mine is not None and theirs is not None and theirs > mine:
                out.append(f"{mod}:{line} imports {target} from a higher layer")
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target != mod:
                out.append(f"{mod}:{line} imports private {private} from {target}")
        for target, attr, line in attributes[mod]:
            if attr.startswith("_") and not attr.startswith("__") and target != mod:
                out.append(f"{mod}:{line} uses private {target}.{attr}")
    # Cycles among modules (explicit imports only: a parent package's __init__ is not an edge).
    graph = {m: {t for t, _, _ in f if t in imports and t != m} for m, f in imports.items()}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                out.append("import cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return out


def test_library_imports_follow_the_layers():
    assert problems(ROOT) == []


def test_every_subpackage_has_a_layer():
    tops = {p.name if p.is_dir() else p.stem for p in (ROOT / PACKAGE).iterdir()
            if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}
    assert tops == set(LAYERS), tops ^ set(LAYERS)
    doc = ast.get_docstring(ast.parse((ROOT / PACKAGE / "__init__.py").read_text(encoding="utf-8")))
    for name in LAYERS:
        assert name in doc, f"the package docstring does not list {name}"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_catches_each_kind_of_violation(tmp_path):
    """Negative control: a small package with one of each defect is reported, once per defect."""
    _write(tmp_path, {
        f"{PACKAGE}/__init__.py": "",
        f"{PACKAGE}/data/__init__.py": "",
        f"{PACKAGE}/data/a.py": "from ..views import figs\n",  # upward: data imports views
        f"{PACKAGE}/views/__init__.py": "",
        f"{PACKAGE}/views/figs.py": "from . import other\n",
        f"{PACKAGE}/views/other.py": "from . import figs\nfrom .figs import _hidden\n",  # cycle + private
        f"{PACKAGE}/nn/__init__.py": "",
        f"{PACKAGE}/nn/m.py": "from ..data import a\nx = a._secret\n",  # private attribute
    })
    found = problems(tmp_path)
    assert any("higher layer" in p and "data.a" in p for p in found), found
    assert any(p.startswith("import cycle") for p in found), found
    assert any("imports private ['_hidden']" in p for p in found), found
    assert any("uses private elastic_attention.data.a._secret" in p for p in found), found
