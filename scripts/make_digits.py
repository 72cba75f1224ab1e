"""Write the shipped digits dataset into ``data/digits`` and its SHA-256 manifest.

The images come from scikit-learn's bundled copy of the UCI "Optical Recognition of
Handwritten Digits" test set (1,797 real 8x8 greyscale images, values 0..16). The split is
stratified and fixed (``random_state=0``), so re-running the script reproduces the same
files and the same manifest byte for byte.

Usage: python -m scripts.make_digits [--out data]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

TEST_FRACTION = 0.2
SPLIT_SEED = 0


def write_digits(out: Path) -> int:
    """Write PNGs and ``MANIFEST.sha256`` under ``out``; return the number of images."""
    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    labels = digits.target.astype(int)
    index = np.arange(len(labels))
    train_idx, test_idx = train_test_split(
        index, test_size=TEST_FRACTION, stratify=labels, random_state=SPLIT_SEED
    )
    out.mkdir(parents=True, exist_ok=True)
    # Build in a temporary folder and move it in place, so a failure leaves no half-written set.
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        staging = Path(tmp) / "digits"
        for split, idx in (("train", train_idx), ("test", test_idx)):
            for i in sorted(idx):
                folder = staging / split / str(labels[i])
                folder.mkdir(parents=True, exist_ok=True)
                Image.fromarray(images[i], mode="L").save(folder / f"{i:04d}.png", optimize=False)
        target = out / "digits"
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    manifest = out / "MANIFEST.sha256"
    # Keep the lines of the other shipped datasets (chapter 6.2's intents, ...); sort by path.
    others = [line + "\n" for line in (manifest.read_text(encoding="utf-8").splitlines() if manifest.is_file() else [])
              if line.strip() and not line.split(maxsplit=1)[1].startswith("digits/")]
    lines = []
    for path in sorted((out / "digits").rglob("*.png")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(out).as_posix()}\n")
    count = len(lines)
    lines = sorted(lines + others, key=lambda line: line.split(maxsplit=1)[1])
    tmp_manifest = manifest.with_suffix(".tmp")
    tmp_manifest.write_text("".join(lines), encoding="utf-8")
    tmp_manifest.replace(manifest)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()
    count = write_digits(args.out)
    print(f"wrote {count} images and {args.out / 'MANIFEST.sha256'}")


if __name__ == "__main__":
    main()
