"""Figures for data cleaning: the images a check flagged. Introduced in chapter 3.1."""

from __future__ import annotations

import numpy as np

from .figures import check_images, image_grid

__all__ = ["flagged_grid"]


def flagged_grid(images, labels, votes, ncols: int = 8):
    """Return a figure of flagged ``images``, each titled with its label and its neighbours' vote.

    Introduced in chapter 3.1.
    """
    images = check_images(images)
    labels, votes = np.asarray(labels), np.asarray(votes)
    if not (len(images) == len(labels) == len(votes)) or len(images) == 0:
        raise ValueError(f"need one label and one vote per image and at least one image, got {len(images)} images, "
                         f"{len(labels)} labels, {len(votes)} votes")
    titles = [f"{a} (nbrs {b})" for a, b in zip(labels, votes, strict=True)]
    return image_grid(images, labels=titles, ncols=min(ncols, len(images)),
                      title="Suspicious labels: label (neighbours' vote)")
