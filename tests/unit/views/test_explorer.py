"""Unit tests of the explorers: self-contained HTML (size, ids, no network) and clear errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from elastic_attention.nn import dot_product
from elastic_attention.views import attention, saturation, softmax
from elastic_attention.views import explorer as X

URL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", re.IGNORECASE)


def _data(n=60, h=40, w=40, grid=5, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((n, h, w, 1)).astype("float32")
    weights = rng.random((n, grid, grid))
    weights /= weights.sum(axis=(1, 2), keepdims=True)
    boxes = np.tile([8, 8, 24, 20], (n, 1))
    labels = rng.integers(0, 10, n)
    return images, weights, boxes, labels


def _ids(html: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', html)


def _payload(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S).group(1))


@pytest.fixture()
def explorers():
    images, weights, boxes, labels = _data()
    return [
        attention.attention_explorer(images, weights, boxes, labels, labels, mode="html"),
        attention.attention_explorer(images, weights, boxes, labels, labels, mode="html"),
        softmax.softmax_explorer((2.0, 1.0, 0.5, -1.0), mode="html"),
        softmax.softmax_explorer((2.0, 1.0, 0.5, -1.0), mode="html"),
        saturation.saturation_explorer(dims=(2, 8, 64), num_samples=20, mode="html"),
    ]


def test_size_within_budget(explorers):
    for e in explorers:
        assert 1_000 < e.nbytes <= X.MAX_BYTES, (e, e.nbytes)
    # A large, noisy batch (the worst case for PNG) still fits: the HTML view keeps max_samples.
    images, weights, boxes, labels = _data(n=2000, seed=1)
    big = attention.attention_explorer(images, weights, boxes, labels, labels, mode="html")
    assert big.nbytes <= X.MAX_BYTES, big.nbytes
    assert _payload(big.html)["n"] == 48


def test_ids_unique_within_and_across_instances(explorers):
    all_ids = [i for e in explorers for i in _ids(e.html)]
    assert len(all_ids) == len(set(all_ids)), sorted(all_ids)
    for e in explorers:
        root = _ids(e.html)[0]
        assert all(i == root or i.startswith(root + "-") for i in _ids(e.html)), _ids(e.html)
        assert e.html.count(f'"{root}"') >= 1 and "__ID__" not in e.html


def test_no_network_urls(explorers):
    for e in explorers:
        assert not URL.search(e.html), URL.search(e.html)
        assert not re.search(r"<img\b|\ssrc=", e.html)  # the sprite is a data: URL inside the JSON
        assert _payload(e.html)  # the embedded data parses as JSON


def test_controls_are_labelled(explorers):
    for e in explorers:
        inputs = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', e.html)
        assert inputs
        for i in inputs:
            assert f'<label for="{i}"' in e.html, f"control {i} has no label"
        assert 'role="img"' in e.html and "aria-live" in e.html


def test_attention_payload_matches_input():
    images, weights, boxes, labels = _data(n=10)
    e = attention.attention_explorer(images, weights, boxes, labels, labels, mode="html")
    data = _payload(e.html)
    assert data["n"] == 10 and data["index"] == list(range(10))
    np.testing.assert_allclose(np.array(data["weights"][0]), weights.reshape(10, -1), atol=1e-4)
    assert data["sprite"].startswith("data:image/png;base64,")
    assert data["boxes"][0] == [8, 8, 24, 20] and data["labels"][3] == str(labels[3])


def test_attention_multiple_maps_get_a_selector():
    images, weights, _, _ = _data(n=6)
    stacked = np.stack([weights, weights[:, ::-1]], axis=1)
    e = attention.attention_explorer(images, stacked, choices=["head 0", "head 1"], mode="html")
    assert "<select" in e.html and "head 1" in e.html
    assert len(_payload(e.html)["weights"]) == 2


def test_softmax_payload():
    e = softmax.softmax_explorer([1.0, -2.0, 0.5], temperature=0.5, mode="html")
    assert _payload(e.html)["scores"] == [1.0, -2.0, 0.5]
    assert e.html.count('type="range"') == 4  # temperature and three scores


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda im, w, b, lab: attention.attention_explorer(im[:, :, :, 0, None, None], w), "images must be"),
        (lambda im, w, b, lab: attention.attention_explorer(im, w[:5]), "weights must be"),
        (lambda im, w, b, lab: attention.attention_explorer(im, w[:, 0]), "weights must be"),
        (lambda im, w, b, lab: attention.attention_explorer(im, -w), "non-negative"),
        (lambda im, w, b, lab: attention.attention_explorer(im, np.ones((len(w), 3, 3))), "whole multiple"),
        (lambda im, w, b, lab: attention.attention_explorer(im, w, b[:, :3]), "boxes must have shape"),
        (lambda im, w, b, lab: attention.attention_explorer(im, w, labels=lab[:2]), "labels must have shape"),
        (lambda im, w, b, lab: attention.attention_explorer(im, w, mode="static"), "mode must be"),
        (lambda im, w, b, lab: attention.attention_explorer(im[:0], w[:0]), "empty"),
        (lambda im, w, b, lab: attention.attention_explorer(im, np.stack([w, w], 1), choices=["a"]), "choices"),
        (lambda im, w, b, lab: softmax.softmax_explorer([1.0]), "between 2 and 12"),
        (lambda im, w, b, lab: softmax.softmax_explorer([[1.0, 2.0]]), "rank 1"),
        (lambda im, w, b, lab: softmax.softmax_explorer([1.0, 2.0], temperature=0.0), "temperature"),
        (lambda im, w, b, lab: softmax.softmax_explorer([1.0, 2.0], temperature=1e3), "slider's range"),
        (lambda im, w, b, lab: softmax.softmax_explorer([1.0, 9.0]), "score_range"),
        (lambda im, w, b, lab: saturation.saturation_explorer(num_keys=1), "num_keys"),
        (lambda im, w, b, lab: saturation.saturation_explorer(dims=(0, 4)), "dims"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, match):
    images, weights, boxes, labels = _data(n=8)
    with pytest.raises(ValueError, match=match):
        call(images, weights, boxes, labels)


def test_saturation_payload_matches_the_static_figure():

    e = saturation.saturation_explorer(num_keys=8, seed=3, dims=(4, 256), num_samples=30, mode="html")
    data = _payload(e.html)
    w, mx, _ = dot_product.dot_product_stats(256, True, 8, 3, 30)
    np.testing.assert_allclose(data["scaled"][1]["w"], w, atol=1e-4)
    assert data["dims"] == [4, 256] and abs(data["scaled"][1]["max"] - mx) < 1e-4
    assert data["raw"][1]["max"] > data["scaled"][1]["max"]  # unscaled scores saturate at large d


def test_mimebundle_html_outside_a_kernel_and_mode_switches(monkeypatch):
    images, weights, boxes, labels = _data(n=4)
    e = attention.attention_explorer(images, weights, boxes, labels)
    monkeypatch.delenv("EA_EXPLORER", raising=False)
    bundle = e._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"} and bundle["text/html"] == e.html
    monkeypatch.setenv("EA_EXPLORER", "bogus")
    with pytest.raises(ValueError, match="EA_EXPLORER"):
        e._repr_mimebundle_()
    pytest.importorskip("ipywidgets")
    monkeypatch.setenv("EA_EXPLORER", "widget")
    bundle = e._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "text/html" in bundle
    monkeypatch.setenv("EA_EXPLORER", "html")
    assert "application/vnd.jupyter.widget-view+json" not in e._repr_mimebundle_()


def test_save_writes_a_standalone_page(tmp_path):
    e = softmax.softmax_explorer([1.0, 0.0], mode="html")
    path = e.save(tmp_path / "softmax.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError, match=".html"):
        e.save(tmp_path / "softmax.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["softmax.html"]


def test_attention_filter_keeps_misses_and_wrong_predictions():
    images, weights, boxes, labels = _data(n=200)
    weights = np.zeros_like(weights)
    weights[:, 2, 2] = 1.0  # centre (20, 20): outside the box (8, 8, 24, 20), whose right edge is exclusive
    weights[:100, 1, 1] = 2.0  # centre (12, 12): inside, a hit for the first 100 canvases
    preds = labels.copy()
    preds[150:] = (labels[150:] + 1) % 10
    e = attention.attention_explorer(images, weights, boxes, labels, preds, max_samples=20, mode="html")
    data = _payload(e.html)
    assert re.search(r'<select id="[^"]+-filter">', e.html) and "peak outside the box" in e.html and "wrong prediction" in e.html
    assert data["n"] <= 20 and sum(i >= 100 for i in data["index"]) >= 10  # half of the budget for flagged canvases
    plain = attention.attention_explorer(images, weights, mode="html")
    assert "-filter" not in plain.html


def test_static_grid_shows_the_peak_weight():
    images, weights, boxes, labels = _data(n=2)
    fig = attention.attention_grid(images, weights, boxes, labels, labels, ncols=2)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts == [f"peak {weights[k].max():.2f}" for k in range(2)]
