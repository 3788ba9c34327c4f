"""``datasette.filters``: the column-filter engine, re-exported from the ``table_views`` plugin.

Names are looked up lazily, so importing the kernel never imports a plugin.
"""
from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    module = importlib.import_module("datasette_builtins.table_views.filters")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module 'datasette.filters' has no attribute {name!r}") from None
