"""Hook implementations of the error_pages plugin: they answer last."""
from __future__ import annotations

from datasette import hookimpl

from .errors import render_error, render_forbidden


@hookimpl(trylast=True)
def handle_exception(datasette, request, exception):
    async def inner():
        return await render_error(datasette, request, exception)
    return inner


@hookimpl(trylast=True)
def forbidden(datasette, request, message):
    async def inner():
        return await render_forbidden(datasette, request, message)
    return inner
