"""The dataset registry: every shipped dataset is registered with its folder, licence and loader,
and the manifest check covers each registered folder."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from elastic_attention import data
from elastic_attention.data import registry


def test_digits_are_registered_with_licence_and_loader():
    spec = data.get("digits")
    assert spec.licence == "CC BY 4.0" and spec.folder == "digits" and spec.chapter == "5.2"
    module, _, name = spec.loader.rpartition(".")
    assert callable(getattr(__import__(module, fromlist=[name]), name))
    assert "digits" in data.names()


def test_files_lists_each_dataset_file_with_its_hash():
    files = data.files("digits")
    assert len(files) == 1797 and all(rel.startswith("digits/") for rel in files)
    rel, digest = next(iter(files.items()))
    assert hashlib.sha256((data.data_root() / rel).read_bytes()).hexdigest() == digest


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(KeyError, match="digits"):
        data.get("imagenet")


def test_a_second_registration_with_another_folder_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        data.register(registry.DatasetSpec("digits", "elsewhere", (".png",), "x", "x", "5.2", "x", "x"))


def test_unlisted_file_in_any_registered_folder_is_caught(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data.data_root(), copy)
    (copy / "toy").mkdir()
    (copy / "toy" / "a.txt").write_text("hello", encoding="utf-8")
    spec = registry.DatasetSpec("toy-test", "toy", (".txt",), "CC0", "a test", "5.2", "none", "python -m scripts.toy")
    monkeypatch.setitem(registry._REGISTRY, spec.name, spec)  # the test's own entry, removed afterwards
    with pytest.raises(data.DataIntegrityError, match=r"a\.txt is not in the manifest.*scripts\.toy"):
        data.verify_manifest(copy, force=True)
    before = data.verify_manifest(data.data_root(), force=True)
    line = f"{hashlib.sha256(b'hello').hexdigest()}  toy/a.txt\n"
    (copy / data.MANIFEST_NAME).write_text((copy / data.MANIFEST_NAME).read_text() + line, encoding="utf-8")
    assert data.verify_manifest(copy, force=True) == before + 1
    assert data.files("toy-test", copy) == {"toy/a.txt": hashlib.sha256(b"hello").hexdigest()}
