"""Data cleaning: find corrupt, duplicated and suspiciously labelled images, and plant such faults
in a copy of a dataset to see how many the checks recover.

Introduced in chapter 3.1. The methods, stated so a reader can argue with them:

- **corrupt**: an image with a NaN or infinite pixel, a pixel outside [0, 1], or no contrast at all
  (every pixel the same value: a blank or saturated frame);
- **duplicates**: two images whose pixels are identical (*exact*, found by hashing the bytes) or
  whose Euclidean distance is below ``near_fraction`` times the median nearest-neighbour distance
  of the set (*near*: the same picture re-encoded or lightly noised);
- **suspicious labels**: leave-one-out k-nearest-neighbour voting in pixel space; an image is
  flagged when at least ``min_agree`` of its ``k`` nearest other images (duplicates of it
  excluded) agree on a label different from its own.

Nothing here touches ``data/``: every function reads arrays and returns new ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as valid

__all__ = ["find_corrupt", "find_duplicates", "suspicious_labels", "neighbour_votes", "plant_faults", "CleaningReport",
           "clean_report", "recovery"]


def _images(images, allow_bad: bool = False) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, 1), got shape {arr.shape}")
    if len(arr) < 2:
        raise ValueError(f"need at least 2 images to compare, got {len(arr)}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"images must be floats in [0, 1], got dtype {arr.dtype}: divide uint8 images by 255")
    if not allow_bad:
        valid.finite(arr, "images")
    return arr.reshape(len(arr), -1).astype(np.float64)


def find_corrupt(images) -> dict[int, str]:
    """Return ``{index: reason}`` for images that are non-finite, out of [0, 1] or without contrast.

    Introduced in chapter 3.1.
    """
    flat = _images(images, allow_bad=True)
    found = {}
    for i, row in enumerate(flat):
        if not np.isfinite(row).all():
            found[i] = "NaN or infinite pixels"
        elif row.min() < 0 or row.max() > 1:
            found[i] = f"pixels outside [0, 1] ({row.min():.3g} to {row.max():.3g})"
        elif np.ptp(row) == 0:
            found[i] = f"no contrast (every pixel {row[0]:.3g})"
    return found


def _distances(flat: np.ndarray) -> np.ndarray:
    sq = (flat**2).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * flat @ flat.T, 0.0)
    d = np.sqrt(d2)
    np.fill_diagonal(d, np.inf)
    return d


def find_duplicates(images, near_fraction: float = 0.25) -> list[tuple[int, int, str]]:
    """Return ``(i, j, "exact" | "near")`` pairs, ``i < j``, of duplicated images.

    Introduced in chapter 3.1. Exact pairs share the SHA-256 of their pixels; near pairs lie closer
    than ``near_fraction`` times the median nearest-neighbour distance. Corrupt images (see
    :func:`find_corrupt`) are skipped.
    """
    near_fraction = valid.probability(near_fraction, "near_fraction")
    flat = _images(images, allow_bad=True)
    corrupt = find_corrupt(images)
    idx = np.array([i for i in range(len(flat)) if i not in corrupt])
    pairs, seen = [], {}
    for i in idx:
        digest = hashlib.sha256(flat[i].tobytes()).hexdigest()
        if digest in seen:
            pairs.append((seen[digest], int(i), "exact"))
        else:
            seen[digest] = int(i)
    d = _distances(flat[idx])
    limit = near_fraction * float(np.median(d.min(axis=1)))
    exact = {(a, b) for a, b, _ in pairs}
    for a, b in zip(*np.nonzero(np.triu(d < limit)), strict=True):
        i, j = int(idx[a]), int(idx[b])
        if (i, j) not in exact and d[a, b] > 0:
            pairs.append((i, j, "near"))
    return sorted(pairs)


def suspicious_labels(images, labels, k: int = 7, min_agree: int = 5) -> list[int]:
    """Return the indices whose label disagrees with ``min_agree`` or more of their ``k`` nearest neighbours.

    Introduced in chapter 3.1. Neighbours are other images by Euclidean pixel distance; exact and
    near duplicates of an image (distance 0) are left out so that a copy cannot vouch for itself.
    """
    flat = _images(images)
    labels = np.asarray(labels)
    if labels.shape != (len(flat),):
        raise ValueError(f"labels must be one per image, shape ({len(flat)},), got {labels.shape}")
    k = valid.positive_int(k, "k")
    min_agree = valid.positive_int(min_agree, "min_agree")
    if min_agree > k or k >= len(flat):
        raise ValueError(f"need min_agree <= k < number of images, got min_agree={min_agree}, k={k}, n={len(flat)}")
    d = _distances(flat)
    d[d == 0] = np.inf
    neighbours = np.argsort(d, axis=1)[:, :k]
    flagged = []
    for i, nb in enumerate(neighbours):
        votes = np.bincount(labels[nb], minlength=int(labels.max()) + 1)
        top = int(votes.argmax())
        if top != labels[i] and votes[top] >= min_agree:
            flagged.append(i)
    return flagged


def neighbour_votes(images, labels, indices, k: int = 7) -> np.ndarray:
    """Return, for each of ``indices``, the label most of its ``k`` nearest other images carry.

    Introduced in chapter 3.1 (the label the neighbours of a suspicious image vote for).
    """
    flat = _images(images)
    labels = np.asarray(labels)
    k = valid.positive_int(k, "k")
    indices = np.asarray(indices, dtype=np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= len(flat)):
        raise ValueError(f"indices must lie in [0, {len(flat)}), got {indices.min()} to {indices.max()}")
    d = _distances(flat)[indices]
    d[d == 0] = np.inf
    neighbours = np.argsort(d, axis=1)[:, :k]
    return np.array([np.bincount(labels[nb]).argmax() for nb in neighbours], dtype=np.int64)


def plant_faults(images, labels, corrupt: int = 10, duplicates: int = 10, mislabels: int = 10,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, list[int]]]:
    """Return ``(images, labels, planted)``: copies with faults planted and where they are.

    Introduced in chapter 3.1. ``corrupt`` images become blank, saturated or NaN in turn;
    ``duplicates`` images are overwritten by a lightly noised copy of another image (the copy's
    index is recorded); ``mislabels`` labels are changed to a different class. Each fault hits a
    different image; the inputs are not modified.
    """
    x = np.array(images, dtype=np.float64 if not np.issubdtype(np.asarray(images).dtype, np.floating)
                 else np.asarray(images).dtype, copy=True)
    y = np.array(labels, copy=True)
    for count, name in ((corrupt, "corrupt"), (duplicates, "duplicates"), (mislabels, "mislabels")):
        valid.positive_int(count, name, minimum=0)
    if len(x) != len(y):
        raise ValueError(f"images and labels differ in length ({len(x)} vs {len(y)}): pass one label per image")
    total = corrupt + 2 * duplicates + mislabels
    if total > len(x):
        raise ValueError(f"{total} images needed to plant these faults, only {len(x)} given: plant fewer")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    bad, rest = order[:corrupt], order[corrupt:]
    copies, sources, rest = rest[:duplicates], rest[duplicates:2 * duplicates], rest[2 * duplicates:]
    wrong = rest[:mislabels]
    for n, i in enumerate(bad):
        x[i] = (0.0, 1.0, np.nan)[n % 3]
    for i, j in zip(copies, sources, strict=True):
        x[i] = np.clip(x[j] + rng.normal(0, 0.01, x[j].shape), 0, 1)
        y[i] = y[j]
    classes = int(y.max()) + 1
    for i in wrong:
        y[i] = (y[i] + rng.integers(1, classes)) % classes
    planted = {"corrupt": sorted(map(int, bad)), "duplicates": sorted(map(int, copies)),
               "mislabels": sorted(map(int, wrong))}
    return x, y, planted


@dataclass
class CleaningReport:
    """What :func:`clean_report` found: ``corrupt`` ``{index: reason}``, duplicate ``pairs`` and
    ``suspicious`` label indices. Introduced in chapter 3.1."""

    corrupt: dict = field(default_factory=dict)
    pairs: list = field(default_factory=list)
    suspicious: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return how many corrupt images, exact pairs, near pairs and suspicious labels were found."""
        kinds = [kind for _, _, kind in self.pairs]
        return {"corrupt": len(self.corrupt), "exact": kinds.count("exact"), "near": kinds.count("near"),
                "suspicious": len(self.suspicious)}


