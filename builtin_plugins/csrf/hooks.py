"""Hook implementations of the csrf plugin."""
from __future__ import annotations

from datasette import hookimpl

from .middleware import CsrfMiddleware, skip_json_requests


@hookimpl(tryfirst=True)
def asgi_wrapper(datasette):
    # tryfirst makes this the innermost wrapper, so (as upstream) CSRF checks run
    # after any third-party middleware has had its say.
    def wrap(app):
        return CsrfMiddleware(app, datasette)
    return wrap


@hookimpl
def skip_csrf(scope):
    return skip_json_requests(scope)
