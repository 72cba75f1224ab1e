"""Signal controllers for chapter 6.5's intersection: fixed-time, and one that attends to queues.

Introduced in chapter 6.5. A controller is called as ``controller(queues, phase, steps_in_phase)``
by :func:`elastic_attention.data.simulate` and returns the phase it wants (0: north-south green,
1: east-west green). :class:`AttentionController` turns the four queue lengths into weights with
the book's softmax, ``a = softmax(queues / temperature)``, sums the weights of each phase's lanes
and serves the phase with the larger share, after at least ``min_green`` steps of green. It has no
learned parameters: the "attention" is a rule, which is what lets it be checked by hand.
"""

from __future__ import annotations

import numpy as np

from .. import _validate as valid
from ..data.traffic import PHASE_LANES, check_queues
from .softmax import softmax

__all__ = ["lane_attention", "FixedTimeController", "AttentionController", "TUNED_GREEN_STEPS", "TUNED_ATTENTION"]

# Each controller's best of 16 settings on validation arrivals (seeds 100-102), the same budget for
# both (python -m benchmarks.applications_sweep --cases traffic): north-south and east-west green
# steps from {5, 10, 15, 20}; temperature from {0.5, 1, 2, 4} times min_green from {3, 5, 8, 12}.
TUNED_GREEN_STEPS = (10, 5)
TUNED_ATTENTION = {"temperature": 0.5, "min_green": 3}


def lane_attention(queues, temperature: float = 2.0) -> np.ndarray:
    """Return the four lane weights ``softmax(queues / temperature)``. Introduced in chapter 6.5."""
    return softmax(check_queues(queues) / valid.temperature(temperature))


class FixedTimeController:
    """Switch phase after ``green_steps`` steps of green, whatever the queues; a pair gives each phase
    its own green time (north-south, east-west). Introduced in chapter 6.5."""

    def __init__(self, green_steps=15):
        pair = green_steps if isinstance(green_steps, (tuple, list)) else (green_steps, green_steps)
        if len(pair) != len(PHASE_LANES):
            raise ValueError(f"green_steps must be one number or one per phase ({len(PHASE_LANES)}), got {green_steps!r}")
        self.green_steps = tuple(valid.positive_int(g, "green_steps") for g in pair)

    def __call__(self, queues, phase: int, steps_in_phase: int) -> int:
        """Return the phase to show next."""
        return 1 - phase if steps_in_phase >= self.green_steps[phase] else phase


class AttentionController:
    """Serve the phase whose lanes hold the larger share of ``lane_attention(queues)``, keeping each
    green at least ``min_green`` steps; ``weights`` logs the weights of every decision.

    Introduced in chapter 6.5.
    """

    def __init__(self, temperature: float = 2.0, min_green: int = 5):
        self.temperature = valid.temperature(temperature)
        self.min_green = valid.positive_int(min_green, "min_green")
        self.weights: list[np.ndarray] = []

    def __call__(self, queues, phase: int, steps_in_phase: int) -> int:
        """Return the phase to show next."""
        a = lane_attention(queues, self.temperature)
        self.weights.append(a)
        if steps_in_phase < self.min_green:
            return phase
        share = [a[list(lanes)].sum() for lanes in PHASE_LANES]
        return int(np.argmax(share)) if share[0] != share[1] else phase
