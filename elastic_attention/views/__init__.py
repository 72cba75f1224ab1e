"""Views: one file per topic, each holding that topic's static figures, its ipywidgets viewer and
its kernel-free HTML explorer. Introduced in chapter 4.

Submodules load on first use:

- :mod:`.explorer`: the shared machinery (the :class:`~.explorer.Explorer` object, HTML assembly;
  the JavaScript and CSS are package data in ``views/assets/``);
- :mod:`.softmax`, :mod:`.saturation`, :mod:`.gradients`: softmax and temperature, dot-product
  saturation, gradient figures (chapter 4);
- :mod:`.attention`: attention maps over images; :mod:`.attention_lab`: the trained model running
  in the browser with TensorFlow.js (chapter 5.4);
- :mod:`.figures`: learning curves, confusion matrix, image grids, tables (chapter 5.2);
- :mod:`.cleaning`, :mod:`.models`, :mod:`.fusion`: the figures of chapters 3.1 to 3.3;
- :mod:`.decisions`, :mod:`.elastic`, :mod:`.adaptation`: the figures of chapters 3.4 to 3.6;
- :mod:`.applications`: the attention figures of chapter 6's case studies;
- :mod:`.challenges`: the figures of chapter 8;
- :mod:`.deploy`: the figures of chapter 9.2;
- :mod:`.optim`: schedules, the search grid and loss curves of chapter 3.7.
"""

from .._lazy import submodule_getattr

__all__ = [
    "explorer",
    "softmax",
    "saturation",
    "gradients",
    "attention",
    "attention_lab",
    "figures",
    "cleaning",
    "models",
    "fusion",
    "decisions",
    "elastic",
    "adaptation",
    "applications",
    "challenges",
    "deploy",
    "optim",
]
__getattr__ = submodule_getattr(__name__, __all__)
