"""Hook implementations of the custom_pages plugin."""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound

from .pages import PageNotFound, render_custom_page


@hookimpl
def handle_exception(datasette, request, exception):
    # Any 404 may be answered by a page template; other errors are not ours.
    if not isinstance(exception, NotFound) or isinstance(exception, PageNotFound):
        return None

    async def inner():
        return await render_custom_page(datasette, request)
    return inner
