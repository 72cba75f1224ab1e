"""Self-check helpers for the exercises: compare a learner's answer with the library's own.

Introduced in chapter 5.1 ("The environment") and used in the exercises from 5.3 on. Each
helper returns a :class:`CheckResult` that prints one line (right, or what is wrong and a hint)
and is truthy when the answer is right, so a notebook can both show it and ``assert`` it::

    from elastic_attention import check
    check.attention_pooling_output(my_y, H, w, b)        # prints "correct: ..." or a hint

The helpers never raise for a wrong answer, only for a malformed *question* (for example an
``H`` that is not a matrix), with a ``ValueError`` that says what to pass instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .nn import metrics
from .nn import softmax as sm

__all__ = [
    "CheckResult",
    "softmax_jacobian",
    "attention_pooling_output",
    "pointing_game_chance",
    "param_count",
]

RTOL, ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class CheckResult:
    """Return value of every check: ``correct``, a ``message`` and a ``hint`` (empty when correct).

    Introduced in chapter 5.1. ``bool(result)`` is ``result.correct``; printing it shows one
    line (two when there is a hint).
    """

    correct: bool
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        head = f"{'correct' if self.correct else 'not yet'}: {self.message}"
        return head if self.correct or not self.hint else f"{head}\n  hint: {self.hint}"

    def __repr__(self) -> str:
        return str(self)


def _right(message: str) -> CheckResult:
    return CheckResult(True, message)


def _wrong(message: str, hint: str) -> CheckResult:
    return CheckResult(False, message, hint)


def _as_answer(answer, what: str) -> np.ndarray | CheckResult:
    """Return the answer as a float64 array, or a wrong result that says why it is not one."""
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _wrong(f"{what} must be numbers, got {type(answer).__name__}", "pass a NumPy array, a list or a tensor")
    if not np.all(np.isfinite(arr)):
        return _wrong(f"{what} contains NaN or infinity", "subtract the largest score before `exp` to avoid overflow")
    return arr


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def _question(x, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {arr.shape}: pass the values the exercise gives")
    return arr


def softmax_jacobian(answer, s) -> CheckResult:
    """Return whether ``answer`` is the Jacobian ``da/ds`` of ``a = softmax(s)`` at the scores ``s``.

    Introduced for the exercises of chapter 4. ``s`` is a vector of ``n`` scores; the answer is
    the ``(n, n)`` matrix with ``J[i, j] = da_i / ds_j``.
    """
    s = _question(s, "s", 1)
    a = sm.softmax(s)
    expected = sm.softmax_jacobian(a)
    got = _as_answer(answer, "the Jacobian")
    if isinstance(got, CheckResult):
        return got
    n = len(s)
    if got.shape != expected.shape:
        return _wrong(f"the Jacobian has shape {expected.shape}, yours has {got.shape}",
                      f"one row per weight a_i and one column per score s_j: {n} x {n}")
    if _close(got, expected):
        return _right(f"da/ds = diag(a) - a a^T ({n} x {n}); every row sums to zero")
    if _close(got, -expected):
        return _wrong("the signs are flipped", "da_i/ds_i = a_i (1 - a_i) is positive: raising a score raises its own weight")
    if _close(got, np.diag(a)):
        return _wrong("the diagonal-only answer misses how each weight reacts to the other scores",
                      "the denominator of softmax holds every score: da_i/ds_j = -a_i a_j for i != j")
    if _close(np.diag(got), np.diag(expected)):
        return _wrong("the diagonal is right, the off-diagonal entries are not", "for i != j, da_i/ds_j = -a_i a_j")
    if not np.allclose(got.sum(axis=1), 0.0, atol=1e-6):
        return _wrong("the rows do not sum to zero",
                      "the weights always sum to one, so moving any score moves the weights by a total of zero")
    return _wrong("the entries differ from diag(a) - a a^T", "start from a = softmax(s) and differentiate a_i = exp(s_i) / sum_k exp(s_k)")


def attention_pooling_output(answer, H, w, b: float = 0.0) -> CheckResult:
    """Return whether ``answer`` is ``y = sum_i a_i h_i`` with ``a = softmax(H w + b)``.

    Introduced for the exercises of chapter 5.3. ``H`` is one sample, ``(positions,
    features)``; ``w`` has ``features`` entries and ``b`` is a number. The answer is the vector
    ``y`` of ``features`` numbers.
    """
    H = _question(H, "H", 2)
    w = _question(w, "w", 1)
    if H.shape[1] != len(w):
        raise ValueError(f"w has {len(w)} entries but H has {H.shape[1]} features: pass one sample H (positions, features)")
    b = float(np.asarray(b, dtype=np.float64))
    s = H @ w + b
    a = sm.softmax(s)
    expected = a @ H
    got = _as_answer(answer, "y")
    if isinstance(got, CheckResult):
        return got
    got = got.reshape(-1) if got.size == expected.size else got
    if _close(got, a) and not _close(a, expected):
        return _wrong("that is the weight vector a, not the output y", "y = sum_i a_i h_i: weight each row of H by a_i and add")
    if got.shape != expected.shape:
        return _wrong(f"y has {expected.size} numbers (one per feature), yours has shape {got.shape}",
                      "sum over positions, not over features")
    if _close(got, expected):
        return _right(f"y = {np.round(expected, 4).tolist()}; the largest weight, {a.max():.3f}, sits on position {int(a.argmax())}")
    if _close(got, H.mean(axis=0)):
        return _wrong("that is the plain average of the rows (global average pooling)",
                      "the weights are equal only when all scores are; compute s = H w + b first")
    if _close(got, H[int(s.argmax())]):
        return _wrong("that is the row with the largest score (a hard max)",
                      "softmax mixes all rows: a_i = exp(s_i) / sum_j exp(s_j), then y = sum_i a_i h_i")
    if _close(got, s @ H):
        return _wrong("the scores were used as weights without softmax", "turn the scores into weights that sum to one first")
    return _wrong("y differs from the attention-weighted sum",
                  "compute s = H w + b, then a = softmax(s), then y = a @ H; check that a sums to one")


def pointing_game_chance(answer, box, grid_shape=(5, 5), image_shape=(40, 40)) -> CheckResult:
    """Return whether ``answer`` is the chance level of the pointing game for one ``box``.

    Introduced for the exercises of chapter 5.4. ``box`` is ``(top, left, bottom, right)`` in
    pixels (bottom and right exclusive); a peak picked uniformly among the ``grid_shape`` cells
    scores a hit when its cell's *centre* lies inside the box, so the chance level is the share
    of cells whose centre is inside.
    """
    box_arr = np.asarray(box, dtype=np.float64)
    if box_arr.shape != (4,):
        raise ValueError(f"box must be (top, left, bottom, right), got shape {box_arr.shape}")
    gh, gw = (int(v) for v in grid_shape)
    ih, iw = (int(v) for v in image_shape)
    _, expected = metrics.pointing_game(np.zeros((1, gh, gw)), box_arr[None], (ih, iw))
    got = _as_answer(answer, "the chance level")
    if isinstance(got, CheckResult):
        return got
    if got.size != 1:
        return _wrong(f"the chance level is one number, got shape {got.shape}", "a share of the cells, between 0 and 1")
    got = float(got.reshape(()))
    cells = gh * gw
    if abs(got - expected) <= 1e-6:
        inside = round(expected * cells)
        return _right(f"{inside} of the {cells} cell centres lie inside the box: chance = {expected:.4f}")
    if abs(got / 100 - expected) <= 1e-6:
        return _wrong("that looks like a percentage", "give the share as a fraction between 0 and 1")
    top, left, bottom, right = box_arr
    area = max(bottom - top, 0) * max(right - left, 0) / (ih * iw)
    if abs(got - area) <= 1e-6 and abs(area - expected) > 1e-6:
        return _wrong("that is the share of pixels inside the box",
                      "the peak is a cell, not a pixel: count the cells whose centre lies inside the box")
    if abs(got - 1 / cells) <= 1e-6:
        return _wrong("that is the chance of hitting one particular cell",
                      "every cell whose centre lies inside the box counts as a hit")
    return _wrong("the chance level differs",
                  f"the cell centres sit at ((k + 0.5) * {ih}/{gh}) pixels; count those inside the box and divide by {cells}")


def _weight_sizes(obj) -> tuple[int, int, int]:
    """Return (all parameters, trainable parameters, bias parameters) of a built Keras layer or model."""
    weights = list(getattr(obj, "weights", []))
    total = int(sum(int(np.prod(v.shape)) for v in weights))
    trainable = int(sum(int(np.prod(v.shape)) for v in getattr(obj, "trainable_weights", [])))
    biases = int(sum(int(np.prod(v.shape)) for v in weights if "bias" in getattr(v, "path", getattr(v, "name", ""))))
    return total, trainable, biases


def _skipped_poolings(got: float, layer) -> int:
    """Return how many 2x2 poolings (1 or 2) a count for a Dense ``layer`` left out, else 0."""
    kernel = getattr(layer, "kernel", None)
    if kernel is None or len(kernel.shape) != 2:
        return 0
    n, m = (int(d) for d in kernel.shape)
    for skipped in (1, 2):
        if got in (n * 4**skipped * m + m, n * 4**skipped * m):
            return skipped
    return 0


def param_count(answer, layer_or_model) -> CheckResult:
    """Return whether ``answer`` is the number of parameters of a built Keras layer or model.

    Introduced for the exercises of chapter 5.2. All weights count, trainable or not (batch
    normalization's moving mean and variance too), as in ``model.count_params()``. For a Dense
    layer after a Flatten it recognizes the likeliest slips: the biases left out, and a 2x2 pooling
    layer left out of the shape (a flattened input 4 or 16 times too large).
    """
    if not hasattr(layer_or_model, "count_params") or not hasattr(layer_or_model, "weights"):
        raise ValueError(f"pass a Keras layer or model, got {type(layer_or_model).__name__}")
    if not getattr(layer_or_model, "built", True):
        raise ValueError("the layer or model is not built yet: call it on a batch or call .build(input_shape) first")
    expected, trainable, biases = _weight_sizes(layer_or_model)
    try:
        got = float(answer)
    except (TypeError, ValueError):
        return _wrong(f"a parameter count is one whole number, got {answer!r}", "add up the sizes of every weight tensor")
    if got == expected:
        return _right(f"{expected:,} parameters ({trainable:,} trainable)")
    if got == trainable and trainable != expected:
        return _wrong(f"{got:,.0f} is the trainable part only",
                      f"non-trainable weights count too: batch normalization keeps {expected - trainable:,} moving statistics")
    if biases and got == expected - biases:
        return _wrong("the biases are missing", "a Dense layer from n inputs to m units has n*m weights plus m biases")
    skipped = _skipped_poolings(got, layer_or_model)
    if skipped:
        return _wrong(f"{got:,.0f} fits an input {4 ** skipped} times larger than this layer receives: "
                      f"{'a 2x2 pooling layer was' if skipped == 1 else f'{skipped} 2x2 pooling layers were'} left out",
                      "each 2x2 MaxPooling2D halves height and width, so it divides the flattened size by 4; "
                      "trace the shape through every layer before the Flatten")
    return _wrong(f"{got:,.0f} is {'too many' if got > expected else 'too few'}",
                  "Dense: n*m + m; Conv2D: k*k*c_in*c_out + c_out; BatchNormalization: 4 per channel")
