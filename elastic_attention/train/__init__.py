"""Training: fit helpers and training loops, runs that survive interruption, and safe artifacts.

Introduced in chapter 5.2. :mod:`.loops` (compile, fit, the per-head trainer, the hand-written
SGD loop of chapter 4), :mod:`.resilience` (backup and resume, chapter 5.5) and
:mod:`.artifacts` (atomic writes, safe model files, chapter 5.5), :mod:`.cache` (the model cache)
and :mod:`.zoo` (the models several chapters share, trained once through the cache). Submodules
load on first use.
"""

from .._lazy import submodule_getattr

__all__ = ["loops", "resilience", "artifacts", "cache", "zoo", "distributed", "deploy"]
__getattr__ = submodule_getattr(__name__, __all__)
