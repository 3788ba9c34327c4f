"""Hook implementations of the hashed_urls plugin."""
from __future__ import annotations

from datasette import hookimpl

from .middleware import HashedUrlsMiddleware
from .routes import adopt_hashes, warn_mutable


@hookimpl
def startup(datasette):
    warn_mutable(datasette)
    adopt_hashes(datasette)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        return HashedUrlsMiddleware(app, datasette)
    return wrap
