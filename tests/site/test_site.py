"""Checks of the built site in _build/html (run after `make book`; `make test` does both)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, toc_files

HTML = ROOT / "_build" / "html"
VENDOR = ROOT / "_vendor"
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
    for rel in ("mathjax/tex-chtml.js", "require.js", "html-manager/embed-amd.js", "mermaid/mermaid.esm.min.mjs"):
        assert (VENDOR / rel).is_file(), f"_vendor/{rel} missing: run `make vendor`"
    for rel in ("mathjax/tex-chtml.js", "mermaid/mermaid.esm.min.mjs"):
        assert (HTML / "_static" / rel).is_file(), f"_static/{rel} missing from the site: run `make vendor`"
    intro = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    assert "mathjax/tex-chtml.js" in intro
    assert "mermaid/mermaid.esm.min.mjs" in intro and 'class="mermaid"' in intro


# ----------------------------------------------------------------- the site carries what its pages load

TEXT_SUFFIXES = (".js", ".mjs", ".css", ".html")
STATIC_REF = re.compile(r"""_static/([^"'?#\s)]+)""")


def reachable(files: dict[str, Path], start: set[str]) -> set[str]:
    """Return the keys of ``files`` reachable from ``start``: a file is reached when a reached
    script or style sheet names it (its file name: an import, a font URL, a webpack asset)."""
    seen, todo = set(), [k for k in start if k in files]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        if files[key].suffix in TEXT_SUFFIXES:
            text = files[key].read_text(encoding="utf-8", errors="replace")
            todo += [k for k, path in files.items() if k not in seen and path.name in text]
    return seen


def vendored_entries() -> list[str]:
    if not (VENDOR / ".vendored").is_file():
        pytest.fail("_vendor is missing: run `make vendor`")
    return sorted(p.name for p in VENDOR.iterdir() if not p.name.startswith("."))


def files_under(base, entries) -> dict[str, Path]:
    found = {}
    for entry in entries:
        path = base / entry
        for f in ([path] if path.is_file() else sorted(path.rglob("*"))):
            if f.is_file():
                found[f.relative_to(base).as_posix()] = f
    return found


def test_site_and_vendor_hold_no_source_maps():
    pages()
    vendored_entries()
    maps = [str(p.relative_to(ROOT)) for base in (HTML, VENDOR) for p in base.rglob("*.map")]
    assert not maps, f"source maps in the site or _vendor: {maps[:10]}"


def test_vendor_holds_only_what_the_configured_entry_points_load():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    from elastic_attention.views.attention_lab import TFJS_SCRIPTS
    from scripts.vendor_assets import TFJS

    assert sorted(TFJS.values()) == sorted(TFJS_SCRIPTS), "scripts/vendor_assets.py and the attention lab disagree"
    entry_points = {config["mathjax_path"], config["mermaid_use_local"], *config["nb_ipywidgets_js"], *TFJS_SCRIPTS}
    files = files_under(VENDOR, vendored_entries())
    assert entry_points <= set(files), f"entry points missing from _vendor: {sorted(entry_points - set(files))}"
    extra = sorted(set(files) - reachable(files, entry_points))
    assert not extra, (f"{len(extra)} files in _vendor that no entry point names (scripts/vendor_assets.py "
                       f"copies too much): {extra[:20]}")


def test_site_carries_no_vendored_file_that_no_page_loads():
    static = HTML / "_static"
    files = files_under(static, [e for e in vendored_entries() if (static / e).exists()])
    start = set()
    for page in pages():
        if static not in page.parents:
            start |= set(STATIC_REF.findall(page.read_text(encoding="utf-8", errors="replace")))
    extra = sorted(set(files) - reachable(files, start))
    size = sum(p.stat().st_size for p in HTML.rglob("*") if p.is_file())
    print(f"_build/html: {size} bytes; vendored files in it: {len(files)}")
    assert not extra, (f"{len(extra)} vendored files in the site that no page loads, directly or through "
                       f"a file it loads: {extra[:20]}")


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
