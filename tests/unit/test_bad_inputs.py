"""Catalogue of bad inputs: each gets a clear error that names the problem and the fix (issue 6).

Every case below feeds the library one kind of bad input and checks three things: the exception
type, a message naming what is wrong, and a message saying what to do. Cases that write to disk
also check that nothing (not even a temporary file) was left in the output folder. Some cases
repeat, in one place, checks that live next to the code they test (test_data.py,
test_runtime.py, test_models_metrics.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pytest

import elastic_attention as ea
from elastic_attention import data, runtime
from elastic_attention.data import ClutteredDigits
from elastic_attention.nn import dot_product, layers, models, pooling_grad
from elastic_attention.train import artifacts, resilience
from elastic_attention.train import loops as training


class Env:
    """What a case may use: a private output folder, monkeypatch, and a damaged copy of data/."""

    def __init__(self, tmp_path: Path, monkeypatch):
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self.out = tmp_path / "out"
        self.out.mkdir()
        (self.out / "keep.txt").write_text("an earlier result\n")
        self._data: Path | None = None

    @property
    def data(self) -> Path:
        if self._data is None:
            self._data = Path(shutil.copytree(data.data_root(), self.tmp / "data"))
        return self._data

    def first_png(self, split: str, digit: int) -> Path:
        return sorted((self.data / "digits" / split / str(digit)).glob("*.png"))[0]

    def replace_image(self, victim: Path, content: bytes) -> None:
        """Overwrite ``victim`` and rewrite its manifest line, so that only format checks can catch it."""
        victim.write_bytes(content)
        manifest = self.data / data.MANIFEST_NAME
        rel = victim.relative_to(self.data).as_posix()
        lines = [f"{hashlib.sha256(content).hexdigest()}  {rel}" if line.endswith(rel) else line
                 for line in manifest.read_text().splitlines()]
        manifest.write_text("\n".join(lines) + "\n")


def png_bytes(array: np.ndarray, mode: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array.astype(np.uint8), mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def tiny_canvases(n: int = 4) -> ClutteredDigits:
    return ClutteredDigits(np.zeros((n, 40, 40, 1), "float32"), np.zeros(n, int), np.zeros((n, 4), int), np.arange(n))


def compiled_cnn() -> keras.Model:
    return training.compile_classifier(models.seed_cnn())


# --------------------------------------------------------------------------- the cases


def missing_data_folder(env):
    env.monkeypatch.setenv("EA_DATA_DIR", str(env.tmp / "nowhere"))
    data.data_root()


def missing_manifest(env):
    (env.data / data.MANIFEST_NAME).unlink()
    data.verify_manifest(env.data, force=True)


def tampered_file(env):
    victim = env.first_png("train", 3)
    victim.write_bytes(victim.read_bytes() + b"x")
    data.verify_manifest(env.data, force=True)


def missing_file(env):
    env.first_png("test", 7).unlink()
    data.verify_manifest(env.data, force=True)


def unlisted_file(env):
    shutil.copy(env.first_png("train", 1), env.data / "digits" / "train" / "1" / "9999.png")
    data.verify_manifest(env.data, force=True)


def corrupt_png(env):
    env.replace_image(env.first_png("test", 2), b"not a png at all")
    data.load_digit_arrays("test", root=env.data)


def wrong_size_png(env):
    env.replace_image(env.first_png("test", 4), png_bytes(np.full((9, 9), 128), "L"))
    data.make_cluttered("test", root=env.data)


def rgb_png(env):
    env.replace_image(env.first_png("train", 5), png_bytes(np.full((8, 8, 3), 128), "RGB"))
    data.digits_splits(root=env.data)


def empty_split(env):
    for png in (env.data / "digits").rglob("*.png"):
        png.unlink()
    manifest = env.data / data.MANIFEST_NAME  # other datasets' files stay listed
    kept = [line for line in manifest.read_text().splitlines() if not line.split(maxsplit=1)[-1].startswith("digits/")]
    manifest.write_text("".join(f"{line}\n" for line in kept))
    data.digits_dataset("test", root=env.data)


def unknown_split(env):
    data.load_digit_arrays("validation")


def bad_canvas(env):
    data.make_cluttered("train", canvas_size=10)


def nan_training_images(env):
    x = np.zeros((4, 8, 8, 1), "float32")
    x[1, 2, 3, 0] = np.nan
    training.fit(compiled_cnn(), (x, np.zeros(4, int)), epochs=1, verbose=0)


def inf_validation_images(env):
    x = np.zeros((4, 8, 8, 1), "float32")
    bad = x.copy()
    bad[0, 0, 0, 0] = np.inf
    training.fit(compiled_cnn(), (x, np.zeros(4, int)), (bad, np.zeros(4, int)), epochs=1, verbose=0)


def labels_length_mismatch(env):
    training.fit(compiled_cnn(), (np.zeros((4, 8, 8, 1), "float32"), np.zeros(3, int)), epochs=1, verbose=0)


def empty_training_set(env):
    training.fit(compiled_cnn(), (np.zeros((0, 8, 8, 1), "float32"), np.zeros(0, int)), epochs=1, verbose=0)


def attention_wrong_rank(env):
    layers.AttentionPooling()(np.zeros((2, 5), "float32"))


def pooling_weights_mismatch(env):
    x = np.zeros((2, 3, 4))
    pooling_grad.pooling_forward(x, U=np.zeros((5, 6)), c=np.zeros(6), w=np.zeros(6), b=0.0)


def attention_keys_values_mismatch(env):
    dot_product.scaled_dot_product_attention(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros((2, 6, 4)))


def unknown_profile(env):
    env.monkeypatch.setenv("EA_PROFILE", "turbo")
    runtime.setup(verbose=False)


def negative_seed(env):
    runtime.setup(profile="quick", seed=-1, verbose=False)


def text_seed(env):
    env.monkeypatch.setenv("EA_SEED", "zero")
    runtime.setup(profile="quick", verbose=False)


def unknown_head_model(env):
    models.cluttered_classifier("transformer")


def unknown_head_training(env):
    training.train_cluttered_head("transformer", tiny_canvases(), tiny_canvases(), epochs=1, verbose=0)


def negative_epochs(env):
    training.train_cluttered_head("attention", tiny_canvases(), tiny_canvases(), epochs=-2, verbose=0)


def zero_batch_size(env):
    training.fit(compiled_cnn(), (np.zeros((4, 8, 8, 1), "float32"), np.zeros(4, int)), epochs=1, batch_size=0)


def nan_learning_rate(env):
    training.compile_classifier(models.seed_cnn(), learning_rate=float("nan"))


def save_into_missing_folder(env):
    artifacts.save_model(models.seed_cnn(), env.out / "not" / "here" / "cnn.keras")


def save_into_a_file(env):
    artifacts.save_model(models.seed_cnn(), env.out / "keep.txt" / "cnn.keras")


def save_into_unwritable_folder(env):
    if os.geteuid() == 0:  # root writes through permission bits; /sys refuses even root
        folder = Path("/sys")
        try:
            fd, probe = tempfile.mkstemp(dir=folder)
        except OSError:
            pass
        else:  # pragma: no cover - an unusual machine where /sys is writable
            os.close(fd)
            os.unlink(probe)
            pytest.skip("no unwritable folder available to root on this machine")
    else:
        folder = env.out / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    try:
        artifacts.save_model(models.seed_cnn(), folder / "cnn.keras")
    finally:
        if folder != Path("/sys"):
            folder.chmod(0o700)
            folder.rmdir()


def save_wrong_suffix(env):
    artifacts.save_model(models.seed_cnn(), env.out / "cnn.h5")


def save_lambda_model(env):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t + 1.0, name="plus_one")(inputs), name="shifted")
    artifacts.save_model(model, env.out / "lambda.keras")


def load_missing_model(env):
    artifacts.load_model(env.out / "absent.keras")


def load_text_as_model(env):
    path = env.tmp / "notes.keras"
    path.write_text("these are notes, not a model\n")
    artifacts.load_model(path)


def load_zip_without_config(env):
    path = env.tmp / "other.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "a zip, but not a Keras archive")
    artifacts.load_model(path)


def save_json_array(env):
    artifacts.save_json({"weights": np.zeros(3)}, env.out / "result.json")


def save_json_nan(env):
    artifacts.save_json({"loss": float("nan")}, env.out / "result.json")


def load_invalid_json(env):
    path = env.tmp / "broken.json"
    path.write_text('{"half": ')
    artifacts.load_json(path)


def resume_interrupt_out_of_range(env):
    x = np.zeros((4, 8, 8, 1), "float32")
    resilience.fit_resumable(compiled_cnn(), x, np.zeros(4, int), epochs=2, backup_dir=env.out / "b", interrupt_after=2)


def resume_backup_parent_missing(env):
    x = np.zeros((4, 8, 8, 1), "float32")
    resilience.fit_resumable(compiled_cnn(), x, np.zeros(4, int), epochs=2, backup_dir=env.out / "x" / "backup")


def resume_uncompiled_model(env):
    x = np.zeros((4, 8, 8, 1), "float32")
    resilience.fit_resumable(models.seed_cnn(), x, np.zeros(4, int), epochs=2, backup_dir=env.out / "b")


@dataclass(frozen=True)
class Case:
    run: Callable
    error: type[BaseException]
    problem: str  # regex: what is wrong
    fix: str  # regex: what to do
    writes: bool = False  # the case writes: the output folder must be left as it was


CASES = [
    Case(missing_data_folder, data.DataNotFoundError, r"EA_DATA_DIR=.*nowhere.* has no MANIFEST", r"point it at the book's data/ folder"),
    Case(missing_manifest, data.DataNotFoundError, r"MANIFEST\.sha256 is missing", r"git checkout -- data"),
    Case(tampered_file, data.DataIntegrityError, r"\.png does not match its SHA-256", r"git checkout -- data"),
    Case(missing_file, data.DataNotFoundError, r"\.png listed in the manifest is missing", r"scripts\.make_digits"),
    Case(unlisted_file, data.DataIntegrityError, r"9999\.png is not in the manifest", r"remove it"),
    Case(corrupt_png, data.DataIntegrityError, r"cannot decode .*\.png", r"git checkout -- data"),
    Case(wrong_size_png, data.DataIntegrityError, r"is 9x9 pixels, expected 8x8", r"git checkout -- data"),
    Case(rgb_png, data.DataIntegrityError, r"8-bit RGB, expected 8-bit grayscale", r"git checkout -- data"),
    Case(empty_split, data.DataNotFoundError, r"holds no PNG images \(the test split is empty\)", r"scripts\.make_digits"),
    Case(unknown_split, ValueError, r"unknown split 'validation'", r"use one of train, test"),
    Case(bad_canvas, ValueError, r"canvas_size=10 is smaller than the scaled digit", r"enlarge the canvas"),
    Case(nan_training_images, ValueError, r"training images contain 1 NaN or infinite", r"clean or drop"),
    Case(inf_validation_images, ValueError, r"validation images contain 1 NaN or infinite", r"clean or drop"),
    Case(labels_length_mismatch, ValueError, r"differ in length \(4 vs 3\)", r"one label per image"),
    Case(empty_training_set, ValueError, r"training data is empty", r"at least one example"),
    Case(attention_wrong_rank, ValueError, r"got rank 2", r"reshape the input"),
    Case(pooling_weights_mismatch, ValueError, r"in_features=4", r"transpose U or fix x"),
    Case(attention_keys_values_mismatch, ValueError, r"K and V .* number of positions", r"must have the same"),
    Case(unknown_profile, runtime.ConfigError, r"unknown profile 'turbo'", r"set EA_PROFILE to one of quick, full"),
    Case(negative_seed, runtime.ConfigError, r"seed must lie in \[0, 2\*\*32\), got -1", r"set EA_SEED"),
    Case(text_seed, runtime.ConfigError, r"seed must be an integer, got 'zero'", r"set EA_SEED to a whole number"),
    Case(unknown_head_model, ValueError, r"unknown head 'transformer'", r"choose one of attention, gap, gmp, flatten"),
    Case(unknown_head_training, ValueError, r"unknown head 'transformer'", r"choose one of"),
    Case(negative_epochs, ValueError, r"epochs .* got -2", r"must be a positive integer"),
    Case(zero_batch_size, ValueError, r"batch_size .* got 0", r"must be a positive integer"),
    Case(nan_learning_rate, ValueError, r"learning_rate .* got nan", r"must be a positive finite number"),
    Case(save_into_missing_folder, FileNotFoundError, r"folder .*not/here does not exist", r"create it first", True),
    Case(save_into_a_file, NotADirectoryError, r"keep\.txt is a file, not a folder", r"choose a folder", True),
    Case(save_into_unwritable_folder, PermissionError, r"cannot write cnn\.keras into the folder", r"choose a folder you can write to", True),
    Case(save_wrong_suffix, artifacts.ArtifactError, r"'cnn\.h5' does not end in \.keras", r"rename it, e\.g\. 'cnn\.keras'", True),
    Case(save_lambda_model, artifacts.ArtifactError, r"model 'shifted' contains Lambda layers \['shifted/plus_one'\]", r"register_keras_serializable", True),
    Case(load_missing_model, FileNotFoundError, r"absent\.keras does not exist", r"save one with save_model"),
    Case(load_text_as_model, artifacts.ArtifactError, r"notes\.keras is not a Keras archive", r"save the model again"),
    Case(load_zip_without_config, artifacts.ArtifactError, r"without config\.json", r"save the model again"),
    Case(save_json_array, TypeError, r"cannot save dict as JSON", r"\.tolist\(\)", True),
    Case(save_json_nan, ValueError, r"cannot save dict as JSON", r"replace NaN/inf", True),
    Case(load_invalid_json, artifacts.ArtifactError, r"broken\.json is not valid JSON", r"regenerate it"),
    Case(resume_interrupt_out_of_range, ValueError, r"interrupt_after must be an epoch in \[1, 1\]", r"or None", True),
    Case(resume_backup_parent_missing, FileNotFoundError, r"parent .* does not exist", r"create it first", True),
    Case(resume_uncompiled_model, ValueError, r"model is not compiled", r"compile_classifier", True),
]


def test_catalogue_is_large_and_distinct():
    names = [c.run.__name__ for c in CASES]
    assert len(set(names)) == len(names) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.run.__name__ for c in CASES])
def test_bad_input_gets_a_clear_error(case, tmp_path, monkeypatch):
    env = Env(tmp_path, monkeypatch)
    before = sorted(p.relative_to(env.out) for p in env.out.rglob("*"))
    with pytest.raises(case.error) as err:
        case.run(env)
    message = str(err.value)
    assert re.search(case.problem, message), f"problem not named: {message}"
    assert re.search(case.fix, message), f"no fix suggested: {message}"
    if case.writes:
        after = sorted(p.relative_to(env.out) for p in env.out.rglob("*"))
        assert after == before, f"left on disk after the error: {set(after) - set(before)}"
        assert (env.out / "keep.txt").read_text() == "an earlier result\n"


def test_library_errors_are_exported():
    assert issubclass(data.DataNotFoundError, FileNotFoundError) and issubclass(runtime.ConfigError, ValueError)
    assert ea.train.artifacts.ArtifactError is artifacts.ArtifactError
