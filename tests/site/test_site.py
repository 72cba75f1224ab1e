"""Checks of the built site in _build/html (run after `make book`; `make test` does both)."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, toc_files

HTML = ROOT / "_build" / "html"
CDN_HOSTS = (
    "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "cdn.plot.ly", "code.jquery.com",
    "fonts.googleapis.com", "fonts.gstatic.com", "ajax.googleapis.com", "stackpath.bootstrapcdn.com",
    "mathjax.org", "polyfill.io", "cdn.datatables.net",
)
pytestmark = pytest.mark.site


def pages() -> list:
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: run `make book` first")
    return sorted(HTML.rglob("*.html"))


def chapter_page(path):
    return HTML / path.relative_to(ROOT).with_suffix(".html")


def test_every_toc_chapter_has_a_page():
    pages()
    missing = [str(p) for p in toc_files() if not chapter_page(p).exists()]
    assert not missing, f"no HTML page for {missing}"


def test_no_page_loads_from_a_cdn():
    offenders = []
    for page in pages():
        text = page.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", text):
            url = match.group(1)
            if any(host in url for host in CDN_HOSTS):
                offenders.append(f"{page.relative_to(HTML)}: {url}")
        for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            if host in text:
                offenders.append(f"{page.relative_to(HTML)}: mentions {host}")
    assert not offenders, "\n".join(sorted(set(offenders))[:30])


def test_vendored_assets_are_served_locally():
    for rel in ("_static/mathjax/tex-chtml.js", "_static/require.js", "_static/html-manager/embed-amd.js",
                "_static/mermaid/mermaid.esm.min.mjs"):
        assert (HTML / rel).is_file(), f"{rel} missing from the site: run `make vendor`"
    intro = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    assert "mathjax/tex-chtml.js" in intro
    assert "mermaid/mermaid.esm.min.mjs" in intro and 'class="mermaid"' in intro


def test_chapters_show_executed_outputs_and_figures():
    import html
    import json

    for path in toc_files():
        if path.suffix != ".ipynb":
            continue
        text = chapter_page(path).read_text(encoding="utf-8")
        assert "cell_output" in text, f"{path.name}: page has no executed output"
        assert "<img" in text, f"{path.name}: page has no figure"
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if "remove-cell" in cell.get("metadata", {}).get("tags", []):
                longest = max("".join(cell["source"]).splitlines(), key=len).strip()
                assert longest not in plain, f"{path.name}: a check cell is visible on the page: {longest!r}"


def test_exercises_and_solutions_rendered():
    for path in toc_files():
        if path.suffix != ".ipynb":
            continue
        text = chapter_page(path).read_text(encoding="utf-8")
        assert text.count('class="admonition exercise') >= 3 or text.count("exercise admonition") >= 3, (
            f"{path.name}: fewer than 3 exercises rendered"
        )
        assert "solution" in text and "dropdown" in text, f"{path.name}: solutions are not dropdowns"
