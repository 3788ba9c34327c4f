"""Hook implementations of the http_caching plugin."""
from __future__ import annotations

from datasette import hookimpl

from .middleware import HttpCachingMiddleware


@hookimpl
def asgi_wrapper(datasette):
    # Registered after gzip and hashed_urls (names sort before it), so it sits inside them:
    # it sees the routed path of a hashed URL, and gzip sees its 304s and tags.
    def wrap(app):
        return HttpCachingMiddleware(app, datasette)
    return wrap
