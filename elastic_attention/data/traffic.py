"""A small queueing simulation of one signalised intersection (chapter 6.5).

Introduced in chapter 6.5. Four approaches (:data:`LANES`) queue vehicles that arrive at random
(Poisson, one rate per lane). Two signal phases serve them: phase 0 gives green to north and
south, phase 1 to east and west. A green lane discharges up to ``service`` vehicles per step
(one step is about two seconds); switching phase costs ``lost_steps`` of all-red. A *controller*
is any callable ``controller(queues, phase, steps_in_phase) -> phase`` (chapter 6.5's controllers
live in :mod:`elastic_attention.nn.traffic`). The arrival streams are the generated data here; the
simulation records every vehicle's wait, so the mean waiting time is exact, not estimated.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _validate as valid
from .registry import register_generated

__all__ = ["TRAFFIC", "LANES", "PHASE_LANES", "SimResult", "check_queues", "simulate"]

LANES = ("north", "south", "east", "west")
PHASE_LANES = ((0, 1), (2, 3))

TRAFFIC = register_generated("traffic", "6.5", "elastic_attention.data.simulate",
                             "synthetic Poisson arrivals drawn by elastic_attention.data.simulate (no files)")


@dataclass(frozen=True)
class SimResult:
    """``mean_wait`` (steps per vehicle, those still queued counted up to the end), ``queues``
    ``(steps, 4)``, ``phases`` ``(steps,)`` (-1 during all-red), ``served`` and ``arrived`` counts.

    Introduced in chapter 6.5.
    """

    mean_wait: float
    queues: np.ndarray
    phases: np.ndarray
    served: int
    arrived: int


def check_queues(queues) -> np.ndarray:
    """Return ``queues`` as four non-negative integer lengths, or raise a clear ValueError.

    Introduced in chapter 6.5.
    """
    q = np.asarray(queues)
    if q.shape != (len(LANES),):
        raise ValueError(f"queues must hold {len(LANES)} lengths ({', '.join(LANES)}), got shape {q.shape}")
    if q.dtype.kind not in "iuf" or not np.all(np.isfinite(q)) or np.any(q != np.round(q)):
        raise ValueError(f"queue lengths must be whole numbers of vehicles, got {q.tolist()}")
    if np.any(q < 0):
        raise ValueError(f"a queue length cannot be negative, got {q.tolist()}: count the vehicles waiting (>= 0)")
    return q.astype(np.int64)


def simulate(controller: Callable, arrival_rates=(0.25, 0.25, 0.1, 0.1), steps: int = 1800, service: int = 1,
             lost_steps: int = 2, initial_queues=(0, 0, 0, 0), seed: int = 0) -> SimResult:
    """Run ``controller`` for ``steps`` steps on arrivals drawn with ``seed``; return a :class:`SimResult`.

    Introduced in chapter 6.5. The same ``seed`` gives every controller the same arrivals.
    """
    rates = valid.array(arrival_rates, "arrival_rates", ndim=1)
    if rates.shape != (len(LANES),) or np.any(rates < 0):
        raise ValueError(f"arrival_rates must be 4 non-negative vehicles-per-step rates, got {rates.tolist()}")
    valid.positive_int(steps, "steps")
    valid.positive_int(service, "service")
    valid.positive_int(lost_steps, "lost_steps", minimum=0)
    lanes = [deque([0] * int(n)) for n in check_queues(initial_queues)]
    arrivals = np.random.default_rng(seed).poisson(rates, (steps, len(LANES)))
    waits, queue_log, phase_log = [], np.zeros((steps, len(LANES)), np.int64), np.zeros(steps, np.int64)
    phase, in_phase, red_left, target = 0, 0, 0, 0
    for t in range(steps):
        for lane, count in zip(lanes, arrivals[t], strict=True):
            lane.extend([t] * int(count))
        if red_left:
            red_left -= 1
            phase, in_phase = (target, 0) if red_left == 0 else (-1, in_phase)
        else:
            wanted = controller(np.array([len(q) for q in lanes]), phase, in_phase)
            valid.one_of(wanted, (0, 1), "phase returned by the controller")
            if wanted != phase:
                target, red_left, phase = wanted, lost_steps, (-1 if lost_steps else wanted)
                in_phase = 0
        if phase >= 0:
            for k in PHASE_LANES[phase]:
                for _ in range(min(service, len(lanes[k]))):
                    waits.append(t - lanes[k].popleft())
            in_phase += 1
        queue_log[t], phase_log[t] = [len(q) for q in lanes], phase
    waits += [steps - a for lane in lanes for a in lane]
    return SimResult(float(np.mean(waits)) if waits else 0.0, queue_log, phase_log,
                     served=int(len(waits) - sum(map(len, lanes))), arrived=int(arrivals.sum() + sum(map(int, initial_queues))))
