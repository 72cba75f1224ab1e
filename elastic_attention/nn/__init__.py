"""Neural-network code: layers, model builders, softmax and hand-derived gradients, dot-product
and multi-head attention, and the metrics that score attention maps. Introduced in chapter 4.

One file per topic: :mod:`.softmax` (softmax, its Jacobian, gradient checks),
:mod:`.pooling_grad` (attention pooling differentiated by hand), :mod:`.dot_product`
(scaled dot-product and multi-head attention), :mod:`.layers` (Keras layers), :mod:`.models`
(model builders, the early-exit model included) and :mod:`.metrics`. Submodules load on first
use (``ea.nn.models``), so importing the package does not import Keras.
"""

from .._lazy import submodule_getattr

__all__ = ["softmax", "pooling_grad", "dot_product", "layers", "models", "metrics", "pruning"]
__getattr__ = submodule_getattr(__name__, __all__)
