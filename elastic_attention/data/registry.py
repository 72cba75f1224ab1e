"""The dataset registry: every dataset the book ships, with its files, SHA-256, licence and loader.

Introduced in chapter 5.2. The shipped data lives under ``data/`` (found by :func:`data_root`)
and ``data/MANIFEST.sha256`` lists the SHA-256 of every file. Each dataset registers a
:class:`DatasetSpec` (its folder, licence, source, the chapter that introduces it, the function
that loads it and the command that rebuilds it) with :func:`register`; :func:`verify_manifest`
checks every listed file, refuses unlisted files in a registered folder, and runs the dataset's
own header check. Like d2l's ``DATA_HUB``, but offline: nothing is downloaded.

To add a dataset: put its files under ``data/<folder>/``, add their hashes to the manifest
(``python -m scripts.make_manifest``), and call :func:`register` in the module that loads it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DataError", "DataNotFoundError", "DataIntegrityError", "DatasetSpec", "MANIFEST_NAME",
    "data_root", "register", "get", "names", "files", "verify_manifest",
]

MANIFEST_NAME = "MANIFEST.sha256"


class DataError(RuntimeError):
    """The shipped data is missing, changed or unreadable. Introduced in chapter 5.2."""


class DataNotFoundError(DataError, FileNotFoundError):
    """The data folder or a file in it does not exist. Introduced in chapter 5.2."""


class DataIntegrityError(DataError):
    """A file differs from the manifest, or cannot be decoded. Introduced in chapter 5.2."""


def data_root() -> Path:
    """Return the folder that holds ``MANIFEST.sha256`` and ``digits/``.

    Looks at ``EA_DATA_DIR`` first, then the repository the package was installed from, then
    the current folder and its parents (a chapter run from ``book/`` finds ``../data``).

    Introduced in chapter 5.2.
    """
    env = os.environ.get("EA_DATA_DIR")
    if env:
        root = Path(env).expanduser()
        if not (root / MANIFEST_NAME).is_file():
            raise DataNotFoundError(
                f"EA_DATA_DIR={env!r} has no {MANIFEST_NAME}: point it at the book's data/ folder "
                "or unset it"
            )
        return root
    candidates = [Path(__file__).resolve().parents[2] / "data"]
    here = Path.cwd().resolve()
    candidates += [p / "data" for p in (here, *here.parents)]
    for root in candidates:
        if (root / MANIFEST_NAME).is_file():
            return root
    raise DataNotFoundError(
        "cannot find the book's data/ folder (looked next to the package and in the current "
        "folder and its parents): run from a clone of the repository, or set EA_DATA_DIR to "
        "its data/ folder; `python -m scripts.make_digits` rebuilds it"
    )


@dataclass(frozen=True)
class DatasetSpec:
    """One shipped dataset: ``name``, its ``folder`` under ``data/``, the ``suffixes`` of its files,
    ``licence``, ``source``, the ``chapter`` that introduces it, the ``loader`` a chapter calls,
    the ``rebuild`` command, and an optional ``check(path, content)`` run on each file.

    Introduced in chapter 5.2.
    """

    name: str
    folder: str
    suffixes: tuple[str, ...]
    licence: str
    source: str
    chapter: str
    loader: str
    rebuild: str
    check: Callable[[Path, bytes, str], None] | None = None


_REGISTRY: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add ``spec`` to the registry (again with the same folder is a no-op) and return it.

    Introduced in chapter 5.2.
    """
    old = _REGISTRY.get(spec.name)
    if old is not None and old.folder != spec.folder:
        raise ValueError(f"dataset {spec.name!r} is already registered with folder {old.folder!r}")
    _REGISTRY[spec.name] = spec
    return spec


def names() -> list[str]:
    """Return the names of the registered datasets, sorted. Introduced in chapter 5.2."""
    return sorted(_REGISTRY)


def get(name: str) -> DatasetSpec:
    """Return the :class:`DatasetSpec` registered as ``name``. Introduced in chapter 5.2."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no dataset {name!r} is registered: choose one of {', '.join(names()) or '(none)'}") from None


def _manifest_lines(root: Path):
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        raise DataNotFoundError(f"{manifest} is missing: restore it with `git checkout -- data`")
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            digest, rel = line.split(maxsplit=1)
        except ValueError:
            raise DataIntegrityError(f"{manifest}:{number} is not 'sha256  path': restore it with `git checkout -- data`") from None
        yield digest, rel.strip()


def files(name: str, root: Path | None = None) -> dict[str, str]:
    """Return ``{relative path: sha256}`` of the files of dataset ``name``, as the manifest lists them.

    Introduced in chapter 5.2.
    """
    spec = get(name)
    root = Path(root) if root is not None else data_root()
    prefix = spec.folder.rstrip("/") + "/"
    return {rel: digest for digest, rel in _manifest_lines(root) if rel.startswith(prefix)}


def _spec_for(rel: str) -> DatasetSpec | None:
    for spec in _REGISTRY.values():
        if rel.startswith(spec.folder.rstrip("/") + "/"):
            return spec
    return None


_VERIFIED: dict[Path, float] = {}


def verify_manifest(root: Path | None = None, force: bool = False) -> int:
    """Check every file listed in ``MANIFEST.sha256``, and that no registered dataset's folder holds
    an unlisted file; return the number of files checked (-1 when already checked and unchanged).

    Introduced in chapter 5.2. Raises :class:`DataNotFoundError` for a missing file and
    :class:`DataIntegrityError` for a changed or unlisted one, naming the file and how to restore it.
    """
    root = Path(root) if root is not None else data_root()
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        raise DataNotFoundError(f"{manifest} is missing: restore it with `git checkout -- data`")
    stamp = manifest.stat().st_mtime
    if not force and _VERIFIED.get(root.resolve()) == stamp:
        return -1
    listed: set[str] = set()
    for digest, rel in _manifest_lines(root):
        spec = _spec_for(rel)
        fix = "restore it with `git checkout -- data`" + (f" or rebuild with `{spec.rebuild}`" if spec else "")
        listed.add(rel)
        path = root / rel
        if not path.is_file():
            raise DataNotFoundError(f"data file {path} listed in the manifest is missing: {fix}")
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != digest:
            raise DataIntegrityError(f"data file {path} does not match its SHA-256 in the manifest: {fix}")
        if spec is not None and spec.check is not None:
            spec.check(path, content, fix)
    for spec in _REGISTRY.values():
        folder = root / spec.folder
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            rel = path.relative_to(root).as_posix()
            if path.is_file() and path.suffix in spec.suffixes and rel not in listed:
                raise DataIntegrityError(
                    f"data file {path} is not in the manifest: remove it, or rebuild with `{spec.rebuild}`"
                )
    _VERIFIED[root.resolve()] = stamp
    return len(listed)
