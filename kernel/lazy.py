"""Upstream import paths whose objects belong to built-in plugins, looked up on first use.

``datasette.facets.Facet`` is the ``facets`` plugin's class: the kernel module sets
``__getattr__ = reexport(__name__, "datasette_builtins.facets.facets")`` (PEP 562), so the
plugin is imported only when such a name is asked for, never when the kernel is.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable


def reexport(module_name: str, target: str,
             wanted: Callable[[str], bool] = lambda name: not name.startswith("__")) -> Callable[[str], Any]:
    """A module ``__getattr__`` serving the ``wanted`` names from module ``target``."""

    def __getattr__(name: str) -> Any:
        if wanted(name):
            try:
                return getattr(importlib.import_module(target), name)
            except AttributeError:
                pass
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
