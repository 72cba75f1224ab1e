"""Copy the front-end files the book's pages load from node_modules/ into _vendor/ (`make vendor`).

Usage: python -m scripts.vendor_assets [--node DIR] [--out DIR]

Sphinx serves _vendor/ as _static/ (``html_static_path`` in _config.yml) and the slides copy it
(scripts/make_slides.py). Each package contributes the file a page loads and what that file
fetches in turn, never a source map:

- MathJax: the ``tex-chtml.js`` component (TeX input, CHTML output, the AMS macros, the menu) and
  the CHTML fonts it names (woff-v2); the browser fetches a font when a glyph needs it.
- mermaid: ``mermaid.esm.min.mjs`` (what sphinxcontrib-mermaid imports; its single-file UMD
  build cannot be imported as a module), the chunks it imports statically, and the chunks of the
  diagram types the book draws (``MERMAID_DIAGRAMS``) with their own static imports. A page with
  another diagram type fails the browser tests with a 404 on its chunk: add its prefix here.
- the ipywidgets HTML manager: ``embed-amd.js`` alone, which a page with widget state loads
  after require.js (checked in Chromium with a slider, a dropdown and a checkbox). Its Font
  Awesome icon fonts are left out: it asks for them under ``@jupyter-widgets/`` beside the page,
  never in this folder. When no page has widget state, _ext/offline_assets.py leaves the
  manager and require.js out of the site.
- require.js.
- TensorFlow.js for the attention lab (chapter 5.4): the minified UMD builds of ``tfjs-core`` and of
  its CPU and WebGL backends (the parts of the pinned ``@tensorflow/tfjs`` the lab uses; it runs
  core ops, not the layers or converter APIs). ``TFJS`` must match
  ``elastic_attention.views.attention_lab.TFJS_SCRIPTS`` (tests/site/test_site.py checks it).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Chunk name prefixes of the diagram types the book draws: flowchart/graph (flowDiagram) laid
# out by dagre, mermaid's default layout.
MERMAID_DIAGRAMS = ("flowDiagram-", "dagre-")
TFJS = {"tfjs-core/dist/tf-core.min.js": "tfjs/tf-core.min.js",
        "tfjs-backend-cpu/dist/tf-backend-cpu.min.js": "tfjs/tf-backend-cpu.min.js",
        "tfjs-backend-webgl/dist/tf-backend-webgl.min.js": "tfjs/tf-backend-webgl.min.js"}
STATIC_IMPORT = re.compile(r"""(?:\bimport|\bexport)\s*(?:[\w{}\s,*$]+?\s*from\s*)?["'](\.{1,2}/[^"']+)["']""")


class VendorError(RuntimeError):
    """A file the pages need is missing from node_modules."""


def static_imports(entries: list[Path]) -> set[Path]:
    """Return ``entries`` and every module they import statically (relative imports), transitively."""
    seen: set[Path] = set()
    todo = [p.resolve() for p in entries]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        if not path.is_file():
            raise VendorError(f"{path} is imported but missing: run `npm ci` again")
        seen.add(path)
        todo += [(path.parent / spec).resolve() for spec in STATIC_IMPORT.findall(path.read_text(encoding="utf-8"))]
    return seen


def named_in(text_file: Path, candidates: list[Path]) -> list[Path]:
    """Return the ``candidates`` whose file name appears in ``text_file``."""
    text = text_file.read_text(encoding="utf-8")
    return [c for c in candidates if c.name in text]


def plan(node: Path) -> dict[Path, str]:
    """Return {source file under ``node``: destination path relative to _vendor/}."""
    mathjax, mermaid = node / "mathjax" / "es5", node / "mermaid" / "dist"
    widgets = node / "@jupyter-widgets" / "html-manager" / "dist"
    tfjs = {node / "@tensorflow" / src: dest for src, dest in TFJS.items()}
    required = [mathjax / "tex-chtml.js", mermaid / "mermaid.esm.min.mjs", widgets / "embed-amd.js",
                node / "requirejs" / "require.js", *tfjs]
    missing = [str(p.relative_to(node)) for p in required if not p.is_file()]
    if missing:
        raise VendorError(f"missing from {node}: {missing}: run `npm ci --ignore-scripts`")
    files = {mathjax / "tex-chtml.js": "mathjax/tex-chtml.js", node / "requirejs" / "require.js": "require.js",
             widgets / "embed-amd.js": "html-manager/embed-amd.js", **tfjs}
    fonts = sorted((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    for font in named_in(mathjax / "tex-chtml.js", fonts):
        files[font] = f"mathjax/{font.relative_to(mathjax).as_posix()}"
    chunks = mermaid / "chunks" / "mermaid.esm.min"
    diagrams = [c for c in sorted(chunks.glob("*.mjs")) if c.name.startswith(MERMAID_DIAGRAMS)]
    found = {prefix for prefix in MERMAID_DIAGRAMS for c in diagrams if c.name.startswith(prefix)}
    if found != set(MERMAID_DIAGRAMS):
        raise VendorError(f"mermaid has no chunk for {sorted(set(MERMAID_DIAGRAMS) - found)}: update MERMAID_DIAGRAMS")
    for module in static_imports([mermaid / "mermaid.esm.min.mjs", *diagrams]):
        files[module] = f"mermaid/{module.relative_to(mermaid.resolve()).as_posix()}"
    return files


def vendor(node: Path, out: Path) -> int:
    """Copy the planned files into ``out`` (replaced whole); return the bytes copied."""
    files = plan(node)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for src, rel in files.items():
        dest = tmp / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    (tmp / ".vendored").touch()
    shutil.rmtree(out, ignore_errors=True)
    tmp.replace(out)
    return sum(src.stat().st_size for src in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", type=Path, default=ROOT / "node_modules", help="npm's node_modules folder")
    parser.add_argument("--out", type=Path, default=ROOT / "_vendor", help="destination (replaced whole)")
    args = parser.parse_args(argv)
    try:
        size = vendor(args.node.resolve(), args.out.resolve())
    except VendorError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"{args.out}: {sum(1 for p in args.out.rglob('*') if p.is_file()) - 1} files, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
