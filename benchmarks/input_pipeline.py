"""The seed's input path against the book's, side by side in one run.

Seed (Keras 2 era): ``ImageDataGenerator(rescale=1/255).flow_from_directory`` over
``data/digits/train``, decoding PNGs in Python on every epoch. Book: ``image_dataset_from_directory``
→ ``map`` → ``cache`` → ``shuffle`` → ``batch`` → ``prefetch`` (``ea.data.digits_dataset``).

Both feed the same model (the seed's CNN) for the same number of passes over the folder; the
script prints images/s for reading alone and for training, and the ratios.
Usage: python -m benchmarks.input_pipeline [--epochs N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


import elastic_attention as ea  # noqa: E402

TRAIN_IMAGES = 1437


def legacy_generator_class():
    """Return Keras's legacy ``ImageDataGenerator`` (moved out of the public API in Keras 3)."""
    for path in ("keras.preprocessing.image", "keras._legacy.preprocessing.image", "keras.src.legacy.preprocessing.image"):
        try:
            module = __import__(path, fromlist=["ImageDataGenerator"])
            return module.ImageDataGenerator
        except (ImportError, AttributeError):
            continue
    raise RuntimeError("this Keras has no ImageDataGenerator left to compare against")


def seed_iterator(batch_size: int, seed: int):
    generator = legacy_generator_class()(rescale=1.0 / 255)
    return generator.flow_from_directory(
        str(ea.data.data_root() / "digits" / "train"), target_size=(8, 8), color_mode="grayscale",
        class_mode="sparse", batch_size=batch_size, shuffle=True, seed=seed,
    )


def book_dataset(batch_size: int, seed: int):
    return ea.data.digits_dataset("train", batch_size=batch_size, seed=seed)


def images_per_second_input(source, epochs: int) -> float:
    """Images per second when only reading ``epochs`` passes over the training folder."""
    batches = len(source)  # the legacy iterator never ends by itself: one pass is len() batches
    count = 0
    start = time.perf_counter()
    for _ in range(epochs):
        for x, _y in itertools.islice(iter(source), batches):
            count += len(x)
    return count / (time.perf_counter() - start)


def images_per_second_training(source, epochs: int, steps_per_execution: int = 1) -> float:
    """Images per second when training the seed's CNN for ``epochs`` passes (after a warm-up pass)."""
    model = ea.train.loops.compile_classifier(ea.nn.models.seed_cnn(), learning_rate=1e-3)
    if steps_per_execution > 1:
        # Several training steps per call into TensorFlow: less Python overhead per step.
        model.compile(optimizer=model.optimizer, loss=model.loss, metrics=["accuracy"], steps_per_execution=steps_per_execution)
    model.fit(source, epochs=1, verbose=0)  # build and trace outside the timing
    start = time.perf_counter()
    history = model.fit(source, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - start
    assert len(history.history["loss"]) == epochs
    return epochs * TRAIN_IMAGES / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    cfg = ea.runtime.setup(profile="quick")
    rows = []
    measures = (
        ("input only", images_per_second_input),
        ("training", images_per_second_training),
        ("training, 8 steps per call", lambda source, epochs: images_per_second_training(source, epochs, 8)),
    )
    for what, measure in measures:
        seed_rate = measure(seed_iterator(args.batch_size, cfg.seed), args.epochs)
        book_rate = measure(book_dataset(args.batch_size, cfg.seed), args.epochs)
        rows.append((what, seed_rate, book_rate))
    print(f"\n{'':<28}{'seed ImageDataGenerator':>26}{'book tf.data':>16}{'ratio':>8}")
    for what, seed_rate, book_rate in rows:
        print(f"{what:<28}{seed_rate:>20,.0f} img/s{book_rate:>10,.0f} img/s{book_rate / seed_rate:>7.1f}x")
    print(f"({args.epochs} passes over {TRAIN_IMAGES} training images, batches of {args.batch_size}, {cfg.device}; same model)")


if __name__ == "__main__":
    main()
