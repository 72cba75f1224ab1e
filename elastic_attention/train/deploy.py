"""Deployment: SavedModel export, int8 TFLite conversion, latency, an autoscaling simulation, a drift monitor.

Introduced in chapter 9.2 ("FAQ: resources and deployment"). The seed's deployment checklist
(quantize, wrap as a service, scale with traffic, monitor and alert) as functions a chapter can
run: :func:`export_saved_model` writes a SavedModel with a serving signature,
:func:`to_tflite` converts to TensorFlow Lite (float, int8 weights, or full-integer int8
post-training quantization, optionally keeping chosen op types in float), :func:`tflite_logits` runs the
converted model, :func:`quantization_errors` measures every layer's int8 error with
TensorFlow's ``QuantizationDebugger``, :func:`tflite_size_breakdown` splits a file's bytes into
weights and the rest, :func:`median_latency_ms` times a callable, :func:`simulate_autoscaling` replays a request trace against a replica-count rule, and
:func:`confidence_psi` with :class:`ConfidenceMonitor` watch the model's confidence for drift.
"""

from __future__ import annotations

import functools
import math
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import _validate as valid

__all__ = ["TFLITE_MODES", "export_saved_model", "to_tflite", "tflite_logits", "quantization_errors",
           "batch_matmul_zero_points", "tflite_size_breakdown", "median_latency_ms", "simulate_autoscaling", "confidence_psi", "ConfidenceMonitor"]


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


def _calibrated_converter(model, representative, num_calibration: int):
    """Return a TFLite converter set for int8 with ranges measured on ``representative`` images."""
    import tensorflow as tf

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

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    return converter, calibration


def _op_names(float_ops) -> list[str]:
    ops = [float_ops] if isinstance(float_ops, str) else list(float_ops)
    if not all(isinstance(op, str) and op.isupper() for op in ops):
        raise ValueError(f"float_ops must be TFLite op names in capitals such as 'BATCH_MATMUL', got {float_ops!r}")
    return ops


def _quiet_tflite(function):
    """Run ``function`` without TFLite's UserWarnings (``tf.lite.Interpreter`` moving to LiteRT, as 9.2
    says; no statistics for the float32 input that to_tflite keeps on purpose; kept tensors' memory)."""

    @functools.wraps(function)
    def quiet(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"tensorflow\.lite\.")
            return function(*args, **kwargs)

    return quiet


@_quiet_tflite
def to_tflite(model, representative=None, num_calibration: int = 200, mode: str | None = None,
              float_ops=()) -> bytes:
    """Return ``model`` converted to TensorFlow Lite in ``mode`` ``"float"``, ``"dynamic"`` or ``"int8"``.
    ``"dynamic"``: weights stored as int8, activations computed in float (no calibration data).
    ``"int8"`` (the default when ``representative`` images are given): full-integer post-training
    quantization, weights and activations int8, with ranges measured on the first
    ``num_calibration`` ``representative`` images (pass a random sample: the first images of a
    sorted set are one class); input and output stay float32 so callers need no scaling.
    ``float_ops`` (int8 only) names TFLite op types to keep in float, e.g. ``("BATCH_MATMUL",)``:
    *selective* quantization through ``QuantizationDebugger``'s ``denylisted_ops``.
    Introduced in chapter 9.2.
    """
    import tensorflow as tf

    mode = valid.one_of(mode or ("int8" if representative is not None else "float"), TFLITE_MODES, "mode")
    float_ops = _op_names(float_ops)
    if float_ops and mode != "int8":
        raise ValueError(f"float_ops applies to mode='int8' only (got mode={mode!r}): pass float_ops=()")
    if mode != "int8":
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        if mode == "dynamic":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        return converter.convert()
    converter, calibration = _calibrated_converter(model, representative, num_calibration)
    if not float_ops:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        return converter.convert()
    options = tf.lite.experimental.QuantizationDebugOptions(denylisted_ops=float_ops)
    debugger = tf.lite.experimental.QuantizationDebugger(converter=converter, debug_dataset=calibration,
                                                         debug_options=options)
    return debugger.get_nondebug_quantized_model()


