"""Datasets: the shipped digits, cluttered canvases built from them, and MNIST.

Introduced in chapter 5.2 ("The seed's classifier, modernized"). The shipped data lives in
``data/digits/{train,test}/{0..9}/*.png`` and is checked against ``data/MANIFEST.sha256``
before anything reads it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPLITS = ("train", "test")
NUM_CLASSES = 10
DIGIT_SIZE = 8
MANIFEST_NAME = "MANIFEST.sha256"


class DataError(RuntimeError):
    """The shipped data is missing, changed or unreadable."""


class DataNotFoundError(DataError, FileNotFoundError):
    """The data folder or a file in it does not exist."""


class DataIntegrityError(DataError):
    """A file differs from the manifest, or cannot be decoded."""


def data_root() -> Path:
    """Return the folder that holds ``MANIFEST.sha256`` and ``digits/``.

    Looks at ``EA_DATA_DIR`` first, then the repository the package was installed from, then
    the current folder and its parents (a chapter run from ``book/`` finds ``../data``).
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
    candidates = [Path(__file__).resolve().parents[1] / "data"]
    here = Path.cwd().resolve()
    candidates += [p / "data" for p in (here, *here.parents)]
    for root in candidates:
        if (root / MANIFEST_NAME).is_file():
            return root
    raise DataNotFoundError(
        "cannot find the book's data/ folder (looked next to the package and in the current "
        "folder and its parents): run from a clone of the repository, or set EA_DATA_DIR to "
        "its data/ folder; `python scripts/make_digits.py` rebuilds it"
    )


_VERIFIED: dict[Path, float] = {}


def verify_manifest(root: Path | None = None, force: bool = False) -> int:
    """Check every file listed in ``MANIFEST.sha256`` (and no extra PNG); return the count.

    Raises :class:`DataNotFoundError` for a missing file and :class:`DataIntegrityError` for a
    changed or unlisted one, naming the file and how to restore it.
    """
    root = Path(root) if root is not None else data_root()
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        raise DataNotFoundError(f"{manifest} is missing: restore it with `git checkout -- data`")
    stamp = manifest.stat().st_mtime
    if not force and _VERIFIED.get(root.resolve()) == stamp:
        return -1
    listed: set[str] = set()
    fix = "restore it with `git checkout -- data` or rebuild with `python scripts/make_digits.py`"
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            digest, rel = line.split(maxsplit=1)
        except ValueError:
            raise DataIntegrityError(f"{manifest}:{number} is not 'sha256  path': {fix}") from None
        rel = rel.strip()
        listed.add(rel)
        path = root / rel
        if not path.is_file():
            raise DataNotFoundError(f"data file {path} listed in the manifest is missing: {fix}")
        content = path.read_bytes()
        actual = hashlib.sha256(content).hexdigest()
        if actual != digest:
            raise DataIntegrityError(f"data file {path} does not match its SHA-256 in the manifest: {fix}")
        if rel.endswith(".png"):
            _check_png_header(path, content, fix)
    for path in (root / "digits").rglob("*.png") if (root / "digits").is_dir() else []:
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            raise DataIntegrityError(f"data file {path} is not in the manifest: remove it, or {fix}")
    _VERIFIED[root.resolve()] = stamp
    return len(listed)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png_header(path: Path, content: bytes, fix: str) -> None:
    """Raise :class:`DataIntegrityError` unless ``content`` is an 8x8, 8-bit grayscale PNG.

    Reads the IHDR header only (no decoding), so that a manifest rewritten to match a damaged
    or foreign image is still caught before any loader sees it.
    """
    if len(content) < 26 or content[:8] != _PNG_SIGNATURE or content[12:16] != b"IHDR":
        raise DataIntegrityError(f"cannot decode {path}: it is not a PNG image; {fix}")
    width, height = int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if (height, width) != (DIGIT_SIZE, DIGIT_SIZE):
        raise DataIntegrityError(f"{path} is {height}x{width} pixels, expected 8x8: {fix}")
    bit_depth, color_type = content[24], content[25]
    if (bit_depth, color_type) != (8, 0):
        kinds = {0: "grayscale", 2: "RGB", 3: "palette", 4: "grayscale+alpha", 6: "RGBA"}
        raise DataIntegrityError(
            f"{path} is {bit_depth}-bit {kinds.get(color_type, f'color type {color_type}')}, expected "
            f"8-bit grayscale (one channel): {fix}"
        )


