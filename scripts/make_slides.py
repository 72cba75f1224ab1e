"""Build reveal.js slides from the executed chapters, working offline, into _build/slides/.

Usage: python -m scripts.make_slides [--execute] [--out DIR] [NOTEBOOK ...]

Each chapter's executed copy comes from ``_build/jupyter_execute/book/`` (written by
``make book``) when its code matches the chapter; otherwise ``--execute`` runs the chapter here
(quick profile) and without it the script stops and says so. Every ``#``/``##`` heading starts
a slide and every ``###`` heading a sub-slide; hidden check cells and the Colab bootstrap are
left out; exercise and solution blocks become plain headed paragraphs. reveal.js (the version
nbconvert's template expects, pinned in package.json) and jQuery from ``node_modules/``, and
require.js, MathJax, mermaid and the widgets manager from ``_vendor/`` (the files the site's
pages load; ``make vendor`` writes both), are copied next to the slides without source maps, so
a deck opens with no network. The script fails if any output still points at a CDN.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "slides"
EXECUTED = ROOT / "_build" / "jupyter_execute"
BOOTSTRAP_MARKER = "# Bootstrap (stamped from templates/bootstrap_cell.py"
# Where each asset comes from (under the repository) and where the decks find it (under OUT).
ASSETS = {
    "node_modules/reveal.js/dist": "reveal.js/dist",
    "node_modules/reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "node_modules/jquery/dist/jquery.min.js": "jquery.min.js",
    "_vendor/require.js": "require.js",
    "_vendor/mathjax": "mathjax",
    "_vendor/html-manager": "html-manager",
    "_vendor/mermaid": "mermaid",
}
EXPORTER_CONFIG = {
    "reveal_url_prefix": "reveal.js",
    "reveal_scroll": True,
    "reveal_theme": "white",  # its fonts ship with reveal.js ("simple" imports Google Fonts)
    "require_js_url": "require.js",
    "mathjax_url": "mathjax/tex-chtml.js",
    "widget_renderer_url": "html-manager/embed-amd.js",
    "jupyter_widgets_base_url": "html-manager/",
    "mermaid_js_url": "./mermaid/mermaid.esm.min.mjs",  # a module import needs ./
    "mermaid_layout_elk_js_url": "",
    "jquery_url": "jquery.min.js",
}
# nbconvert's template configures MathJax 2; the vendored MathJax 3 reads this instead.
MATHJAX3_CONFIG = (
    "<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
    "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true, tags: 'ams'}};</script>\n"
)
# Long code lines and outputs wrap inside the slide instead of running off its right edge (the
# template's cells do not shrink below their content's width); prompts go to give code the room.
# tests/site/test_slides.py checks in Chromium that no code block overflows its slide.
WRAP_CODE_CSS = """<style type="text/css">
.reveal .jp-Cell, .reveal .jp-Cell-inputWrapper, .reveal .jp-Cell-outputWrapper, .reveal .jp-InputArea,
.reveal .jp-OutputArea, .reveal .jp-OutputArea-child, .reveal .jp-InputArea-editor,
.reveal .jp-OutputArea-output { min-width: 0; max-width: 100%; box-sizing: border-box; }
.reveal pre, .reveal .highlight pre, .reveal .jp-OutputArea-output pre {
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; max-width: 100%; box-sizing: border-box; }
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
</style>
"""
MATHJAX2_RERENDER = re.compile(
    r"if\s*\(\s*MathJax\.Hub\.getAllJax\(Reveal\.getCurrentSlide\(\)\)\s*\)\s*\{\s*"
    r"MathJax\.Hub\.Rerender\(Reveal\.getCurrentSlide\(\)\);\s*\}"
)
CDN = re.compile(r"(?:https?:)?//(?:cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|code\.jquery\.com|"
                 r"fonts\.googleapis\.com|fonts\.gstatic\.com|ajax\.googleapis\.com|cdn\.mathjax\.org)")
RESOURCE = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.I)
MODULE_IMPORT = re.compile(r"""\bimport\s+(?:[\w{}\s,*]+\s+from\s+)?\(?["']([^"']+)["']""")


class SlidesError(RuntimeError):
    """A deck cannot be built: a missing executed chapter, asset or a CDN reference."""


def toc_chapters() -> list[Path]:
    """Return the ``.ipynb`` chapters listed in ``_toc.yml``, in order."""
    from scripts.booktoc import toc_notebooks

    return toc_notebooks(ROOT)


def _code_sources(nb) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def executed_notebook(chapter: Path, execute: bool):
    """Return the executed notebook (nbformat node) for ``chapter``."""
    import nbformat

    source = nbformat.read(chapter, as_version=4)
    try:
        cached = EXECUTED / chapter.resolve().relative_to(ROOT)
    except ValueError:  # a chapter outside the repository has no executed copy
        cached = EXECUTED / "none"
    if cached.exists():
        done = nbformat.read(cached, as_version=4)
        if _code_sources(done) == _code_sources(source):
            return done
    if not execute:
        raise SlidesError(
            f"{chapter.name}: no current executed copy in {EXECUTED.relative_to(ROOT)}: run `make book` first, "
            "or pass --execute to run the chapter here"
        )
    from nbclient import NotebookClient

    env_profile = os.environ.setdefault("EA_PROFILE", "quick")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    print(f"executing {chapter.name} (EA_PROFILE={env_profile})", flush=True)
    NotebookClient(source, timeout=600, resources={"metadata": {"path": str(chapter.parent)}}).execute()
    return source


def _myst_to_markdown(text: str) -> str:
    """Return ``text`` with the book's MyST exercise/solution fences turned into plain Markdown."""
    text = re.sub(r"```\{exercise\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*(.*?)\n```", r"**Exercise.** \1", text, flags=re.S)
    text = re.sub(r"```\{solution-start\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*```", "**Solution.**", text)
    text = re.sub(r"```\{solution-end\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*```", "", text)
    return text


def _split_at_headings(text: str) -> list[str]:
    """Return ``text`` cut before every heading of level 1 to 3 (headings inside code fences stay)."""
    chunks, current, fenced = [], [], False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and re.match(r"#{1,3} ", line) and "".join(current).strip():
            chunks.append("".join(current))
            current = []
        current.append(line)
    chunks.append("".join(current))
    return [c.strip("\n") for c in chunks if c.strip()]


def _slide_type(cell, first: bool) -> str:
    if first:
        return "slide"
    if cell.cell_type == "markdown":
        if re.match(r"#{1,2} ", cell.source):
            return "slide"
        if cell.source.startswith("### "):
            return "subslide"
    return "-"


def slide_notebook(nb):
    """Return a copy of ``nb`` prepared for reveal.js: a slide per heading, hidden cells removed."""
    import nbformat

    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        source = "".join(cell.source)
        if "remove-cell" in tags or (cell.cell_type == "code" and source.startswith(BOOTSTRAP_MARKER)):
            continue
        if cell.cell_type == "markdown":
            parts = [nbformat.v4.new_markdown_cell(part) for part in _split_at_headings(_myst_to_markdown(source))]
        else:
            if "hide-output" in tags or "remove-output" in tags:
                cell.outputs = []
            # stderr (TensorFlow's start-up chatter) is left out, as on the site.
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
            parts = [cell]
        for part in parts:
            part.metadata["slideshow"] = {"slide_type": _slide_type(part, not cells)}
            cells.append(part)
    nb.cells = cells
    return nb


def copy_assets(out: Path) -> None:
    """Copy reveal.js, jQuery, require.js, MathJax, mermaid and the widgets manager into ``out``."""
    for src_rel, dest_rel in ASSETS.items():
        src, dest = ROOT / src_rel, out / dest_rel
        if not src.exists():
            raise SlidesError(f"{src_rel} is missing: run `make vendor` first")
        stamp = out / ".assets" / dest_rel.replace("/", "_")
        version = str(src.stat().st_mtime_ns)
        if dest.exists() and stamp.exists() and stamp.read_text() == version:
            continue
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("*.map"))
        else:
            shutil.copy2(src, tmp)
        if dest.is_dir():
            shutil.rmtree(dest)
        elif dest.exists():
            dest.unlink()
        tmp.replace(dest)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(version)


