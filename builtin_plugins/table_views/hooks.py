"""Hook implementations of the table_views plugin."""
from __future__ import annotations

from datasette import hookimpl

from .routes import ROUTES


@hookimpl(trylast=True)
def register_routes(datasette):
    return ROUTES
