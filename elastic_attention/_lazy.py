"""Lazy submodule access for the package and its subpackages. Introduced in chapter 5.1.

``import elastic_attention`` stays cheap (no TensorFlow) and ``ea.nn.models`` still works
without an explicit import: the first attribute access imports the submodule.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["submodule_getattr"]


def submodule_getattr(package: str, names):
    """Return a module-level ``__getattr__`` that imports ``package.<name>`` for each of ``names``.

    Introduced in chapter 5.1.
    """
    known = frozenset(names)

    def __getattr__(name: str):
        if name in known:
            return import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
