"""The built site shows no TensorFlow C++ log noise (issue 11): no page of _build/html carries
oneDNN's notice, absl's preamble or an ``E0000 ... NodeDef mentions attribute`` line. Runs after
`make book`; skipped where _build/html does not exist."""

from __future__ import annotations

import html

import pytest
from conftest import ROOT
from tf_noise import noise_lines

pytestmark = pytest.mark.site

HTML = ROOT / "_build" / "html"


def pages() -> list:
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts)


def test_no_page_shows_tensorflow_log_noise():
    if not (HTML / "index.html").exists():
        pytest.skip("_build/html is missing: `make book` builds it")
    assert pages(), "no HTML page in _build/html"
    found = {}
    for page in pages():
        lines = noise_lines(html.unescape(page.read_text(encoding="utf-8", errors="replace")))
        if lines:
            found[str(page.relative_to(HTML))] = lines[:3]
    assert not found, found


def test_the_check_sees_noise_in_a_page(tmp_path):
    """Negative control: a page with a oneDNN notice in a stderr output is caught."""
    page = tmp_path / "p.html"
    page.write_text('<div class="output stderr"><pre>I0000 00:00:17.1  24 port.cc:153] oneDNN custom operations '
                    "are on.</pre></div>")
    assert noise_lines(html.unescape(page.read_text()))
