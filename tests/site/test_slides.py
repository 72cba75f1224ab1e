"""Slides from a chapter (scripts/make_slides.py): reveal.js and every asset local, nothing from a CDN.

The deck is built from the executed chapter that `make book` leaves in _build/jupyter_execute
(or by executing it when that copy is missing or stale), then opened in headless Chromium served
from 127.0.0.1 with every other request aborted.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT

from scripts import make_slides

CHAPTER = ROOT / "book" / "05_1_environment.ipynb"
CDN_HOSTS = ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "code.jquery.com", "mathjax.org",
             "fonts.googleapis.com", "ajax.googleapis.com")
CHROMIUM = os.environ.get("EA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("slides")
    env = dict(os.environ, EA_PROFILE="quick", EA_SEED="0", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-m", "scripts.make_slides", "--execute", "--out", str(out), str(CHAPTER)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return out / f"{CHAPTER.stem}.slides.html"


def test_offline_problems_are_found():
    out = Path(tempfile.mkdtemp())
    try:
        (out / "here.js").write_text("")
        html = ('<script src="https://unpkg.com/reveal.js@4.0.2/dist/reveal.js"></script><script src="here.js"></script>'
                '<link href="gone.css" rel="stylesheet"><script type="module">import m from "mermaid/x.mjs";</script>')
        problems = make_slides.offline_problems(html, out)
        assert any("unpkg.com" in p for p in problems)
        assert any("gone.css" in p for p in problems)
        assert any("mermaid/x.mjs" in p for p in problems)
        assert not any("here.js" in p for p in problems)
    finally:
        shutil.rmtree(out)


def test_myst_exercises_become_plain_markdown():
    text = "```{exercise}\n:label: ex-a\nDo it.\n```\n\n```{solution-start} ex-a\n:class: dropdown\n```\nDone.\n```{solution-end}\n```\n"
    assert make_slides._myst_to_markdown(text) == "**Exercise.** Do it.\n\n**Solution.**\nDone.\n\n"


def test_headings_start_slides_even_inside_a_cell():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\n\nintro"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("closing words\n\n## Section\ntext\n```\n# a comment in a fence\n```\n### Part"),
        nbformat.v4.new_code_cell("assert x == 1", metadata={"tags": ["remove-cell"]}),
    ])
    types = [(c.cell_type, c.metadata["slideshow"]["slide_type"]) for c in make_slides.slide_notebook(nb).cells]
    assert types == [("markdown", "slide"), ("code", "-"), ("markdown", "-"), ("markdown", "slide"), ("markdown", "subslide")]


@pytest.mark.site
def test_deck_loads_nothing_from_a_cdn(deck):
    html = deck.read_text(encoding="utf-8")
    out = deck.parent
    assert not [h for h in CDN_HOSTS if h in html], "the deck mentions a CDN"
    assert make_slides.offline_problems(html, out) == []
    assert '<script src="mathjax/tex-chtml.js">' in html and 'href="reveal.js/dist/reveal.css"' in html
    for rel in ("reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", "require.js", "mathjax/tex-chtml.js"):
        assert (out / rel).is_file(), f"{rel} not copied next to the deck"
    # reveal.js is the version nbconvert's template expects (pinned in package.json).
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["reveal.js"]
    template = (Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates" / "reveal" / "index.html.j2").read_text()
    assert f"reveal.js@{pinned}" in template, "package.json pins a reveal.js that nbconvert's template does not expect"


@pytest.mark.site
def test_deck_has_a_slide_per_section_and_no_hidden_cells(deck):
    html = deck.read_text(encoding="utf-8")
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    headings = sum(1 for c in nb["cells"] if c["cell_type"] == "markdown"
                   for line in "".join(c["source"]).splitlines() if re.match(r"#{1,2} ", line))
    assert html.count("<section") >= headings, (html.count("<section"), headings)
    assert "Bootstrap (stamped" not in html and "{exercise}" not in html and "{solution-start}" not in html
    for cell in nb["cells"]:
        if "remove-cell" in cell["metadata"].get("tags", []):
            longest = max("".join(cell["source"]).splitlines(), key=len).strip()
            assert longest not in html, f"a hidden check cell is on a slide: {longest!r}"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.site
def test_deck_runs_in_chromium_offline(deck):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` or set EA_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(deck.parent)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    blocked, errors = [], []
    profile = tempfile.mkdtemp(prefix="ea-slides-")
    try:
        with sync_api.sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])

            def guard(route):
                host = urlparse(route.request.url).hostname
                if urlparse(route.request.url).scheme in ("data", "blob") or host == "127.0.0.1":
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{deck.name}", wait_until="load")
            page.wait_for_selector(".reveal.ready", timeout=30_000)  # reveal.js initialized
            total = page.evaluate("() => document.querySelectorAll('.reveal .slides > section').length")
            # MathJax 3 loaded from the deck's folder typesets an equation.
            page.wait_for_function("() => window.MathJax && MathJax.tex2chtml", timeout=30_000)
            typeset = page.evaluate("() => MathJax.tex2chtml('a_i = e^{s_i} / \\sum_j e^{s_j}').outerHTML")
            for _ in range(4):  # slide changes run the template's handlers (scrolling, math re-rendering)
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(300)
            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    assert not blocked, f"the deck asked the network for {blocked[:5]}"
    assert total >= 5, f"only {total} slides"
    assert "mjx-" in typeset, typeset[:200]
    assert not errors, errors[:5]


# Every <pre> (code or output) of every slide: its content fits its box, and its box fits the slide.
# reveal.js shows one slide at a time, so each leaf slide is displayed in turn while it is measured.
OVERFLOWS_JS = """() => {
  const found = [];
  const slides = [...document.querySelectorAll(".reveal .slides section")].filter(s => !s.querySelector("section"));
  slides.forEach((slide, i) => {
    const before = slide.style.cssText;
    slide.style.display = "block";
    slide.style.visibility = "visible";
    const edge = slide.getBoundingClientRect().right;
    for (const pre of slide.querySelectorAll("pre")) {
      const right = pre.getBoundingClientRect().right;
      if (pre.scrollWidth > pre.clientWidth + 1 || right > edge + 1) {
        found.push(`slide ${i}: ${pre.textContent.trim().slice(0, 60)} (${pre.scrollWidth}px in ${pre.clientWidth}px, right ${Math.round(right)} > ${Math.round(edge)})`);
      }
    }
    slide.style.cssText = before;
  });
  return slides.length ? found : ["no slide found"];
}"""
LONG_CODE = ("result = ea.train.loops.train_cluttered_head(head, train, test, epochs=epochs, learning_rate=rate, "
             "batch_size=batch_size, strategy=cfg.strategy, jit_compile=cfg.jit_compile, verbose=0)")


def overflowing_code(deck: Path) -> list[str]:
    """Return a line per code block that runs past its slide's right edge, in headless Chromium."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` or set EA_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(deck.parent)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    profile = tempfile.mkdtemp(prefix="ea-slides-")
    try:
        with sync_api.sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, viewport={"width": 1280, "height": 720},
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
                          else route.abort())
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{deck.name}", wait_until="load")
            page.wait_for_selector(".reveal.ready", timeout=30_000)
            found = page.evaluate(OVERFLOWS_JS)
            context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    return found


@pytest.fixture(scope="module")
def long_line_decks(tmp_path_factory) -> tuple[Path, Path]:
    """A deck with a long code line and a long output, with the wrapping CSS and without it (the control)."""
    import nbformat

    out = tmp_path_factory.mktemp("long-slides")
    make_slides.copy_assets(out)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Long lines"), nbformat.v4.new_code_cell(LONG_CODE)])
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="[" + ", ".join(["0.1234"] * 40) + "]\n")]
    html = make_slides.render(make_slides.slide_notebook(nb), out)
    assert make_slides.WRAP_CODE_CSS in html
    wrapped, control = out / "wrapped.slides.html", out / "control.slides.html"
    wrapped.write_text(html, encoding="utf-8")
    control.write_text(html.replace(make_slides.WRAP_CODE_CSS, ""), encoding="utf-8")
    return wrapped, control


@pytest.mark.site
def test_long_code_lines_stay_on_the_slide(long_line_decks):
    wrapped, control = long_line_decks
    assert overflowing_code(control), "control: without the wrapping CSS the long line should overflow"
    assert overflowing_code(wrapped) == []


@pytest.mark.site
def test_no_code_block_of_a_chapter_deck_overflows(deck):
    assert overflowing_code(deck) == []
