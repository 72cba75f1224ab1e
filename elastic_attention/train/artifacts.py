"""Safe artifacts: atomic ``.keras`` saving, ``safe_mode`` loading, atomic JSON and text writes.

Introduced in chapter 5.5 ("Training that survives interruption"). A job on preemptible or
elastic compute can be stopped at any instant, including in the middle of writing a file. Every
writer here therefore writes into a temporary name in the destination folder and renames it into
place with :func:`os.replace`, which is atomic on one filesystem: a reader sees the old file or
the new one, never half of one, and a failure leaves no partial file behind.

Models are loaded with ``safe_mode=True``, which refuses to run code stored in the file (the
bytecode of ``Lambda`` layers). The book's models contain no ``Lambda`` layers, and
:func:`save_model` refuses models that do, so that every saved model can be loaded safely.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any

__all__ = [
    "ArtifactError",
    "lambda_layers",
    "save_model",
    "load_model",
    "write_text_atomic",
    "save_json",
    "load_json",
]

KERAS_SUFFIX = ".keras"


class ArtifactError(ValueError):
    """A file is not what the book can save or load (wrong suffix, not a Keras archive, unsafe content).

    Introduced in chapter 5.5.
    """


def _writable_folder(path: Path) -> Path:
    """Return the folder ``path`` will be written into, or raise a clear error if it cannot be."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.exists():
        raise FileNotFoundError(
            f"cannot write {path.name}: the folder {folder} does not exist; create it first "
            f"(e.g. `os.makedirs({str(folder)!r}, exist_ok=True)`) or choose an existing folder"
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"cannot write {path.name}: {folder} is a file, not a folder; choose a folder to save into"
        )
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: a folder of that name exists; choose a file name")
    return folder


def _temp_error(folder: Path, name: str, exc: OSError) -> OSError:
    return PermissionError(
        f"cannot write {name} into the folder {folder} ({exc.strerror or exc}): choose a folder you "
        "can write to, or fix its permissions"
    )


def _file_mode(path: Path) -> int:
    """Return the permission bits a plain ``open(path, "w")`` would give (kept from an existing file)."""
    if path.is_file():
        return stat.S_IMODE(path.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_text_atomic(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path. Introduced in chapter 5.5.

    The text goes to a temporary file in the same folder, is flushed to disk, and replaces
    ``path`` in one rename; if anything fails the temporary file is removed and ``path`` is left
    as it was.
    """
    path = Path(path)
    folder = _writable_folder(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _temp_error(folder, path.name, exc) from None
    try:
        os.fchmod(fd, _file_mode(path))  # mkstemp creates 0600; match what a plain write would give
        with os.fdopen(fd, "w", encoding=encoding) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_json(obj: Any, path: str | os.PathLike) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically and return the path. Introduced in chapter 5.5.

    The object is serialized before anything touches the disk, so an object JSON cannot encode
    (a NumPy array, a set) raises a ``TypeError`` and writes nothing.
    """
    try:
        text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"cannot save {type(obj).__name__} as JSON ({exc}): convert arrays with .tolist(), "
            "NumPy numbers with float()/int(), and replace NaN/inf"
        ) from None
    return write_text_atomic(path, text)


def load_json(path: str | os.PathLike) -> Any:
    """Return the object stored in the JSON file ``path``. Introduced in chapter 5.5."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: check the path, or create it with save_json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path} is not valid JSON ({exc}): regenerate it with save_json") from None


def lambda_layers(model) -> list[str]:
    """Return the paths (``outer/inner``) of every ``keras.layers.Lambda`` in ``model``, nested models included.

    Introduced in chapter 5.5. A ``Lambda`` layer stores Python bytecode in the saved file, which
    ``safe_mode=True`` refuses to load; the book's models must return ``[]``.
    """
    import keras

    found: list[str] = []

    def walk(layer, prefix: str) -> None:
        name = f"{prefix}{layer.name}"
        if isinstance(layer, keras.layers.Lambda):
            found.append(name)
        for child in getattr(layer, "layers", None) or []:
            walk(child, f"{name}/")

    walk(model, "")
    return found


def _check_suffix(path: Path) -> None:
    if path.suffix != KERAS_SUFFIX:
        raise ArtifactError(
            f"{path.name!r} does not end in {KERAS_SUFFIX}: Keras 3 saves whole models only to "
            f"'.keras' archives; rename it, e.g. {path.with_suffix(KERAS_SUFFIX).name!r}"
        )


def save_model(model, path: str | os.PathLike) -> Path:
    """Save ``model`` to the ``.keras`` archive ``path`` atomically and return the path.

    Introduced in chapter 5.5. The archive is written into a temporary folder next to ``path``
    and renamed into place, so an interrupted or failed save leaves either the previous file or
    nothing, never a truncated archive. Models with ``Lambda`` layers are refused, since they could
    not be loaded back with ``safe_mode=True``.
    """
    import keras

    path = Path(path)
    _check_suffix(path)
    if not isinstance(model, keras.Model):
        raise TypeError(f"save_model expects a keras.Model, got {type(model).__name__}")
    unsafe = lambda_layers(model)
    if unsafe:
        raise ArtifactError(
            f"model {model.name!r} contains Lambda layers {unsafe}, which cannot be loaded with "
            "safe_mode=True: replace each with a keras.layers.Layer subclass registered with "
            "@keras.saving.register_keras_serializable"
        )
    folder = _writable_folder(path)
    try:
        tmp_dir = Path(tempfile.mkdtemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as exc:
        raise _temp_error(folder, path.name, exc) from None
    try:
        tmp = tmp_dir / path.name
        model.save(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return path


def load_model(path: str | os.PathLike, compile: bool = True):
    """Return the Keras model stored in the ``.keras`` archive ``path``, loaded with ``safe_mode=True``.

    Introduced in chapter 5.5. The book's custom layers are registered before loading, so no
    ``custom_objects`` are needed. A missing file, a wrong suffix, a file that is not a Keras
    archive, or an archive that needs unsafe deserialization each raise an error that says so.
    """
    import keras

    from ..nn import layers  # noqa: F401  (registers the book's serializable layers)

    path = Path(path)
    _check_suffix(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist: check the path, or save one with save_model")
    if not zipfile.is_zipfile(path):
        raise ArtifactError(
            f"{path} is not a Keras archive (a .keras file is a zip with config.json inside): it may be "
            "truncated or another format; save the model again with save_model"
        )
    with zipfile.ZipFile(path) as archive:
        if "config.json" not in archive.namelist():
            raise ArtifactError(f"{path} is a zip file without config.json, not a Keras archive: save the model again")
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except ValueError as exc:
        if "safe_mode" in str(exc) or "Lambda" in str(exc):
            raise ArtifactError(
                f"{path} needs unsafe deserialization (it stores Python code, e.g. a Lambda layer): "
                "rebuild the model without Lambda layers; load it with safe_mode=False only if you "
                "wrote the file yourself"
            ) from exc
        raise
