"""Datasette: a plugin-first microkernel for exploring and publishing SQLite data.

The names here are the import surface upstream plugins use. Nothing is loaded at
import time beyond these small modules.
"""
from datasette.events import Event
from datasette.hookspecs import hookimpl, hookspec
from datasette.permissions import Permission
from datasette.utils import actor_matches_allow
from datasette.utils.asgi import Forbidden, NotFound, Request, Response
from datasette.version import __version__, __version_info__
from datasette.views import Context

__all__ = [
    "Context", "Event", "Forbidden", "NotFound", "Permission", "Request", "Response",
    "__version__", "__version_info__", "actor_matches_allow", "hookimpl", "hookspec",
]
