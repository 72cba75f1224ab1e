"""Views: one file per topic, each holding that topic's static figures, its ipywidgets viewer and
its kernel-free HTML explorer. Introduced in chapter 4.

:mod:`.explorer` is the shared machinery (the :class:`~.explorer.Explorer` object, HTML
assembly, the JavaScript and CSS shipped as package data in ``views/assets/``);
:mod:`.softmax` softmax and temperature, :mod:`.saturation` dot-product saturation and
:mod:`.gradients` gradient figures (chapter 4);
:mod:`.attention` attention maps over images (chapter 5.4); :mod:`.attention_lab` the trained model
running in the browser with TensorFlow.js (chapter 5.4); :mod:`.figures` the training
figures (learning curves, confusion matrix, image grids, tables). Submodules load on first use.
"""

from .._lazy import submodule_getattr

__all__ = ["explorer", "softmax", "saturation", "gradients", "attention", "attention_lab", "figures"]
__getattr__ = submodule_getattr(__name__, __all__)
