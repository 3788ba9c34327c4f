"""Hook implementations of the write_api plugin."""
from __future__ import annotations

from datasette import hookimpl

from .routes import ROUTES


@hookimpl
def register_routes(datasette):
    # Not trylast: these must be tried before the catch-all table and row routes.
    return ROUTES
