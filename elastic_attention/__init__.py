"""elastic_attention: the library behind the Attention Elasticity Bootcamp book.

Subpackages by role, imported in one direction only (a module may import from the layers above
it in this list, never from below; ``tests/unit/test_layering.py`` enforces it):

1. ``_validate`` (argument checks, one copy each) and ``_lazy`` (lazy submodule access);
2. :mod:`runtime`: profiles, seeds, devices, strategies;
3. :mod:`data`: the dataset registry and one file per dataset (digits, cluttered, mnist);
4. :mod:`nn`: softmax and gradients, dot-product attention, layers, models, metrics;
5. :mod:`train`: training loops, resilience, artifacts (atomic writes);
6. :mod:`views`: one file per topic with its static figure, widget and HTML explorer;
7. :mod:`check`: self-check helpers for the exercises.

Why roles and not chapters: a chapter uses several roles (data, a model, a view), and several
chapters share one model; a role per folder gives every kind of code one obvious home, and the
one-way order keeps low layers (data, models) free of plotting and notebook code.
"""

from ._lazy import submodule_getattr
from .runtime import quiet_tensorflow_startup

# TensorFlow's C++ log lines (oneDNN notices, absl's preamble, a spurious E0000 from tf.data) look
# like errors in a chapter: hold them to TF_CPP_MIN_LOG_LEVEL (3 unless set), start-up included,
# before TensorFlow loads. Set TF_CPP_MIN_LOG_LEVEL=0 first to see everything.
quiet_tensorflow_startup()

__version__ = "0.1.0"
__all__ = ["runtime", "data", "nn", "train", "views", "check"]
__getattr__ = submodule_getattr(__name__, __all__)
