"""elastic_attention: the library behind the Attention Elasticity Bootcamp book.

Modules, one concern each: :mod:`runtime` (profiles, seeds, devices), :mod:`data` (shipped
digits, cluttered canvases, MNIST), :mod:`layers` (attention pooling), :mod:`models`,
:mod:`training`, :mod:`metrics`, :mod:`viz` (static figures) and :mod:`widgets`
(interactive viewers).
"""

import os
from importlib import import_module

# Keep TensorFlow's C++ start-up chatter out of the chapters (set before TensorFlow loads).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
__all__ = [
    "runtime", "data", "layers", "models", "training", "metrics", "viz", "widgets", "explorer",
    "gradients", "softmax_views", "artifacts", "resilience", "check",
]


def __getattr__(name: str):
    # Import submodules lazily so that `import elastic_attention` stays cheap.
    if name in __all__:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'elastic_attention' has no attribute {name!r}")