def _split_dir(split: str, root: Path | None) -> Path:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    root = Path(root) if root is not None else data_root()
    verify_manifest(root)
    folder = root / "digits" / split
    if not folder.is_dir():
        raise DataNotFoundError(f"{folder} is missing: rebuild it with `python scripts/make_digits.py`")
    if next(folder.glob("*/*.png"), None) is None:
        raise DataNotFoundError(
            f"{folder} holds no PNG images (the {split} split is empty): restore it with "
            "`git checkout -- data` or rebuild it with `python scripts/make_digits.py`"
        )
    return folder


def load_digit_arrays(split: str, root: Path | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(images, labels, ids)`` of one split: uint8 ``(N, 8, 8)``, int ``(N,)``, int ``(N,)``.

    ``ids`` are the source image numbers (the PNG names), so two splits can be shown disjoint.
    """
    from PIL import Image, UnidentifiedImageError

    folder = _split_dir(split, root)
    images, labels, ids = [], [], []
    for path in sorted(folder.glob("*/*.png")):
        try:
            with Image.open(path) as img:
                img.load()
                array = np.asarray(img.convert("L"))
        except (UnidentifiedImageError, OSError) as exc:
            raise DataIntegrityError(f"cannot decode {path} ({exc}): restore it with `git checkout -- data`") from None
        if array.shape != (DIGIT_SIZE, DIGIT_SIZE):
            raise DataIntegrityError(f"{path} is {array.shape}, expected 8x8: restore it with `git checkout -- data`")
        images.append(array)
        labels.append(int(path.parent.name))
        ids.append(int(path.stem))
    if not images:
        raise DataNotFoundError(f"{folder} holds no PNG images: rebuild it with `python scripts/make_digits.py`")
    return np.stack(images), np.asarray(labels, dtype=np.int64), np.asarray(ids, dtype=np.int64)


def digits_dataset(split: str, batch_size: int = 64, shuffle: bool | None = None, seed: int = 0, root: Path | None = None):
    """Return a ``tf.data.Dataset`` of ``(image, label)`` batches; images float32 in [0, 1], ``(8, 8, 1)``.

    Reads the folder with ``keras.utils.image_dataset_from_directory`` (the Keras 3 successor of
    ``ImageDataGenerator.flow_from_directory``), then rescales, caches in memory, shuffles (train
    only by default) and prefetches.
    """
    import keras
    import tensorflow as tf

    if not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    folder = _split_dir(split, root)
    shuffle = split == "train" if shuffle is None else shuffle
    ds = keras.utils.image_dataset_from_directory(
        folder,
        labels="inferred",
        label_mode="int",
        class_names=[str(i) for i in range(NUM_CLASSES)],
        color_mode="grayscale",
        image_size=(DIGIT_SIZE, DIGIT_SIZE),
        batch_size=None,
        shuffle=False,
        verbose=False,
    )
    ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y), num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def digits_splits(batch_size: int = 32, validation_fraction: float = 0.1, seed: int = 0, root: Path | None = None):
    """Return ``(train, validation, test)`` datasets of the shipped digits.

    The validation set is carved out of the train folder (``validation_fraction`` of it, chosen
    with ``seed``), so the test folder is touched once, at the end. Batches are shuffled for
    training only.
    """
    import keras
    import tensorflow as tf

    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction!r}")
    folder = _split_dir("train", root)
    train, val = keras.utils.image_dataset_from_directory(
        folder,
        label_mode="int",
        class_names=[str(i) for i in range(NUM_CLASSES)],
        color_mode="grayscale",
        image_size=(DIGIT_SIZE, DIGIT_SIZE),
        batch_size=None,
        shuffle=True,
        seed=seed,
        validation_split=validation_fraction,
        subset="both",
        verbose=False,
    )

    def rescale(x, y):
        return tf.cast(x, tf.float32) / 255.0, y

    train = train.map(rescale).cache().shuffle(4096, seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)
    val = val.map(rescale).cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)
    test = digits_dataset("test", batch_size=batch_size, shuffle=False, root=root)
    return train, val, test


@dataclass(frozen=True)
class ClutteredDigits:
    """Cluttered canvases: ``images`` float32 ``(N, H, W, 1)`` in [0, 1], ``labels`` ``(N,)``,
    ``boxes`` ``(N, 4)`` as ``(top, left, bottom, right)`` with bottom/right exclusive (the tight
    box of the digit's ink), ``source_ids`` ``(N,)`` the shipped image each digit came from."""

    images: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray
    source_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def _upscale(image: np.ndarray, scale: int) -> np.ndarray:
    return np.kron(image, np.ones((scale, scale), dtype=image.dtype))


def make_cluttered(
    split: str,
    canvas_size: int = 40,
    scale: int = 2,
    clutter: tuple[int, int] = (4, 8),
    fragment_size: tuple[int, int] = (3, 5),
    copies: int = 1,
    seed: int = 0,
    root: Path | None = None,
) -> ClutteredDigits:
    """Return cluttered canvases made from one split of the shipped digits.

    Each canvas holds one digit, upscaled ``scale`` times, at a random spot, plus between
    ``clutter[0]`` and ``clutter[1]`` fragments: random ``fragment_size`` crops of *other* digits
    of the same split, upscaled alike and kept off the digit's square. Train and test canvases
    therefore never share a source digit. ``copies`` canvases are made per source digit. The
    result depends only on the arguments (same seed, same canvases).
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    side = DIGIT_SIZE * scale
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    if canvas_size < side:
        raise ValueError(f"canvas_size={canvas_size} is smaller than the scaled digit ({side} px): enlarge the canvas")
    lo, hi = clutter
    if not 0 <= lo <= hi:
        raise ValueError(f"clutter must be (min, max) with 0 <= min <= max, got {clutter!r}")
    if not 1 <= fragment_size[0] <= fragment_size[1] <= DIGIT_SIZE:
        raise ValueError(f"fragment_size must satisfy 1 <= min <= max <= 8, got {fragment_size!r}")
    if not isinstance(copies, int) or copies < 1:
        raise ValueError(f"copies must be a positive integer, got {copies!r}")

    digits, labels, ids = load_digit_arrays(split, root)
    digits = digits.astype(np.float32) / 255.0
    # Split-specific stream: the test canvases do not depend on how many train canvases exist.
    rng = np.random.default_rng([seed, SPLITS.index(split), canvas_size, scale])
    n = len(labels) * copies
    images = np.zeros((n, canvas_size, canvas_size, 1), dtype=np.float32)
    boxes = np.zeros((n, 4), dtype=np.int64)
    out_labels = np.repeat(labels, copies)
    out_ids = np.repeat(ids, copies)
    source = np.repeat(np.arange(len(labels)), copies)
    for k in range(n):
        canvas = images[k, :, :, 0]
        top, left = rng.integers(0, canvas_size - side + 1, size=2)
        for _ in range(int(rng.integers(lo, hi + 1))):
            other = int(rng.integers(len(labels) - 1))
            other += other >= source[k]  # never the digit itself
            fh, fw = rng.integers(fragment_size[0], fragment_size[1] + 1, size=2)
            fy, fx = rng.integers(0, DIGIT_SIZE - fh + 1), rng.integers(0, DIGIT_SIZE - fw + 1)
            patch = _upscale(digits[other, fy : fy + fh, fx : fx + fw], scale)
            ph, pw = patch.shape
            for _attempt in range(20):
                py, px = rng.integers(0, canvas_size - ph + 1), rng.integers(0, canvas_size - pw + 1)
                apart = py + ph <= top or py >= top + side or px + pw <= left or px >= left + side
                if apart:
                    region = canvas[py : py + ph, px : px + pw]
                    np.maximum(region, patch, out=region)
                    break
        digit = _upscale(digits[source[k]], scale)
        canvas[top : top + side, left : left + side] = digit
        rows, cols = np.nonzero(digit > 0)
        boxes[k] = (top + rows.min(), left + cols.min(), top + rows.max() + 1, left + cols.max() + 1)
    return ClutteredDigits(images=images, labels=out_labels, boxes=boxes, source_ids=out_ids)


def load_mnist(max_train: int | None = None, max_test: int | None = None):
    """Return MNIST as ``((x_train, y_train), (x_test, y_test), source)``, images float32 ``(N, 28, 28, 1)``.

    Used by the full profile. MNIST is downloaded by Keras on first use; when that fails (no
    network), this falls back to the shipped digits upscaled to 24x24 and padded to 28x28, says
    so, and returns ``source="shipped digits (offline fallback)"``.
    """
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        source = "MNIST"
    except Exception as exc:  # no network, blocked host, partial download
        print(f"MNIST could not be loaded ({type(exc).__name__}: {exc}); using the shipped digits instead.")
        parts = []
        for split in SPLITS:
            images, labels, _ = load_digit_arrays(split)
            big = np.pad(np.stack([_upscale(im, 3) for im in images]), ((0, 0), (2, 2), (2, 2)))
            # The folders are read class by class; shuffle (fixed order) as MNIST is, so that a
            # validation slice taken from the front holds every class.
            order = np.random.default_rng(SPLITS.index(split)).permutation(len(labels))
            parts.append((big[order], labels[order]))
        (x_train, y_train), (x_test, y_test) = parts
        source = "shipped digits (offline fallback)"
    x_train = x_train[:max_train].astype(np.float32)[..., None] / 255.0
    x_test = x_test[:max_test].astype(np.float32)[..., None] / 255.0
    return (x_train, y_train[:max_train].astype(np.int64)), (x_test, y_test[:max_test].astype(np.int64)), source
