"""Safe artifacts: atomic .keras saves, safe_mode loads, and no Lambda layer in the book's models."""

from __future__ import annotations

import json
import re

import keras
import numpy as np
import pytest
from conftest import ROOT, toc_files

from elastic_attention.nn import layers, models
from elastic_attention.train import artifacts


def book_models() -> dict[str, keras.Model]:
    """Every model the library builds for the book, with each head and option."""
    built = {"seed_cnn": models.seed_cnn()}
    for head in models.HEADS:
        built[f"cluttered_{head}"] = models.cluttered_classifier(head)
    built["cluttered_flatten_dense"] = models.cluttered_classifier("flatten", dense_units=32, dropout=0.2)
    built["explainer"] = models.attention_explainer(built["cluttered_attention"])
    inputs = keras.Input((5, 5, 8))
    built["custom_gradient_pool"] = keras.Model(inputs, layers.CustomGradientAttentionPooling()(inputs))
    return built


@pytest.mark.parametrize("name", list(book_models()))
def test_book_models_have_no_lambda_layers(name):
    assert artifacts.lambda_layers(book_models()[name]) == []


def test_lambda_scan_finds_nested_lambdas():
    inner_in = keras.Input((4,))
    inner = keras.Model(inner_in, keras.layers.Lambda(lambda t: t * 2, name="double")(inner_in), name="inner")
    outer_in = keras.Input((4,))
    outer = keras.Model(outer_in, keras.layers.Dense(2)(inner(outer_in)), name="outer")
    assert artifacts.lambda_layers(outer) == ["outer/inner/double"]


def test_chapters_and_library_use_no_lambda_layers():
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "elastic_attention").glob("*.py")}
    for path in toc_files():
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            sources[path.name] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    pattern = re.compile(r"layers\.Lambda\s*\(|\bLambda\s*\(")
    # A line marked "on purpose" demonstrates that save_model refuses a Lambda (chapter 5.5).
    offenders = [
        name for name, text in sources.items()
        if name != "artifacts.py" and any(pattern.search(line) and "on purpose" not in line for line in text.splitlines())
    ]
    assert not offenders, f"Lambda layers used in {offenders}: write a registered Layer subclass instead"


def test_round_trip_is_exact_and_safe(tmp_path):
    model = models.cluttered_classifier("attention")
    x = np.random.default_rng(0).random((3, 40, 40, 1)).astype("float32")
    path = artifacts.save_model(model, tmp_path / "attention.keras")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attention.keras"], "temporary files left behind"
    loaded = artifacts.load_model(path)
    assert isinstance(loaded.get_layer("attention_pool"), layers.AttentionPooling)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_failed_save_leaves_the_previous_file_and_no_temporaries(tmp_path, monkeypatch):
    model = models.seed_cnn()
    path = artifacts.save_model(model, tmp_path / "cnn.keras")
    before = path.read_bytes()

    def crash(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as handle:
            handle.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(keras.Model, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        artifacts.save_model(model, path)
    with pytest.raises(OSError, match="disk full"):
        artifacts.save_model(model, tmp_path / "new.keras")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cnn.keras"]


def test_json_round_trip_and_overwrite_is_atomic(tmp_path):
    path = artifacts.save_json({"b": [1, 2.5], "a": "x"}, tmp_path / "r.json")
    assert artifacts.load_json(path) == {"a": "x", "b": [1, 2.5]}
    artifacts.write_text_atomic(path, "{}\n")
    assert artifacts.load_json(path) == {}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_atomic_writes_get_ordinary_permissions(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        path = artifacts.write_text_atomic(tmp_path / "page.md", "# Page\n")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)
        artifacts.write_text_atomic(path, "# Page, again\n")
        assert stat.S_IMODE(path.stat().st_mode) == 0o640, "replacing a file must keep its permissions"
    finally:
        os.umask(mask)
