"""Sphinx extension: keep the built site free of CDN references.

Jupyter Book always loads sphinx-thebe, which writes the CDN address of the thebe bundle into
every page even when live code is switched off (as here). This drops that script and thebe's own
files from each page, and refuses to build a page that would still load a remote script.

After the build it removes the source maps (the theme ships some; only a browser's developer
tools ask for them) and each vendored package that no page loads (a top-level entry of a static
folder that `make vendor` wrote, marked by its .vendored file: mathjax, mermaid, html-manager,
require.js), so the site carries only what its pages use. The widgets manager and require.js
serve pages with widget state only; the book has none while its explorers embed their HTML view.

It also makes the executed book embed the self-contained HTML view of the library's explorers
(not their ipywidgets view, which needs a kernel) and gives generated figures alt text.
"""

from __future__ import annotations

import os

REMOTE_PREFIXES = ("http://", "https://", "//")


def _body(asset) -> str:
    return str(getattr(asset, "attributes", {}).get("body", "") or "")


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    return "thebe" in name or "THEBE_JS_URL" in _body(asset)


def _strip(app, pagename, templatename, context, doctree):
    # pydata-sphinx-theme logs a console error on a first visit when no colour mode is set.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is None:
            continue
        kept = [a for a in assets if not _is_thebe(a)]
        remote = [str(getattr(a, "filename", a)) for a in kept if str(getattr(a, "filename", a) or "").startswith(REMOTE_PREFIXES)]
        if remote:
            raise RuntimeError(f"page {pagename} would load {remote} from the network: vendor it (make vendor)")
        context[key] = kept


def _trim_static(app, exception):
    """Remove from the built ``_static/`` every source map and every vendored package no page refers to."""
    if exception is not None or app.builder.format != "html":
        return
    import shutil
    from pathlib import Path

    outdir = Path(app.outdir)
    static = outdir / "_static"
    pages = [p for p in outdir.rglob("*.html") if static not in p.parents]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    dropped = []
    for folder in getattr(app.config, "html_static_path", []) or []:
        source = Path(app.confdir, folder)
        if not (source / ".vendored").is_file():
            continue
        for entry in sorted(source.iterdir()):
            if entry.name.startswith("."):
                continue
            target = static / entry.name
            if target.exists() and not any(f"_static/{entry.name}" in text for text in texts):
                if target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink()
                dropped.append(entry.name)
    if dropped:
        from sphinx.util import logging

        logging.getLogger(__name__).info(f"offline_assets: no page loads {', '.join(dropped)}; left out of the site")


# --------------------------------------------------------------------------- explorers and alt text

# Explorers (elastic_attention.views.explorer) offer an ipywidgets view next to their self-contained
# HTML in a live kernel; on the static site a widget has no kernel behind it, so the kernels that
# execute the book get EA_EXPLORER=html, and text/html outranks widget views on HTML pages.
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
ALT_MAX = 240


def _prefer_html_outputs(app, config):
    overrides = list(getattr(config, "nb_mime_priority_overrides", None) or [])
    for builder in HTML_BUILDERS:
        overrides += [(builder, "text/html", 5), (builder, "application/vnd.jupyter.widget-view+json", 35)]
    config.nb_mime_priority_overrides = overrides


def _in_output(node) -> bool:
    parent = node.parent
    while parent is not None:
        if "cell_output" in parent.get("classes", []):
            return True
        parent = parent.parent
    return False


def _sentences(text: str, limit: int = ALT_MAX) -> str:
    """Return ``text`` on one line, cut after the last whole sentence (or word) that fits in ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[:cut + 1] if cut > 0 else text[:text.rfind(" ", 0, limit)] + "…"


def _add_alt_text(app, doctree):
    """Give every generated figure without alt text one taken from its section and the prose before it.

    myst-nb writes no alt text for images from cell outputs (the HTML then shows the file name);
    the chapters introduce each figure in the paragraph above its cell.
    """
    from docutils import nodes

    section, paragraph = "", ""
    for node in doctree.findall(lambda n: isinstance(n, (nodes.title, nodes.paragraph, nodes.image))):
        if isinstance(node, nodes.image):
            alt = str(node.get("alt", "") or "").strip()
            uri = str(node.get("uri", ""))
            if not alt or alt == uri or alt.endswith((".png", ".svg", ".jpg", ".jpeg", ".gif")):
                where = f" in section '{section}'" if section else ""
                node["alt"] = f"Figure{where}: {_sentences(paragraph)}" if paragraph else f"Figure{where}."
        elif _in_output(node):
            continue
        elif isinstance(node, nodes.title):
            section, paragraph = node.astext(), ""
        else:
            paragraph = node.astext()


def setup(app):
    os.environ.setdefault("EA_EXPLORER", "html")
    # The attention lab (chapter 5.4) loads TensorFlow.js from the site's vendored copy; chapters sit
    # one folder below the site root (book/), so _static is one level up.
    os.environ.setdefault("EA_LAB_SCRIPTS", "../_static/tfjs/")
    app.connect("html-page-context", _strip, priority=900)
    app.connect("config-inited", _prefer_html_outputs)
    app.connect("doctree-read", _add_alt_text)
    app.connect("build-finished", _trim_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
