"""The built site in a real headless Chromium, offline (run after `make book`; `make test` does both).

Serves _build/html on 127.0.0.1 and aborts (and counts) every request to any other host. For
each page of the book: math typeset by MathJax, the mermaid diagram drawn as SVG, every image
loaded and described (alt text or a figure caption), no console errors, and, where a page has an
explorer, moving its first slider with the keyboard changes what it draws. A full-page
screenshot of each page goes to _build/screenshots/. Last, every vendored script in the site
(_static/ copies of _vendor/) must have been fetched by some page: the site carries none that no
page loads.

Chromium is Debian's (`make browser` installs it), driven by Playwright for Python; never run
`playwright install`. Set EA_CHROMIUM to use another binary.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT, toc_files

pytestmark = pytest.mark.site

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("EA_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000
EXPLORER_CALL = re.compile(r"ea\.views\.\w+\.\w+_explorer\(")
VENDOR = ROOT / "_vendor"
# What the pages visited so far fetched from the server (URL paths), and which pages they were.
_REQUESTED: set[str] = set()
_VISITED: set[Path] = set()


def _page_paths() -> list[Path]:
    return [HTML / p.relative_to(ROOT).with_suffix(".html") for p in toc_files()]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: run `make book` first")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser_context():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` (apt-get install chromium) or set EA_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed: pip install -r requirements.txt")
    profile = tempfile.mkdtemp(prefix="ea-chromium-")
    try:
        with sync_playwright() as pw:
            try:
                context = pw.chromium.launch_persistent_context(
                    profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                    viewport={"width": 1280, "height": 900}, service_workers="block")
            except Exception as exc:  # a binary that does not start is an environment problem
                pytest.skip(f"Chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
            state = {"blocked": []}

            def guard(route):
                url = route.request.url
                parsed = urlparse(url)
                if parsed.scheme in ("data", "blob") or parsed.hostname == "127.0.0.1":
                    route.continue_()
                else:
                    state["blocked"].append(url)
                    route.abort()

            context.route("**/*", guard)
            yield context, state
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


_WAIT_IMAGES = """() => Array.from(document.images).every(i => i.complete)"""
_IMAGES = """() => Array.from(document.images).map(i => ({
    src: i.getAttribute('src') || '', ok: i.complete && i.naturalWidth > 0, alt: (i.getAttribute('alt') || '').trim(),
    caption: ((i.closest('figure') && i.closest('figure').querySelector('figcaption')) || {textContent: ''}).textContent.trim()
}))"""
_MATH_DONE = """() => Array.from(document.querySelectorAll('.math')).every(e => e.querySelector('mjx-container'))"""
_MERMAID_DONE = """() => Array.from(document.querySelectorAll('.mermaid')).every(e => e.querySelector('svg'))"""
_SNAPSHOT = """(root) => {
    const c = root.querySelector('canvas');
    const t = root.querySelector('.ea-text');
    return (c ? c.toDataURL() : '') + '|' + (t ? t.textContent : '');
}"""


def _check_explorers(page, problems: list[str], name: str) -> int:
    # The attention lab has no slider; tests/site/test_lab_browser.py drives it.
    roots = page.locator('[data-ea-explorer]:not([data-ea-explorer="lab"])')
    for k in range(roots.count()):
        root = roots.nth(k)
        root.scroll_into_view_if_needed()
        before = root.evaluate(_SNAPSHOT)
        slider = root.locator('input[type="range"]').first
        label = page.locator(f'label[for="{slider.get_attribute("id")}"]')
        if label.count() != 1 or not label.inner_text().strip():
            problems.append(f"explorer {k}: its first slider has no label")
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(200)
        after = root.evaluate(_SNAPSHOT)
        if before == after or not before.startswith("data:image/png"):
            problems.append(f"explorer {k} ({root.get_attribute('data-ea-explorer')}): the slider did not change the view")
        SHOTS.mkdir(parents=True, exist_ok=True)
        root.screenshot(path=str(SHOTS / f"{name}-explorer-{k}.png"))
    return roots.count()


@pytest.mark.parametrize("path", _page_paths(), ids=lambda p: p.stem)
def test_page_in_a_browser(path, server, browser_context):
    context, state = browser_context
    assert path.exists(), f"{path.relative_to(ROOT)} missing: run `make book`"
    state["blocked"] = []
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status}: {r.url}"))
    page.on("request", lambda r: _REQUESTED.add(urlparse(r.url).path))
    try:
        page.goto(f"{server}/{path.relative_to(HTML).as_posix()}", wait_until="load", timeout=TIMEOUT_MS)
        problems: list[str] = []
        if page.locator(".math").count():
            try:
                page.wait_for_function(_MATH_DONE, timeout=TIMEOUT_MS)
            except Exception:
                problems.append("MathJax did not typeset every .math element")
        if page.locator(".mermaid").count():
            try:
                page.wait_for_function(_MERMAID_DONE, timeout=TIMEOUT_MS)
            except Exception:
                problems.append("a mermaid diagram was not drawn as SVG")
        page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_function(_WAIT_IMAGES, timeout=TIMEOUT_MS)
        for img in page.evaluate(_IMAGES):
            if not img["ok"]:
                problems.append(f"image did not load: {img['src'][:80]}")
            described = img["alt"] and not re.search(r"\.(png|jpe?g|svg|gif)$", img["alt"])
            if not (described or img["caption"]):
                problems.append(f"image has no alt text or caption: {img['src'][:80]}")
        explorers = _check_explorers(page, problems, path.stem)
        # Scrolled or focused, the sticky header and the skip link would be drawn mid-page.
        page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); }")
        page.wait_for_timeout(300)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path.stem}.png"), full_page=True)
        _VISITED.add(path)
    finally:
        page.close()

    source = next(p for p in toc_files() if p.stem == path.stem)
    if EXPLORER_CALL.search(source.read_text(encoding="utf-8")):
        assert explorers, f"{path.name}: the chapter calls an explorer but the page embeds none"
    assert not state["blocked"], f"{path.name}: requests to other hosts were blocked: {state['blocked'][:5]}"
    assert not errors, f"{path.name}: " + "\n".join(errors[:10])
    assert not problems, f"{path.name}: " + "\n".join(problems)


def test_math_and_mermaid_pages_exist():
    """The checks above have teeth only if some pages carry math and the intro a mermaid diagram."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in _page_paths() if p.exists()}
    if not texts:
        pytest.fail("_build/html is missing: run `make book` first")
    assert any('class="math' in t for t in texts.values()), "no page has math"
    assert 'class="mermaid"' in texts.get("intro", ""), "the intro page has no mermaid diagram"


