"""The shipped digits: 1,797 real 8x8 handwritten digits (UCI, CC BY 4.0) in ``data/digits/``.

Introduced in chapter 5.2 ("The seed's classifier, modernized"). Images live in
``data/digits/{train,test}/{0..9}/*.png`` and are checked against the manifest (see
:mod:`elastic_attention.data.registry`) before anything reads them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _validate as valid
from .registry import DataIntegrityError, DataNotFoundError, DatasetSpec, data_root, register, verify_manifest

__all__ = ["SPLITS", "NUM_CLASSES", "DIGIT_SIZE", "DIGITS", "load_digit_arrays", "digits_dataset",
           "digits_splits", "upscale"]

SPLITS = ("train", "test")
NUM_CLASSES = 10
DIGIT_SIZE = 8


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


DIGITS = register(DatasetSpec(
    name="digits",
    folder="digits",
    suffixes=(".png",),
    licence="CC BY 4.0",
    source="Optical Recognition of Handwritten Digits (Alpaydin and Kaynak, UCI, 1998), as bundled with scikit-learn",
    chapter="5.2",
    loader="elastic_attention.data.load_digit_arrays",
    rebuild="python -m scripts.make_digits",
    check=_check_png_header,
))


def upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Return ``image`` with every pixel repeated ``scale`` times along both axes. Introduced in chapter 5.3."""
    return np.kron(image, np.ones((scale, scale), dtype=image.dtype))


def _split_dir(split: str, root: Path | None) -> Path:
    valid.one_of(split, SPLITS, "split")
    root = Path(root) if root is not None else data_root()
    verify_manifest(root)
    folder = root / "digits" / split
    if not folder.is_dir():
        raise DataNotFoundError(f"{folder} is missing: rebuild it with `python -m scripts.make_digits`")
    if next(folder.glob("*/*.png"), None) is None:
        raise DataNotFoundError(
            f"{folder} holds no PNG images (the {split} split is empty): restore it with "
            "`git checkout -- data` or rebuild it with `python -m scripts.make_digits`"
        )
    return folder


def load_digit_arrays(split: str, root: Path | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(images, labels, ids)`` of one split: uint8 ``(N, 8, 8)``, int ``(N,)``, int ``(N,)``.

    ``ids`` are the source image numbers (the PNG names), so two splits can be shown disjoint.

    Introduced in chapter 5.2.
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
        raise DataNotFoundError(f"{folder} holds no PNG images: rebuild it with `python -m scripts.make_digits`")
    return np.stack(images), np.asarray(labels, dtype=np.int64), np.asarray(ids, dtype=np.int64)


def _read_folder(folder: Path, **split):
    """Read a class-per-folder tree of 8x8 greyscale PNGs as unbatched ``(uint8 image, int label)`` pairs."""
    import keras

    return keras.utils.image_dataset_from_directory(
        folder, labels="inferred", label_mode="int", class_names=[str(i) for i in range(NUM_CLASSES)],
        color_mode="grayscale", image_size=(DIGIT_SIZE, DIGIT_SIZE), batch_size=None, verbose=False, **split)


def _rescale(x, y):
    import tensorflow as tf

    return tf.cast(x, tf.float32) / 255.0, y


def digits_dataset(split: str, batch_size: int = 64, shuffle: bool | None = None, seed: int = 0, root: Path | None = None):
    """Return a ``tf.data.Dataset`` of ``(image, label)`` batches; images float32 in [0, 1], ``(8, 8, 1)``.

    Reads the folder with ``keras.utils.image_dataset_from_directory`` (the Keras 3 successor of
    ``ImageDataGenerator.flow_from_directory``), then rescales, caches in memory, shuffles (train
    only by default) and prefetches.

    Introduced in chapter 5.2.
    """
    import tensorflow as tf

    valid.positive_int(batch_size, "batch_size")
    folder = _split_dir(split, root)
    shuffle = split == "train" if shuffle is None else shuffle
    ds = _read_folder(folder, shuffle=False).map(_rescale, num_parallel_calls=tf.data.AUTOTUNE).cache()
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def digits_splits(batch_size: int = 32, validation_fraction: float = 0.1, seed: int = 0, root: Path | None = None):
    """Return ``(train, validation, test)`` datasets of the shipped digits.

    The validation set is carved out of the train folder (``validation_fraction`` of it, chosen
    with ``seed``), so the test folder is touched once, at the end. Batches are shuffled for
    training only.

    Introduced in chapter 5.2.
    """
    import tensorflow as tf

    valid.positive_int(batch_size, "batch_size")
    valid.probability(validation_fraction, "validation_fraction", open_interval=True)
    folder = _split_dir("train", root)
    train, val = _read_folder(folder, shuffle=True, seed=seed, validation_split=validation_fraction, subset="both")
    train = train.map(_rescale).cache().shuffle(4096, seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)
    val = val.map(_rescale).cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)
    test = digits_dataset("test", batch_size=batch_size, shuffle=False, root=root)
    return train, val, test


