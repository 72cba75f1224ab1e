"""The attention lab in a real headless Chromium, offline: the page's TensorFlow.js model equals
Keras's, and the attention peak follows the digit when the reader drags it (issue: live attention).

Runs on the built site (`make book`), with every request off 127.0.0.1 blocked (the fixtures of
tests/site/test_browser.py). Prints the first-prediction time and the sizes; asserts no timing.
"""

from __future__ import annotations

import pytest
from test_browser import HTML, TIMEOUT_MS, browser_context, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.site
TOLERANCE = 1e-4

_COMPARE = """(uid) => {
  const lab = window.eaLab[uid], ref = lab.reference;
  let probs = 0, weights = 0;
  ref.images.forEach((img, i) => {
    const out = lab.predict(img);
    out.probs.forEach((p, k) => { probs = Math.max(probs, Math.abs(p - ref.probs[i][k])); });
    out.weights.forEach((w, k) => { weights = Math.max(weights, Math.abs(w - ref.weights[i][k])); });
  });
  return {probs, weights, n: ref.images.length, backend: lab.backend()};
}"""


def lab_pages() -> list:
    pages = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts
                   and 'data-ea-explorer="lab"' in p.read_text(encoding="utf-8", errors="replace"))
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: run `make book` first")
    assert pages, "no page of the site embeds the attention lab (chapter 5.4 should)"
    return pages


def open_lab(server, context, path):  # noqa: F811
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.goto(f"{server}/{path.relative_to(HTML).as_posix()}", wait_until="load", timeout=TIMEOUT_MS)
    root = page.locator('[data-ea-explorer="lab"]').first
    root.scroll_into_view_if_needed()
    page.wait_for_function("() => { const r = document.querySelector('[data-ea-explorer=\"lab\"]');"
                           " return r && r.getAttribute('data-lab-state'); }", timeout=TIMEOUT_MS)
    return page, root, errors


def state(root) -> dict:
    keys = ("data-lab-state", "data-peak", "data-hit", "data-pred", "data-box", "data-first-prediction-ms")
    return {k: root.get_attribute(k) for k in keys}


def test_lab_model_equals_keras(server, browser_context):  # noqa: F811
    context, blocked = browser_context
    for path in lab_pages():
        page, root, errors = open_lab(server, context, path)
        try:
            assert root.get_attribute("data-lab-state") == "running", root.locator(".ea-text").first.inner_text()
            result = page.evaluate(_COMPARE, root.get_attribute("id"))
            status = page.locator(f"#{root.get_attribute('id')}-status").inner_text()
            first_ms = root.get_attribute("data-first-prediction-ms")
            lab_bytes = len(root.evaluate("r => r.outerHTML").encode("utf-8"))
        finally:
            page.close()
        print(f"{path.name}: {result['n']} canvases, max |p - p_keras| {result['probs']:.2e}, "
              f"max |a - a_keras| {result['weights']:.2e}, backend {result['backend']}, first prediction "
              f"{first_ms} ms after load, lab markup {lab_bytes} bytes")
        assert result["n"] >= 4
        assert result["probs"] <= TOLERANCE and result["weights"] <= TOLERANCE, result
        assert result["backend"] in status, "the lab does not say which backend runs"
        assert not errors, errors
    assert not blocked["blocked"], blocked["blocked"][:5]


def _drag(page, root, frm, to):
    box = root.locator("canvas").bounding_box()
    scale = box["width"] / 40

    def xy(p):
        return box["x"] + (p[1] + 0.5) * scale, box["y"] + (p[0] + 0.5) * scale

    page.mouse.move(*xy(frm))
    page.mouse.down()
    steps = 8
    for k in range(1, steps + 1):
        page.mouse.move(*xy((frm[0] + (to[0] - frm[0]) * k / steps, frm[1] + (to[1] - frm[1]) * k / steps)))
    page.mouse.up()
    page.wait_for_timeout(150)


def test_attention_follows_the_dragged_digit(server, browser_context):  # noqa: F811
    context, blocked = browser_context
    path = lab_pages()[0]
    page, root, errors = open_lab(server, context, path)
    uid = root.get_attribute("id")
    try:
        while int(root.get_attribute("data-fragments")) > 0:  # clutter off: the digit alone
            page.click(f"#{uid}-remove")
        seen = []
        for target in ((4, 4), (4, 22), (22, 22), (22, 4)):  # top-left corners of the 16x16 digit
            top, left, bottom, right = (int(v) for v in root.get_attribute("data-box").split(","))
            centre = ((top + bottom) // 2, (left + right) // 2)
            _drag(page, root, centre, (centre[0] + target[0] - top, centre[1] + target[1] - left))
            now = state(root)
            seen.append(now)
            assert now["data-hit"] == "true", f"peak not in the digit's box after moving it to {target}: {now}"
        peaks = {s["data-peak"] for s in seen}
        assert len(peaks) >= 3, f"the attention peak did not move with the digit: {seen}"
        page.click(f"#{uid}-clear")
        page.wait_for_timeout(150)
        cleared = root.locator(".ea-text").first.inner_text()
        assert "no digit on the canvas" in cleared and "Predicted" in cleared, cleared
    finally:
        page.close()
    assert not errors, errors
    assert not blocked["blocked"], blocked["blocked"][:5]


_NO_WEBGL = """(() => { const get = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, opts) {
    return (type === 'webgl' || type === 'webgl2') ? null : get.call(this, type, opts); }; })()"""


def test_lab_without_webgl_runs_on_the_cpu_and_says_so(server, browser_context):  # noqa: F811
    context, _ = browser_context
    path = lab_pages()[0]
    page = context.new_page()
    page.add_init_script(_NO_WEBGL)
    try:
        page.goto(f"{server}/{path.relative_to(HTML).as_posix()}", wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_function("() => { const r = document.querySelector('[data-ea-explorer=\"lab\"]');"
                               " return r && r.getAttribute('data-lab-state'); }", timeout=TIMEOUT_MS)
        root = page.locator('[data-ea-explorer="lab"]').first
        status = page.locator(f"#{root.get_attribute('id')}-status").inner_text()
        lab_state = root.get_attribute("data-lab-state")
    finally:
        page.close()
    assert lab_state == "running", status
    assert "cpu backend" in status and "no WebGL" in status, status
