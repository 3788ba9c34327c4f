"""``datasette.publish.common``: publishing helpers, re-exported from the ``publish`` plugin.

Names are looked up lazily, so importing the kernel never imports a plugin.
"""
from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    module = importlib.import_module("datasette_builtins.publish.common")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module 'datasette.publish.common' has no attribute {name!r}") from None
