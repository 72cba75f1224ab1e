"""Training across processes: ``TF_CONFIG``, a worker entry point and a launcher that always cleans up.

Introduced in chapter 9.1 ("FAQ: data and scale"). ``tf.distribute.MultiWorkerMirroredStrategy``
reads the cluster from the ``TF_CONFIG`` environment variable: the addresses of every worker and
the index of the one this process is. :func:`tf_config` builds it, :func:`free_ports` picks ports
on ``127.0.0.1`` at run time, and :func:`launch` starts one Python process per worker
(``python -m elastic_attention.train.distributed``); its :class:`WorkerGroup` waits with a time
limit and kills every process it started on any failure, so a broken run never hangs a notebook.

The worker (:func:`worker_main`) trains chapter 5.3's attention classifier with a custom loop.
With ``--logical-cpus N`` it splits the CPU into ``N`` logical devices before TensorFlow starts
and trains two models, one on one device and one with ``MirroredStrategy`` over all ``N``,
epoch by epoch in alternation so that both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import _validate as valid

__all__ = ["free_ports", "tf_config", "worker_command", "WorkerGroup", "launch", "run_workers", "worker_main"]

PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """Return ``n`` distinct TCP ports that were free on ``host`` a moment ago.

    Introduced in chapter 9.1. All sockets stay open until every port is chosen, so the ports differ.
    """
    valid.positive_int(n, "n")
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(workers: list[str], index: int) -> dict:
    """Return the ``TF_CONFIG`` dict for worker ``index`` of the cluster ``workers`` (``"host:port"`` strings).

    Worker 0 is the *chief*: it does the same work as the others and in addition would write
    checkpoints and summaries. Introduced in chapter 9.1.
    """
    if isinstance(workers, str) or not workers:
        raise ValueError(f"workers must be a non-empty list of 'host:port' strings, got {workers!r}")
    for address in workers:
        host, _, port = str(address).rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"worker address {address!r} is not 'host:port' with a port in 1..65535")
    if len(set(workers)) != len(workers):
        raise ValueError(f"worker addresses repeat in {workers!r}: give every worker its own port")
    valid.positive_int(index, "index", minimum=0)
    if index >= len(workers):
        raise ValueError(f"index {index} is outside the cluster of {len(workers)} workers: use 0..{len(workers) - 1}")
    return {"cluster": {"worker": list(workers)}, "task": {"type": "worker", "index": index}}


def worker_command(out: str | os.PathLike, epochs: int = 2, copies: int = 1, batch_size: int = 64,
                   seed: int = 0, learning_rate: float = 1e-2, logical_cpus: int = 0) -> list[str]:
    """Return the command line that runs :func:`worker_main` with these settings. Introduced in chapter 9.1."""
    valid.positive_int(epochs, "epochs")
    valid.positive_int(copies, "copies")
    valid.positive_int(batch_size, "batch_size")
    valid.positive_int(seed, "seed", minimum=0)
    valid.positive_number(learning_rate, "learning_rate")
    valid.positive_int(logical_cpus, "logical_cpus", minimum=0)
    return [sys.executable, "-m", "elastic_attention.train.distributed", "--out", str(out), "--epochs", str(epochs),
            "--copies", str(copies), "--batch-size", str(batch_size), "--seed", str(seed),
            "--learning-rate", repr(float(learning_rate)), "--logical-cpus", str(logical_cpus)]


def _child_env(config: dict | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_PARENT), *filter(None, [env.get("PYTHONPATH")])])
    env["CUDA_VISIBLE_DEVICES"] = "-1"  # local demo workers share one machine: keep them on its CPU
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.pop("TF_CONFIG", None)
    if config is not None:
        env["TF_CONFIG"] = json.dumps(config)
    return env


class WorkerGroup:
    """Worker processes started by :func:`launch`; :meth:`wait` collects their results.

    Use it as a context manager (``with launch(...) as group:``): leaving the block kills every
    process still running and deletes the group's temporary folder, whatever happened inside.
    Introduced in chapter 9.1.
    """

    def __init__(self, num_workers: int, settings: dict):
        self.folder = Path(tempfile.mkdtemp(prefix="ea-workers-"))
        workers = [f"127.0.0.1:{port}" for port in free_ports(num_workers)]
        self.processes: list[subprocess.Popen] = []
        self._logs = []
        try:
            for index in range(num_workers):
                config = tf_config(workers, index) if num_workers > 1 else None
                log = open(self.folder / f"worker{index}.log", "w")  # noqa: SIM115 - closed in close()
                self._logs.append(log)
                self.processes.append(subprocess.Popen(
                    worker_command(self.folder / f"worker{index}.json", **settings),
                    env=_child_env(config), stdout=log, stderr=subprocess.STDOUT))
        except BaseException:
            self.close()
            raise

    def _failure(self, index: int, why: str) -> RuntimeError:
        tail = (self.folder / f"worker{index}.log").read_text(errors="replace")[-1500:]
        self.close()
        return RuntimeError(f"{why}; end of its log:\n{tail}")

    def wait(self, timeout: float = 300.0) -> list[dict]:
        """Return each worker's result dict (index order) once all exit; on a failure or after
        ``timeout`` seconds kill them all and raise RuntimeError quoting the failing worker's log."""
        valid.positive_number(timeout, "timeout")
        deadline = time.monotonic() + timeout
        while True:
            codes = [p.poll() for p in self.processes]
            failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
            if failed:
                raise self._failure(failed[0], f"worker {failed[0]} exited with code {codes[failed[0]]}")
            if all(code == 0 for code in codes):
                break
            if time.monotonic() > deadline:
                raise self._failure(0, f"the workers did not finish within timeout={timeout:g} s "
                                       "(raise it on a slow machine)")
            time.sleep(0.2)
        results = [json.loads((self.folder / f"worker{i}.json").read_text()) for i in range(len(self.processes))]
        self.close()
        return results

    def close(self) -> None:
        """Kill every process still running and delete the temporary folder."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a killed process that does not exit
                pass
        for log in self._logs:
            log.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> WorkerGroup:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def launch(num_workers: int, **settings) -> WorkerGroup:
    """Start ``num_workers`` worker processes on ``127.0.0.1`` and return their :class:`WorkerGroup` at once.

    ``num_workers=1`` runs one process without ``TF_CONFIG`` (the single-worker reference); more
    get a ``TF_CONFIG`` each (free ports picked now) and train together with
    ``MultiWorkerMirroredStrategy``. ``settings`` go to :func:`worker_command`.

    Introduced in chapter 9.1.
    """
    valid.positive_int(num_workers, "num_workers")
    worker_command("check", **settings)  # bad settings fail here, before any process starts
    return WorkerGroup(num_workers, settings)


def run_workers(num_workers: int, timeout: float = 300.0, **settings) -> list[dict]:
    """Return the results of :func:`launch` ``(num_workers, **settings)`` after waiting at most ``timeout`` s.

    Introduced in chapter 9.1.
    """
    valid.positive_number(timeout, "timeout")
    with launch(num_workers, **settings) as group:
        return group.wait(timeout)


def _trainer(strategy, args, tf, keras):
    """Return ``(epoch, finish)``: run one epoch of a custom loop under ``strategy``; evaluate and report."""
    from ..data.cluttered import make_cluttered
    from ..nn.models import cluttered_classifier
    from .loops import cosine_schedule

    keras.utils.set_random_seed(args.seed)
    train = make_cluttered("train", copies=args.copies, seed=args.seed)
    test = make_cluttered("test", copies=3, seed=args.seed)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    data = (tf.data.Dataset.from_tensor_slices((train.images, train.labels))
            .shuffle(len(train), seed=args.seed, reshuffle_each_iteration=True)
            .batch(args.batch_size, drop_remainder=True).with_options(options))
    steps = len(train) // args.batch_size
    with strategy.scope():
        model = cluttered_classifier("attention", input_shape=train.images.shape[1:])
        optimizer = keras.optimizers.Adam(cosine_schedule(args.learning_rate, args.epochs, steps))
        optimizer.build(model.trainable_variables)  # slots made here, not lazily inside the traced step
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def step(images, labels):
        # Each replica averages over the *global* batch; the optimizer sums gradients over replicas.
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(loss_fn(labels, model(images, training=True)),
                                              global_batch_size=args.batch_size)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def train_step(batch):
        return strategy.reduce("SUM", strategy.run(step, args=batch), axis=None)

    # Keras 3's model.fit fails under MultiWorkerMirroredStrategy (keras-team/keras#20585): a custom loop.
    distributed = strategy.experimental_distribute_dataset(data)
    record = {"replicas": int(strategy.num_replicas_in_sync), "loss": [], "epoch_seconds": [],
              "train_examples": len(train), "steps_per_epoch": steps}

    def epoch():
        start = time.perf_counter()
        record["loss"].append(sum(float(train_step(batch)) for batch in distributed) / steps)
        record["epoch_seconds"].append(time.perf_counter() - start)

    def finish() -> dict:
        logits = np.concatenate([model(test.images[i:i + 256], training=False).numpy()
                                 for i in range(0, len(test), 256)])
        return {**record, "test_accuracy": float(np.mean(logits.argmax(1) == test.labels))}

    return epoch, finish


def worker_main(argv: list[str] | None = None) -> dict:
    """Run one worker (see the module docstring), write its result as JSON to ``--out`` and return it.

    Introduced in chapter 9.1.
    """
    parser = argparse.ArgumentParser(description="elastic_attention worker (chapter 9.1)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--learning-rate", type=float, default=1e-2)
    parser.add_argument("--logical-cpus", type=int, default=0)
    args = parser.parse_args(argv)
    import keras
    import tensorflow as tf

    if args.logical_cpus:  # must happen before TensorFlow initialises its devices
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.logical_cpus)
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    workers = len(config.get("cluster", {}).get("worker", [])) or 1
    # A multi-worker strategy must exist before any other TensorFlow op runs in the process.
    strategy = tf.distribute.MultiWorkerMirroredStrategy() if workers > 1 else tf.distribute.get_strategy()
    tf.config.experimental.enable_op_determinism()
    result = {"workers": workers, "index": config.get("task", {}).get("index", 0)}
    if args.logical_cpus:
        devices = [d.name for d in tf.config.list_logical_devices("CPU")]
        result["devices"] = devices
        runs = {"one_device": _trainer(tf.distribute.OneDeviceStrategy(devices[0]), args, tf, keras),
                "mirrored": _trainer(tf.distribute.MirroredStrategy(devices), args, tf, keras)}
    else:
        runs = {"run": _trainer(strategy, args, tf, keras)}
    for _ in range(args.epochs):  # epochs of the two runs alternate, so both see the same machine load
        for epoch, _finish in runs.values():
            epoch()
    reports = {name: finish() for name, (_epoch, finish) in runs.items()}
    result.update(reports.pop("run", reports))
    from .artifacts import save_json

    save_json(result, args.out)
    return result


if __name__ == "__main__":
    worker_main()