def clean_report(images, labels, near_fraction: float = 0.25, k: int = 7, min_agree: int = 5) -> CleaningReport:
    """Return a :class:`CleaningReport` from all three checks; labels are checked on the non-corrupt images.

    Introduced in chapter 3.1.
    """
    corrupt = find_corrupt(images)
    pairs = find_duplicates(images, near_fraction)
    ok = np.array([i for i in range(len(np.asarray(images))) if i not in corrupt])
    sub = suspicious_labels(np.asarray(images)[ok], np.asarray(labels)[ok], k, min_agree)
    return CleaningReport(corrupt, pairs, sorted(int(ok[i]) for i in sub))


def recovery(report: CleaningReport, planted: dict[str, list[int]]) -> dict[str, dict[str, int]]:
    """Return, per fault kind, how many were ``planted``, how many of those were ``found``, and how
    many findings were ``flagged`` in all (images, or pairs for duplicates).

    Introduced in chapter 3.1. A planted duplicate counts as found when a pair contains its index.
    """
    in_pairs = {i for a, b, _ in report.pairs for i in (a, b)}
    found = {"corrupt": set(report.corrupt), "duplicates": in_pairs, "mislabels": set(report.suspicious)}
    flagged = {"corrupt": len(report.corrupt), "duplicates": len(report.pairs), "mislabels": len(report.suspicious)}
    return {kind: {"planted": len(planted[kind]), "found": len(set(planted[kind]) & found[kind]),
                   "flagged": flagged[kind]} for kind in ("corrupt", "duplicates", "mislabels")}
