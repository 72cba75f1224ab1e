"""TensorFlow's C++ log noise stays out of a reader's way (issue 11).

TensorFlow prints oneDNN's notice and absl's preamble while its libraries load, before it reads
TF_CPP_MIN_LOG_LEVEL, and op determinism makes tf.data log a spurious
``E0000 ... NodeDef mentions attribute use_unbounded_threadpool``. Importing elastic_attention
first must hold all of it back; each subprocess test runs a control without the library to show
that the noise is really there to hide (it is skipped where this TensorFlow prints none).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT
from tf_noise import noise_lines

from elastic_attention.runtime import tensorflow_log_filter

SAMPLE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    "I0000 00:00:1795968597.849751   19964 port.cc:153] oneDNN custom operations are on.\n",
    "I0000 00:00:1795968597.925978   19964 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow.\n",
    "W0000 00:00:1795968597.925978   19964 some.cc:1] a warning\n",
    "E0000 00:00:1795968761.260353   24157 node_def_util.cc:682] NodeDef mentions attribute use_unbounded_threadpool\n",
    "/x/y.py:3: UserWarning: a Python warning\n",
    "  warnings.warn(msg)\n",
]


@pytest.mark.parametrize(("level", "kept"), [(0, list(range(8))), (1, [4, 5, 6, 7]), (2, [5, 6, 7]), (3, [6, 7])])
def test_filter_follows_the_log_level(level, kept):
    keep = tensorflow_log_filter(level)
    assert [i for i, line in enumerate(SAMPLE) if keep(line)] == kept


def test_noise_pattern_knows_every_sample_line():
    assert len(noise_lines("".join(SAMPLE[:6]))) == 5  # the continuation line has no marker of its own
    # The runtime's filter keeps a Python warning (a developer must see it), but a chapter must not
    # print one to a reader either: the notebook checks count its first line as noise.
    assert noise_lines("".join(SAMPLE[6:])) == [SAMPLE[6].rstrip("\n")]


SCRIPT = """
import sys
if sys.argv[1] == "library":
    import elastic_attention as ea
    import numpy as np
    ea.runtime.setup(profile="quick", seed=0, verbose=False)
else:
    import numpy as np
    import keras
    import tensorflow as tf
    keras.utils.set_random_seed(0)
    tf.config.experimental.enable_op_determinism()
import keras
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
x = np.ones((300, 2), "float32")
model.evaluate(x, x[:, :1], batch_size=256, verbose=0)  # op determinism rewrites Keras's parallel map
print("ran", file=sys.stderr)
"""


def run(mode: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, capture_output=True, text=True,
                            env={**clean, "PYTHONPATH": str(ROOT), **env}, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ran" in result.stderr
    return result.stderr + result.stdout


def test_importing_the_library_first_silences_tensorflow():
    control = noise_lines(run("plain", TF_CPP_MIN_LOG_LEVEL="2"))
    quiet = noise_lines(run("library"))
    assert not quiet, quiet
    if not control:
        pytest.skip("this TensorFlow prints no start-up or tf.data noise: nothing to silence")
    # A reader debugging TensorFlow sets TF_CPP_MIN_LOG_LEVEL=0 and sees the start-up lines again.
    assert noise_lines(run("library", TF_CPP_MIN_LOG_LEVEL="0"))