@_quiet_tflite
def tflite_logits(content: bytes, x, batch_size: int = 64, xnnpack: bool = True) -> np.ndarray:
    """Return the outputs of the TFLite model ``content`` on images ``x``, batch by batch.

    ``xnnpack=False`` runs TFLite's built-in kernels without the default XNNPACK delegate (the
    delegate TFLite applies on CPU unless told otherwise). Introduced in chapter 9.2.
    """
    import tensorflow as tf

    if not isinstance(content, (bytes, bytearray)) or not content:
        raise ValueError("content must be the non-empty bytes that to_tflite returned")
    x = np.asarray(x, dtype=np.float32)
    valid.positive_int(batch_size, "batch_size")
    resolver = tf.lite.experimental.OpResolverType
    interpreter = tf.lite.Interpreter(model_content=bytes(content), experimental_op_resolver_type=(
        resolver.AUTO if xnnpack else resolver.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    if inp["dtype"] != np.float32:
        raise ValueError(f"the model takes {inp['dtype'].__name__} input; convert it with to_tflite, "
                         "which keeps float32 input and output")
    outputs = []
    for start in range(0, len(x), batch_size):
        chunk = x[start:start + batch_size]
        interpreter.resize_tensor_input(inp["index"], chunk.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(inp["index"], chunk)
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(out["index"]).copy())
    return np.concatenate(outputs)


@_quiet_tflite
def quantization_errors(model, representative, num_calibration: int = 200, num_debug: int = 50) -> list[dict]:
    """Return one row per quantized layer of ``model``'s full-integer int8 conversion: its op, output
    tensor, quantization ``scale`` and ``zero_point``, and the error of its int8 output against float.

    TensorFlow's ``QuantizationDebugger`` runs the first ``num_debug`` ``representative`` images
    through the model, feeding every int8 op the float model's own input, so each row is that op's
    own error (errors do not pile up). ``rmse_steps`` is the root-mean-square error in quantization
    steps (``sqrt(mse) / scale``): rounding alone gives about ``1/sqrt(12) = 0.29``.
    Introduced in chapter 9.2.
    """
    import csv
    import io

    import tensorflow as tf

    converter, calibration = _calibrated_converter(model, representative, num_calibration)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    x = np.asarray(representative, dtype=np.float32)[:valid.positive_int(num_debug, "num_debug")]
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=converter, debug_dataset=lambda: ([image[None]] for image in x))
    debugger.run()
    dump = io.StringIO()
    debugger.layer_statistics_dump(dump)
    dump.seek(0)
    rows = []
    for row in csv.DictReader(dump):
        scale, mse = float(row["scale"]), float(row["mean_squared_error"])
        rows.append({"op": row["op_name"], "tensor": row["tensor_name"], "scale": scale,
                     "zero_point": int(float(row["zero_point"])),
                     "max_abs_error": float(row["max_abs_error"]), "rmse_steps": math.sqrt(mse) / scale})
    return rows


@_quiet_tflite
def batch_matmul_zero_points(content: bytes, x, xnnpack: bool = True) -> dict:
    """Return how the int8 ``BATCH_MATMUL`` of ``content`` computes on images ``x``: the largest gap,
    in output quantization steps, between its int8 output and the product recomputed from its int8
    inputs ``q`` as ``(q_lhs - zp_lhs) @ (q_rhs - zp_rhs)`` (``"exact"``), or with the right-hand
    zero point left out (``"rhs_zero_point_dropped"``); also both zero points.

    Runs with the XNNPACK delegate unless ``xnnpack=False``. Introduced in chapter 9.2.
    """
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema

    flat = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytes(content), 0))
    codes = [max(code.builtinCode, code.deprecatedBuiltinCode) for code in flat.operatorCodes]
    ops = [op for op in flat.subgraphs[0].operators if codes[op.opcodeIndex] == schema.BuiltinOperator.BATCH_MATMUL]
    tensors = flat.subgraphs[0].tensors
    if not ops or tensors[ops[0].inputs[0]].type != schema.TensorType.INT8:
        raise ValueError("content has no int8 BATCH_MATMUL: pass a full-integer to_tflite(..., mode='int8') model")
    (lhs, rhs), out, options = ops[0].inputs[:2], ops[0].outputs[0], ops[0].builtinOptions
    resolver = tf.lite.experimental.OpResolverType
    interpreter = tf.lite.Interpreter(model_content=bytes(content), experimental_preserve_all_tensors=True,
                                      experimental_op_resolver_type=(
                                          resolver.AUTO if xnnpack else resolver.BUILTIN_WITHOUT_DEFAULT_DELEGATES))
    interpreter.allocate_tensors()
    details = {d["index"]: d["quantization"] for d in interpreter.get_tensor_details()}
    (s_l, z_l), (s_r, z_r), (s_o, z_o) = details[lhs], details[rhs], details[out]
    gaps = {"exact": 0.0, "rhs_zero_point_dropped": 0.0, "both_zero_points_dropped": 0.0}
    for image in np.asarray(x, dtype=np.float32):
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image[None])
        interpreter.invoke()
        q_l, q_r = (interpreter.get_tensor(i).astype(np.int64) for i in (lhs, rhs))
        q_l = np.swapaxes(q_l, -1, -2) if options.adjX else q_l
        q_r = np.swapaxes(q_r, -1, -2) if options.adjY else q_r
        got = (interpreter.get_tensor(out).astype(np.float64) - z_o) * s_o
        for name, (zl, zr) in zip(gaps, [(z_l, z_r), (z_l, 0), (0, 0)], strict=True):
            product = np.clip(((q_l - zl) * s_l) @ ((q_r - zr) * s_r), (-128 - z_o) * s_o, (127 - z_o) * s_o)
            gaps[name] = max(gaps[name], float(np.abs(product - got).max() / s_o))
    return gaps


def tflite_size_breakdown(content: bytes) -> dict:
    """Return the bytes of the TFLite file ``content``: ``total``, ``weights`` (constant tensor data,
    split by type in ``by_type``, e.g. ``{"int8": ..., "int32": ...}``) and ``rest`` (graph, tensor
    names, quantization parameters, signatures). Introduced in chapter 9.2.
    """
    from tensorflow.lite.python import schema_py_generated as schema

    if not isinstance(content, (bytes, bytearray)) or not content:
        raise ValueError("content must be the non-empty bytes that to_tflite returned")
    flat = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytes(content), 0))
    type_names = {v: k.lower() for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    by_type: dict[str, int] = {}
    for graph in flat.subgraphs:
        for tensor in graph.tensors:
            data = flat.buffers[tensor.buffer].data
            if data is not None and len(data):
                name = type_names.get(tensor.type, str(tensor.type))
                by_type[name] = by_type.get(name, 0) + len(data)
    weights = sum(by_type.values())
    return {"total": len(content), "weights": weights, "rest": len(content) - weights, "by_type": by_type}


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
