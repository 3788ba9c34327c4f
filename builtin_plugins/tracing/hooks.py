"""Hook implementations of the tracing plugin."""
from __future__ import annotations

from datasette import hookimpl

from .middleware import AsgiTracer


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        return AsgiTracer(app) if datasette.setting("trace_debug") else app
    return wrap