def offline_problems(html: str, out: Path) -> list[str]:
    """Return what in a deck would need the network or a file that is not there."""
    problems = [f"CDN reference: {m.group(0)}" for m in CDN.finditer(html)]
    for url in MODULE_IMPORT.findall(html):
        if not url.startswith(("./", "../")):
            problems.append(f"module import that a browser cannot resolve offline: {url}")
    for url in RESOURCE.findall(html):
        if url.startswith("data:") or url.startswith("#"):
            continue
        if re.match(r"^(?:[a-z]+:)?//", url, re.I):
            problems.append(f"remote resource: {url}")
        else:
            local = out / url.split("?")[0].split("#")[0]
            if not local.exists():
                problems.append(f"missing local file: {url}")
            elif local.suffix == ".css":
                css = local.read_text(encoding="utf-8", errors="replace")
                problems += [f"{url} imports {u}" for u in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css)]
    return problems


def render(nb, out: Path) -> str:
    """Return the reveal.js HTML of a prepared notebook, with every asset pointing into ``out``."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter()
    # Set as attributes: some of these traits (mermaid_js_url) are not configurable options.
    for name, value in EXPORTER_CONFIG.items():
        setattr(exporter, name, value)
    html, _ = exporter.from_notebook_node(nb)
    html = html.replace("<head>", '<head>\n<link rel="icon" href="data:,">', 1)  # no favicon request
    html = html.replace("</head>", WRAP_CODE_CSS + "</head>", 1)  # after the template's styles, so it wins
    html = html.replace('<script src="mathjax/tex-chtml.js">', MATHJAX3_CONFIG + '<script src="mathjax/tex-chtml.js">', 1)
    # The template re-renders math on each slide change with MathJax 2's API.
    html = MATHJAX2_RERENDER.sub("if (window.MathJax && MathJax.typesetPromise) { MathJax.typesetPromise([Reveal.getCurrentSlide()]); }", html)
    if "MathJax.Hub.getAllJax" in html:
        raise SlidesError("nbconvert's reveal template changed: update MATHJAX2_RERENDER in scripts/make_slides.py")
    return html


def build(chapters: list[Path], out: Path, execute: bool) -> list[Path]:
    """Return the slide files written to ``out`` for ``chapters``."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    written = []
    for chapter in chapters:
        html = render(slide_notebook(executed_notebook(chapter, execute)), out)
        problems = offline_problems(html, out)
        if problems:
            raise SlidesError(f"{chapter.name}: the slides would not work offline:\n  " + "\n  ".join(problems[:20]))
        dest = out / f"{chapter.stem}.slides.html"
        tmp = dest.with_suffix(".tmp")
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(dest)
        written.append(dest)
        print(f"{dest.relative_to(out.parent) if out.parent in dest.parents else dest}: {html.count('<section')} slides")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="chapters (default: every chapter in _toc.yml)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})")
    parser.add_argument("--execute", action="store_true", help="run chapters that have no current executed copy")
    args = parser.parse_args(argv)
    chapters = [p.resolve() for p in args.notebooks] or toc_chapters()
    missing = [str(p) for p in chapters if not p.is_file()]
    if missing:
        print(f"no such notebook: {missing}", file=sys.stderr)
        return 2
    try:
        build(chapters, args.out.resolve(), args.execute)
    except SlidesError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
