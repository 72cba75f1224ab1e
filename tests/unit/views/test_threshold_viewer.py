"""The threshold viewer of chapter 3.5: sliders in a kernel, a note and no widget state on the site."""

from __future__ import annotations

import pytest

from elastic_attention.views import elastic

CURVES = {"glimpse": {"flops": [1.0, 2.0], "accuracy": [0.9, 0.95], "thresholds": [0.5, 0.9]}}


def test_site_gets_the_note_and_no_widget(monkeypatch):
    monkeypatch.setenv("EA_EXPLORER", "html")
    viewer = elastic.threshold_viewer(CURVES, 0.97)
    bundle = viewer._repr_mimebundle_()
    assert "live kernel" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in bundle


def test_kernel_gets_one_slider_per_curve():
    pytest.importorskip("ipywidgets")
    box = elastic.threshold_viewer(CURVES, 0.97).widget()
    assert len(box.children) == len(CURVES) + 1  # the sliders and the plot's output area


def test_curves_need_one_threshold_per_point():
    with pytest.raises(ValueError, match="one threshold per point"):
        elastic.threshold_viewer({"bad": {"flops": [1.0, 2.0], "accuracy": [0.9, 0.9], "thresholds": [0.5]}}, 0.9)
