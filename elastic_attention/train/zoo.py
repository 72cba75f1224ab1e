"""The book's shared models, each trained once per seed and profile through the model cache.

Introduced in chapter 5.4. A chapter that needs the attention classifier of chapter 5.3 calls
:func:`cluttered_head` instead of training it again: the first call anywhere (in any notebook, in
any order) trains and stores it, later calls load it. The data and schedule are the ones chapter
5.3 uses, sized by the profile.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from .. import _validate as valid
from ..data.cluttered import ClutteredDigits, make_cluttered
from ..data.registry import data_root
from ..nn.models import HEADS
from .cache import CachedModel, cached_model

__all__ = ["cluttered_sizes", "cluttered_data", "cluttered_head", "shared_canvases"]

_CANVASES: OrderedDict = OrderedDict()
_CANVASES_KEPT = 4  # data sets kept per process, the oldest dropped first


def shared_canvases(key: tuple, make: Callable[[], dict | tuple]):
    """Return the canvases ``make()`` builds (a tuple or dict of :class:`ClutteredDigits`), made
    once per process for ``key`` and the data folder, and shared with their arrays read-only.

    Introduced in chapter 3.5, whose models each ask for the same canvases again: making them
    means reading and checking the shipped digits and drawing the clutter, a few seconds each time.
    Read-only arrays make an accidental in-place edit of a shared set fail loudly instead of
    changing every later reader's data.
    """
    full_key = (*key, str(data_root()))
    if full_key in _CANVASES:
        _CANVASES.move_to_end(full_key)
        return _CANVASES[full_key]
    made = make()
    for part in (made.values() if isinstance(made, dict) else made):
        if not isinstance(part, ClutteredDigits):
            raise TypeError(f"make() must return ClutteredDigits in a tuple or dict, got {type(part).__name__}")
        for array in (part.images, part.labels, part.boxes, part.source_ids):
            np.asarray(array).flags.writeable = False
    _CANVASES[full_key] = made
    while len(_CANVASES) > _CANVASES_KEPT:
        _CANVASES.popitem(last=False)
    return made


def cluttered_sizes(profile: str) -> dict:
    """Return chapter 5.3's run sizes for ``profile``: training copies per digit, test copies, epochs.

    Introduced in chapter 5.4.
    """
    valid.one_of(profile, ("quick", "full"), "profile")
    return {"copies": 3, "test_copies": 3, "epochs": 6} if profile == "quick" else \
        {"copies": 10, "test_copies": 3, "epochs": 15}


def cluttered_data(profile: str, seed: int) -> tuple[ClutteredDigits, ClutteredDigits]:
    """Return chapter 5.3's ``(train, test)`` cluttered canvases for ``profile`` and ``seed``.

    Introduced in chapter 5.4. The canvases are made once per process and shared read-only
    (:func:`shared_canvases`); copy an array before changing it in place.
    """
    sizes = cluttered_sizes(profile)
    return shared_canvases(("cluttered", profile, int(seed)), lambda: (
        make_cluttered("train", copies=sizes["copies"], seed=seed),
        make_cluttered("test", copies=sizes["test_copies"], seed=seed)))


def cluttered_head(head: str, cfg, learning_rate: float | None = None, filters: int = 32) -> CachedModel:
    """Return the :class:`~.cache.CachedModel` of chapter 5.3's classifier with ``head`` trained on
    cluttered canvases for ``cfg.profile`` and ``cfg.seed``; ``info`` holds its test accuracy,
    parameter count, training seconds and history.

    Introduced in chapter 5.4. ``filters`` sets the trunk's width (chapter 8.1 trains a narrower
    model with the same schedule).
    """
    import keras

    from .loops import HEAD_LEARNING_RATES, train_cluttered_head

    valid.one_of(head, HEADS, "head")
    lr = HEAD_LEARNING_RATES[head] if learning_rate is None else valid.positive_number(learning_rate, "learning_rate")
    sizes = cluttered_sizes(cfg.profile)
    valid.positive_int(filters, "filters")
    # The default width keeps the key of chapter 5.3's model; another width is a different model.
    name = f"cluttered-{head}" if filters == 32 else f"cluttered-{head}-{filters}f"

    def train():
        train_set, test_set = cluttered_data(cfg.profile, cfg.seed)
        keras.utils.set_random_seed(cfg.seed)
        result = train_cluttered_head(head, train_set, test_set, epochs=sizes["epochs"], learning_rate=lr,
                                      filters=filters, strategy=cfg.strategy, jit_compile=cfg.jit_compile, verbose=0)
        return result.model, {"test_accuracy": result.test_accuracy, "params": result.params,
                              "seconds": result.run.seconds, "history": result.run.history}

    precision = "mixed_float16" if getattr(cfg, "mixed_precision", False) else "float32"
    return cached_model(name, train, seed=cfg.seed, profile=cfg.profile,
                        params={"learning_rate": lr, **sizes}, precision=precision)
