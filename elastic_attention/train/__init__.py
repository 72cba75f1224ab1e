"""Training: fit helpers and training loops, runs that survive interruption, and safe artifacts.

Introduced in chapter 5.2. :mod:`.loops` (compile, fit, the per-head trainer, the hand-written
SGD loop of chapter 4), :mod:`.resilience` (backup and resume, chapter 5.5) and
:mod:`.artifacts` (atomic writes, safe model files, chapter 5.5), :mod:`.cache` (the model cache)
and :mod:`.zoo` (the models several chapters share, trained once through the cache), :mod:`.pretrain`
(a trunk pretrained on plain digits, reused on cluttered canvases, chapter 3.2), :mod:`.elastic` and
:mod:`.adapt` (chapters 3.5, 3.6), :mod:`.applications` (training and equal-budget tuning for chapter 6),
:mod:`.adversarial` (FGSM adversarial training, chapter 8.3),
:mod:`.distributed` and :mod:`.deploy` (multi-worker training, export and monitoring, chapter 9), :mod:`.optim`
(schedules, weight decay, a grid search, chapter 3.7). Submodules
load on first use.
"""

from .._lazy import submodule_getattr

__all__ = [
    "loops", "resilience", "artifacts", "cache", "zoo", "pretrain", "elastic", "adapt", "applications",
    "adversarial", "distributed", "deploy", "optim",
]
__getattr__ = submodule_getattr(__name__, __all__)
