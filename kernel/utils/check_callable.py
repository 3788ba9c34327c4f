"""Tell plain callables from async ones (functions, classes, instances with __call__, partials)."""
from __future__ import annotations

import inspect
from typing import Any, NamedTuple


class CallableStatus(NamedTuple):
    """Result of check_callable."""

    is_callable: bool
    is_async_callable: bool


def check_callable(obj: Any) -> CallableStatus:
    """Whether obj can be called, and whether calling it returns a coroutine."""
    if not callable(obj):
        return CallableStatus(False, False)
    if isinstance(obj, type):
        return CallableStatus(True, False)
    is_async = inspect.iscoroutinefunction(obj) or inspect.iscoroutinefunction(getattr(obj, "__call__", None))
    return CallableStatus(True, is_async)
