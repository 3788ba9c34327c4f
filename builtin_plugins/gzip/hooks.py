"""Hook implementations of the gzip plugin."""
from __future__ import annotations

from datasette import hookimpl

from .middleware import CompressionMiddleware


@hookimpl(trylast=True)
def asgi_wrapper(datasette):
    # trylast: applied after every other wrapper, so it is the outermost one and compresses
    # what the others produced (their headers, 304s and redirects included).
    def wrap(app):
        return CompressionMiddleware(app, datasette.plugin_config("gzip") or {})
    return wrap
