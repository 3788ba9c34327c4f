"""Introspection pages: /-/versions, /-/plugins, /-/settings, /-/config, /-/threads, /-/databases, /-/actor, static files."""
__version__ = "0.1.0"

from .hooks import register_routes  # noqa: E402,F401
