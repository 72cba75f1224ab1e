"""Where a classifier's decision comes from, and how little it takes to change it.

Introduced in chapter 8.2. Three explanations of a prediction on a grid of cells laid over the
image, each an array ``(N, grid_h, grid_w)``, larger meaning "more important":

- the attention weights of the model itself (:func:`~.models.attention_explainer`);
- gradient saliency: the absolute gradient of the true-class logit with respect to each pixel,
  summed over the pixels of a cell (:func:`gradient_saliency`, :func:`pool_to_grid`);
- occlusion: how much the true-class probability falls when a cell is blacked out
  (:func:`occlusion_map`).

:func:`deletion_insertion` scores any of them for *faithfulness*: remove cells from the image in
the order an explanation ranks them (deletion; a faithful ranking makes the probability fall
fast, a low area) or reveal them on a black canvas in that order (insertion; a faithful ranking
makes it rise fast, a high area). :func:`fgsm` is the fast gradient sign attack of chapter 8.3,
which uses the same input gradient as saliency.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as valid

__all__ = ["check_epsilon", "check_batch", "input_gradients", "gradient_saliency", "pool_to_grid", "occlusion_map",
           "deletion_insertion", "fgsm", "fgsm_accuracy"]


def check_epsilon(epsilon) -> float:
    """Return an attack size ``epsilon`` as a float, or raise ValueError unless it is finite and ``>= 0``.

    Introduced in chapter 8.3.
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
            or not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be a finite number >= 0 (the largest pixel change, pixels in [0, 1]), got {epsilon!r}")
    return float(epsilon)


