"""Hook implementations of the events plugin."""
from __future__ import annotations

from datasette import hookimpl

from .events import BUILTIN_EVENTS


@hookimpl
def register_events(datasette):
    return list(BUILTIN_EVENTS)