def test_every_vendored_script_in_the_site_is_loaded_by_a_page(server, browser_context):
    """No vendored script rides along unused (a mermaid chunk of a diagram type the book never
    draws, a MathJax component): each one in the site was fetched by a page. Fonts are fetched
    per glyph, so tests/test_site.py checks them statically instead."""
    context, _ = browser_context
    if not (VENDOR / ".vendored").is_file():
        pytest.fail("_vendor is missing: run `make vendor`")
    static = HTML / "_static"
    entries = [static / p.name for p in VENDOR.iterdir() if not p.name.startswith(".") and (static / p.name).exists()]
    scripts = {f.relative_to(HTML).as_posix() for e in entries for f in ([e] if e.is_file() else e.rglob("*"))
               if f.suffix in (".js", ".mjs")}
    assert scripts, "no vendored script in the site: run `make vendor` and `make book`"
    # Pages the tests above did not visit in this session (a -k selection, the index) are visited here.
    for path in sorted(p for p in HTML.rglob("*.html") if static not in p.parents and p not in _VISITED):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not any(f"_static/{e.name}" in text for e in entries):
            continue
        page = context.new_page()
        page.on("request", lambda r: _REQUESTED.add(urlparse(r.url).path))
        try:
            page.goto(f"{server}/{path.relative_to(HTML).as_posix()}", wait_until="load", timeout=TIMEOUT_MS)
            for selector, done in ((".math", _MATH_DONE), (".mermaid", _MERMAID_DONE)):
                if page.locator(selector).count():
                    page.wait_for_function(done, timeout=TIMEOUT_MS)
            page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        finally:
            page.close()
        _VISITED.add(path)
    unloaded = sorted(rel for rel in scripts if f"/{rel}" not in _REQUESTED)
    assert not unloaded, (f"{len(unloaded)} vendored scripts in the site that no page loads (copy less in "
                          f"scripts/vendor_assets.py): {unloaded[:20]}")
