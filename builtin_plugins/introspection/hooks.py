"""Hook implementations of the introspection plugin."""
from __future__ import annotations

from datasette import hookimpl

from .pages import json_page_routes
from .static import static_routes


@hookimpl
def register_routes(datasette):
    return json_page_routes() + static_routes(datasette)
