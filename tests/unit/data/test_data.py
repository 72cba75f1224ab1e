import shutil

import numpy as np
import pytest

from elastic_attention import data


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ to damage."""
    return shutil.copytree(data.data_root(), tmp_path / "data")


def test_manifest_ok():
    # 1,797 digits and the two files of chapter 6.2's utterances.
    assert data.verify_manifest(force=True) == 1797 + 2
    assert len(data.files("digits")) == 1797 and len(data.files("intents")) == 2


def test_tampered_file_is_named(data_copy):
    victim = sorted((data_copy / "digits" / "train" / "3").glob("*.png"))[0]
    victim.write_bytes(victim.read_bytes() + b"x")
    with pytest.raises(data.DataIntegrityError, match=victim.name) as err:
        data.verify_manifest(data_copy, force=True)
    assert "git checkout" in str(err.value)


def test_missing_file_is_named(data_copy):
    victim = sorted((data_copy / "digits" / "test" / "7").glob("*.png"))[0]
    victim.unlink()
    with pytest.raises(data.DataNotFoundError, match=victim.name):
        data.verify_manifest(data_copy, force=True)


def test_unlisted_file_is_named(data_copy):
    extra = data_copy / "digits" / "train" / "1" / "9999.png"
    shutil.copy(sorted((data_copy / "digits" / "train" / "1").glob("*.png"))[0], extra)
    with pytest.raises(data.DataIntegrityError, match="9999.png"):
        data.verify_manifest(data_copy, force=True)


def test_missing_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("EA_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(data.DataNotFoundError, match="EA_DATA_DIR"):
        data.data_root()


def test_missing_manifest(data_copy):
    (data_copy / "MANIFEST.sha256").unlink()
    with pytest.raises(data.DataNotFoundError, match="MANIFEST"):
        data.verify_manifest(data_copy, force=True)


def test_split_arrays():
    images, labels, ids = data.load_digit_arrays("train")
    assert images.shape == (1437, 8, 8) and images.dtype == np.uint8
    assert set(np.unique(labels)) == set(range(10))
    _, _, test_ids = data.load_digit_arrays("test")
    assert len(test_ids) == 360 and not set(ids) & set(test_ids)


def test_unknown_split():
    with pytest.raises(ValueError, match="unknown split"):
        data.load_digit_arrays("validation")


def test_digits_dataset_batches():
    ds = data.digits_dataset("test", batch_size=50)
    x, y = next(iter(ds))
    assert tuple(x.shape) == (50, 8, 8, 1) and float(x.numpy().max()) <= 1.0
    total = sum(int(b.shape[0]) for b, _ in ds)
    assert total == 360
    with pytest.raises(ValueError, match="batch_size"):
        data.digits_dataset("test", batch_size=0)


def test_digits_splits_disjoint_counts():
    train, val, test = data.digits_splits(batch_size=64, validation_fraction=0.1, seed=0)
    counts = [sum(int(b.shape[0]) for b, _ in ds) for ds in (train, val, test)]
    assert counts[0] + counts[1] == 1437 and counts[2] == 360 and 100 < counts[1] < 200


def test_cluttered_boxes_contain_the_digit():
    c = data.make_cluttered("test", canvas_size=40, scale=2, copies=2, seed=3)
    images, _, ids = data.load_digit_arrays("test")
    by_id = {int(i): im for i, im in zip(ids, images, strict=True)}
    assert c.images.shape == (720, 40, 40, 1) and c.boxes.shape == (720, 4)
    for k in range(0, 720, 37):
        top, left, bottom, right = c.boxes[k]
        assert 0 <= top < bottom <= 40 and 0 <= left < right <= 40
        ink = (by_id[int(c.source_ids[k])] > 0).sum() * 4  # scale 2: each pixel becomes 2x2
        inside = (c.images[k, top:bottom, left:right, 0] > 0).sum()
        assert inside >= ink
        # the digit's box is free of clutter: its ink inside equals the source's ink
        assert inside == ink
    assert 0.0 <= c.images.min() and c.images.max() <= 1.0


def test_cluttered_is_deterministic_and_disjoint():
    a = data.make_cluttered("train", copies=1, seed=5)
    b = data.make_cluttered("train", copies=1, seed=5)
    c = data.make_cluttered("train", copies=1, seed=6)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)
    t = data.make_cluttered("test", copies=1, seed=5)
    assert not set(a.source_ids) & set(t.source_ids)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"canvas_size": 10}, "canvas_size"), ({"clutter": (5, 2)}, "clutter"), ({"copies": 0}, "copies"),
     ({"fragment_size": (0, 3)}, "fragment_size")],
)
def test_cluttered_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.make_cluttered("train", **kwargs)


def test_corrupt_png_is_a_clear_error(data_copy):
    victim = sorted((data_copy / "digits" / "test" / "2").glob("*.png"))[0]
    victim.write_bytes(b"not a png")
    # rewrite the manifest line so that only decoding can catch it
    import hashlib

    manifest = data_copy / "MANIFEST.sha256"
    rel = victim.relative_to(data_copy).as_posix()
    lines = [
        f"{hashlib.sha256(b'not a png').hexdigest()}  {rel}" if line.endswith(rel) else line
        for line in manifest.read_text().splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n")
    with pytest.raises(data.DataIntegrityError, match="cannot decode"):
        data.load_digit_arrays("test", root=data_copy)


def test_mnist_falls_back_to_shipped_digits_offline(monkeypatch, capsys):
    import keras

    def offline():
        raise OSError("network is unreachable")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    (x_train, y_train), (x_test, y_test), source = data.load_mnist(max_train=100)
    assert source == "shipped digits (offline fallback)"
    assert "using the shipped digits" in capsys.readouterr().out
    assert x_train.shape == (100, 28, 28, 1) and x_test.shape == (360, 28, 28, 1)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert len(y_train) == 100 and set(np.unique(y_test)) == set(range(10))
