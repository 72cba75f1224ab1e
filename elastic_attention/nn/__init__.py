"""Neural-network code: layers, model builders, softmax and hand-derived gradients, dot-product
and multi-head attention, and the metrics that score attention maps. Introduced in chapter 4.

One file per topic (submodules load on first use, ``ea.nn.models``, so importing the package
does not import Keras):

- :mod:`.softmax`: softmax, its Jacobian, gradient checks (chapter 4);
- :mod:`.pooling_grad`: attention pooling differentiated by hand (chapter 4);
- :mod:`.dot_product`: scaled dot-product and multi-head attention (chapter 4);
- :mod:`.attention_grad`: their backward pass, derived by hand (chapter 4);
- :mod:`.layers`: Keras layers; :mod:`.models`: model builders; :mod:`.metrics` (chapter 5);
- :mod:`.early_exit`: the two-exit classifier and elastic inference rule (chapter 5.5);
- :mod:`.augment`: preprocessing-layer augmentation (chapter 3.1);
- :mod:`.architectures`: small MLP/CNN/RNN/Transformer models, trunk transfer (chapter 3.2);
- :mod:`.fusion`: multimodal fusion with learned modality weights (chapter 3.3);
- :mod:`.calibration`: temperature scaling, calibration error, abstain thresholds (chapter 3.4);
- :mod:`.glimpse`: look, then glimpse: locator, crops, FLOP counts, top-k pruning (chapter 3.5);
- :mod:`.applications`, :mod:`.traffic`: chapter 6's case-study models and signal controllers (chapter 6);
- :mod:`.cost`, :mod:`.explain`: parameters, FLOPs and timing; saliency, occlusion, faithfulness, FGSM (chapter 8);
- :mod:`.pruning`: magnitude pruning (chapter 9.2).
"""

from .._lazy import submodule_getattr

__all__ = [
    "softmax",
    "pooling_grad",
    "dot_product",
    "attention_grad",
    "layers",
    "models",
    "metrics",
    "early_exit",
    "augment",
    "architectures",
    "fusion",
    "calibration",
    "glimpse",
    "applications",
    "traffic",
    "cost",
    "explain",
    "pruning",
]
__getattr__ = submodule_getattr(__name__, __all__)