def check_batch(images, labels) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)`` as float32 ``(N, H, W, C)`` and int ``(N,)``, or raise a clear ValueError.

    Introduced in chapter 8.2.
    """
    images = valid.array(images, "images", ndim=4).astype(np.float32)
    labels = np.asarray(labels)
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {len(images)} integer class indices (one per image), got {labels.dtype} "
                         f"array of shape {labels.shape}")
    return images, labels.astype(np.int64)


def _grid(images: np.ndarray, grid_shape) -> tuple[int, int]:
    gh, gw = (valid.positive_int(g, "grid_shape entries") for g in grid_shape)
    if images.shape[1] % gh or images.shape[2] % gw:
        raise ValueError(f"grid_shape {tuple(grid_shape)} must divide the image size {images.shape[1:3]}")
    return gh, gw


def input_gradients(model, images, labels, loss: bool = False) -> np.ndarray:
    """Return the gradient ``(N, H, W, C)`` of each image's true-class logit (or, with ``loss=True``,
    of its cross-entropy loss) with respect to its pixels. Introduced in chapter 8.2.
    """
    import tensorflow as tf

    images, labels = check_batch(images, labels)
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = tf.cast(model(x, training=False), tf.float32)
        if loss:
            target = tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        else:
            target = tf.gather(logits, labels, axis=1, batch_dims=1)
    return tape.gradient(target, x).numpy()


def pool_to_grid(pixel_map, grid_shape) -> np.ndarray:
    """Return the ``(N, gh, gw)`` sums of a pixel map ``(N, H, W)`` or ``(N, H, W, C)`` over each grid cell.

    Introduced in chapter 8.2.
    """
    pixel_map = valid.array(pixel_map, "pixel_map", ndim=(3, 4))
    if pixel_map.ndim == 4:
        pixel_map = pixel_map.sum(axis=-1)
    gh, gw = _grid(pixel_map[..., None], grid_shape)
    n, h, w = pixel_map.shape
    return pixel_map.reshape(n, gh, h // gh, gw, w // gw).sum(axis=(2, 4))


def gradient_saliency(model, images, labels, grid_shape=(5, 5)) -> np.ndarray:
    """Return gradient saliency ``(N, gh, gw)``: ``|d logit_true / d pixel|`` summed over each cell.

    Introduced in chapter 8.2.
    """
    return pool_to_grid(np.abs(input_gradients(model, images, labels)), grid_shape)


def _logits(model, images, batch_size: int = 1024) -> np.ndarray:
    # Direct calls: ``model.predict`` rebuilds its input pipeline on each call, which dominates here.
    return np.concatenate([np.asarray(model(images[i : i + batch_size], training=False))
                           for i in range(0, len(images), batch_size)]).astype(np.float64)


def _true_probability(model, images, labels) -> np.ndarray:
    logits = _logits(model, images)
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return p[np.arange(len(labels)), labels]


def _blank_cells(images, mask, gh, gw):
    # mask (N, gh*gw) booleans: True cells are set to 0.
    n, h, w, _ = images.shape
    pixel_mask = np.repeat(np.repeat(mask.reshape(n, gh, gw), h // gh, axis=1), w // gw, axis=2)
    return np.where(pixel_mask[..., None], 0.0, images).astype(np.float32)


def occlusion_map(model, images, labels, grid_shape=(5, 5)) -> np.ndarray:
    """Return ``(N, gh, gw)``: the fall of the true-class probability when each cell alone is set to 0.

    Introduced in chapter 8.2. Costs one forward pass over the batch per cell.
    """
    images, labels = check_batch(images, labels)
    gh, gw = _grid(images, grid_shape)
    base = _true_probability(model, images, labels)
    eye = np.eye(gh * gw, dtype=bool)
    stacked = np.concatenate([_blank_cells(images, np.repeat(eye[cell][None], len(images), axis=0), gh, gw)
                              for cell in range(gh * gw)])
    p = _true_probability(model, stacked, np.tile(labels, gh * gw)).reshape(gh * gw, len(images))
    return (base[None, :] - p).T.reshape(len(images), gh, gw)


def deletion_insertion(model, images, labels, scores) -> dict:
    """Return the deletion and insertion curves of the cell ranking given by ``scores`` ``(N, gh, gw)``.

    Introduced in chapter 8.2. Step ``k`` of the deletion curve is the mean true-class
    probability once the ``k`` top-ranked cells of each image are set to 0; step ``k`` of the
    insertion curve, once only those ``k`` cells are kept on a black canvas. The dict holds
    ``deletion`` and ``insertion`` (length ``cells + 1``) and their areas ``deletion_auc`` (lower is
    more faithful) and ``insertion_auc`` (higher is more faithful), each the mean over the steps.
    """
    images, labels = check_batch(images, labels)
    scores = valid.array(scores, "scores", ndim=3)
    if scores.shape[0] != len(images):
        raise ValueError(f"scores must have one map per image ({len(images)}), got shape {scores.shape}")
    gh, gw = _grid(images, scores.shape[1:])
    cells = gh * gw
    # Ties are broken by cell index (stable sort), the same for every explanation.
    order = np.argsort(-scores.reshape(len(images), cells), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(cells)[None, :].repeat(len(images), axis=0), axis=1)
    # All steps go through the model as one stacked batch: fewer, larger calls.
    masks = np.stack([rank < k for k in range(cells + 1)])  # (steps, N, cells)
    stacked = np.concatenate([_blank_cells(images, m, gh, gw) for m in masks]
                             + [_blank_cells(images, ~m, gh, gw) for m in masks])
    p = _true_probability(model, stacked, np.tile(labels, 2 * (cells + 1))).reshape(2, cells + 1, len(images))
    deletion, insertion = p[0].mean(axis=1), p[1].mean(axis=1)
    return {"deletion": deletion, "insertion": insertion,
            "deletion_auc": float(deletion.mean()), "insertion_auc": float(insertion.mean())}


def fgsm(model, images, labels, epsilon: float) -> np.ndarray:
    """Return the fast-gradient-sign adversarial images ``clip(x + epsilon * sign(d loss / d x), 0, 1)``.

    Introduced in chapter 8.3 (Goodfellow et al., 2015). ``epsilon`` is the largest change of any
    pixel, on the [0, 1] pixel scale; 0 returns the images unchanged.
    """
    epsilon = check_epsilon(epsilon)
    images, labels = check_batch(images, labels)
    if epsilon == 0:
        return images
    step = np.sign(input_gradients(model, images, labels, loss=True))
    return np.clip(images + epsilon * step, 0.0, 1.0).astype(np.float32)


def fgsm_accuracy(model, images, labels, epsilons) -> np.ndarray:
    """Return the accuracy of ``model`` on FGSM versions of ``images`` for each attack size in ``epsilons``.

    Introduced in chapter 8.3. The gradient sign does not depend on ``epsilon``, so it is computed
    once and every size reuses it.
    """
    epsilons = [check_epsilon(e) for e in np.atleast_1d(epsilons)]
    images, labels = check_batch(images, labels)
    step = np.sign(input_gradients(model, images, labels, loss=True))
    accuracies = []
    for epsilon in epsilons:
        attacked = np.clip(images + epsilon * step, 0.0, 1.0).astype(np.float32)
        accuracies.append(float((_logits(model, attacked).argmax(axis=1) == labels).mean()))
    return np.asarray(accuracies)

