"""Deployment: SavedModel export, int8 TFLite conversion, latency, an autoscaling simulation, a drift monitor.

Introduced in chapter 9.2 ("FAQ: resources and deployment"). The seed's deployment checklist
(quantize, wrap as a service, scale with traffic, monitor and alert) as functions a chapter can
run: :func:`export_saved_model` writes a SavedModel with a serving signature,
:func:`to_tflite` converts to TensorFlow Lite (float, int8 weights, or full-integer int8
post-training quantization), :func:`tflite_logits` runs the converted model, :func:`median_latency_ms` times a
callable, :func:`simulate_autoscaling` replays a request trace against a replica-count rule, and
:func:`confidence_psi` with :class:`ConfidenceMonitor` watch the model's confidence for drift.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import _validate as valid

__all__ = ["TFLITE_MODES", "export_saved_model", "to_tflite", "tflite_logits", "median_latency_ms", "simulate_autoscaling",
           "confidence_psi", "ConfidenceMonitor"]


def export_saved_model(model, folder: str | os.PathLike) -> Path:
    """Write ``model`` as a TensorFlow SavedModel with a ``serving_default`` signature; return the folder.

    Introduced in chapter 9.2. The folder must not exist yet (nothing is overwritten).
    """
    folder = Path(folder)
    if folder.exists():
        raise FileExistsError(f"{folder} exists: pass a new folder name (export never overwrites)")
    model.export(str(folder), format="tf_saved_model", verbose=False)
    return folder


TFLITE_MODES = ("float", "dynamic", "int8")


def to_tflite(model, representative=None, num_calibration: int = 200, mode: str | None = None) -> bytes:
    """Return ``model`` converted to TensorFlow Lite in ``mode`` ``"float"``, ``"dynamic"`` or ``"int8"``.

    ``"dynamic"``: weights stored as int8, activations computed in float (no calibration data).
    ``"int8"`` (the default when ``representative`` images are given): full-integer post-training
    quantization, weights and activations int8, with ranges measured on the first
    ``num_calibration`` ``representative`` images; input and output stay float32 so callers need
    no scaling. Introduced in chapter 9.2.
    """
    import tensorflow as tf

    mode = valid.one_of(mode or ("int8" if representative is not None else "float"), TFLITE_MODES, "mode")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        if representative is None:
            raise ValueError("mode='int8' needs representative images to calibrate the activation ranges")
        x = valid.finite(np.asarray(representative, dtype=np.float32), "representative images")
        if x.ndim != len(model.inputs[0].shape) or len(x) == 0:
            raise ValueError(f"representative must be a non-empty batch shaped like the model input "
                             f"{tuple(model.inputs[0].shape)}, got {x.shape}")
        valid.positive_int(num_calibration, "num_calibration")

        def calibration():
            for image in x[:num_calibration]:
                yield [image[None]]

        converter.representative_dataset = calibration
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()


def tflite_logits(content: bytes, x, batch_size: int = 64) -> np.ndarray:
    """Return the outputs of the TFLite model ``content`` on images ``x``, batch by batch.

    Introduced in chapter 9.2.
    """
    import tensorflow as tf

    if not isinstance(content, (bytes, bytearray)) or not content:
        raise ValueError("content must be the non-empty bytes that to_tflite returned")
    x = np.asarray(x, dtype=np.float32)
    valid.positive_int(batch_size, "batch_size")
    interpreter = tf.lite.Interpreter(model_content=bytes(content))
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    outputs = []
    for start in range(0, len(x), batch_size):
        chunk = x[start:start + batch_size]
        interpreter.resize_tensor_input(inp["index"], chunk.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(inp["index"], chunk)
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(out["index"]).copy())
    return np.concatenate(outputs)


def median_latency_ms(fn, repeats: int = 20, warmup: int = 3) -> float:
    """Return the median wall time in milliseconds of ``fn()`` over ``repeats`` calls after ``warmup`` calls.

    Introduced in chapter 9.2.
    """
    if not callable(fn):
        raise ValueError(f"fn must be a callable taking no arguments, got {type(fn).__name__}")
    valid.positive_int(repeats, "repeats")
    valid.positive_int(warmup, "warmup", minimum=0)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def simulate_autoscaling(requests, capacity: float, target_utilization: float = 0.7, min_replicas: int = 1,
                         max_replicas: int = 64, scale_down_after: int = 3, fixed: int | None = None) -> dict:
    """Replay ``requests`` (requests per step) against replicas serving ``capacity`` requests per step each.

    The rule (``fixed=None``): each step, the wanted replica count is
    ``ceil(load / (capacity * target_utilization))`` clipped to ``[min_replicas, max_replicas]``;
    scaling up takes effect the next step, scaling down only after the wish has stayed lower for
    ``scale_down_after`` steps (no flapping). Requests beyond capacity wait in a queue. With
    ``fixed=N`` the count stays ``N``. Returns arrays ``replicas``, ``served``, ``queue`` and the
    totals ``replica_steps`` (the cost) and ``overloaded_steps`` (steps that ended with a queue).

    Introduced in chapter 9.2.
    """
    load = valid.array(requests, "requests", ndim=1)
    if len(load) == 0 or (load < 0).any():
        raise ValueError("requests must be a non-empty 1-D sequence of non-negative counts per step")
    capacity = valid.positive_number(capacity, "capacity")
    target = valid.probability(target_utilization, "target_utilization", open_interval=True)
    valid.positive_int(min_replicas, "min_replicas")
    valid.positive_int(max_replicas, "max_replicas", minimum=min_replicas)
    valid.positive_int(scale_down_after, "scale_down_after")
    current = valid.positive_int(fixed, "fixed") if fixed is not None else min_replicas
    replicas, served, queue = [], [], []
    backlog, lower_for = 0.0, 0
    for demand in load:
        replicas.append(current)
        work = backlog + demand
        done = min(work, current * capacity)
        backlog = work - done
        served.append(done)
        queue.append(backlog)
        if fixed is None:
            wanted = min(max(math.ceil(work / (capacity * target)), min_replicas), max_replicas)
            lower_for = lower_for + 1 if wanted < current else 0
            if wanted > current or lower_for >= scale_down_after:
                current, lower_for = wanted, 0
    queue = np.asarray(queue)
    return {"replicas": np.asarray(replicas), "served": np.asarray(served), "queue": queue,
            "replica_steps": int(np.sum(replicas)), "overloaded_steps": int((queue > 1e-9).sum())}


def confidence_psi(reference, current, bins: int = 10) -> float:
    """Return the population stability index of the confidences ``current`` against ``reference``.

    ``PSI = sum((p_cur - p_ref) * ln(p_cur / p_ref))`` over ``bins`` quantile bins of ``reference``
    (each holds a tenth of it for 10 bins); empty bins get a small floor so the logarithm stays
    finite. 0 means the same distribution. Introduced in chapter 9.2.
    """
    ref = valid.array(reference, "reference", ndim=1)
    cur = valid.array(current, "current", ndim=1)
    valid.positive_int(bins, "bins", minimum=2)
    if len(ref) < bins or len(cur) == 0:
        raise ValueError(f"need at least bins={bins} reference values and one current value, "
                         f"got {len(ref)} and {len(cur)}")
    edges = np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1])
    p_ref = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=bins) / len(ref)
    p_cur = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=bins) / len(cur)
    p_ref, p_cur = np.maximum(p_ref, 1e-4), np.maximum(p_cur, 1e-4)
    return float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))


@dataclass
class ConfidenceMonitor:
    """Watches windows of a model's top-class confidence against a ``reference`` sample.

    :meth:`check` returns the window's mean confidence, its PSI against the reference and whether
    the PSI exceeds ``threshold`` (an alert). Introduced in chapter 9.2.
    """

    reference: np.ndarray
    threshold: float = 0.2
    bins: int = 10

    def __post_init__(self):
        self.reference = valid.array(self.reference, "reference", ndim=1)
        self.threshold = valid.positive_number(self.threshold, "threshold")

    def check(self, confidences) -> dict:
        """Return ``{"mean_confidence", "psi", "alert"}`` for one window of confidences."""
        conf = valid.array(confidences, "confidences", ndim=1)
        psi = confidence_psi(self.reference, conf, self.bins)
        return {"mean_confidence": float(conf.mean()), "psi": psi, "alert": psi > self.threshold}
